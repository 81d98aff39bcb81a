"""Where a rule's documentation is published: one setting, used by SARIF `helpUri` and the pack's `url`.

`CICD_GUARD_DOCS_URL` (the folder holding `<RULE-ID>.md`) wins; otherwise the repository URL the package
declares (`[project.urls] Repository`) + `/blob/main/docs/rules`. `cicd-guard explain` accepts any such
URL (or the rule ID, or its policy name) and prints the same page offline.
"""

from __future__ import annotations

import os
import re
from importlib import metadata

DOCS_URL_ENV = "CICD_GUARD_DOCS_URL"
_RULE_AT_END = re.compile(r"([A-Za-z]{3}-[0-9]{3})(?:\.md)?/?$")


def project_url(*labels: str) -> str | None:
    """The first `[project.urls]` entry whose label is one of `labels` (case-insensitive)."""
    try:
        entries = metadata.metadata("cicd-guard").get_all("Project-URL") or []
    except metadata.PackageNotFoundError:
        return None
    by_label = {}
    for entry in entries:
        label, _, url = entry.partition(",")
        by_label.setdefault(label.strip().lower(), url.strip().rstrip("/"))
    return next((by_label[label] for label in labels if label in by_label), None)


def docs_base() -> str:
    configured = os.environ.get(DOCS_URL_ENV, "").strip().rstrip("/")
    if configured:
        return configured
    repo = project_url("repository", "source", "homepage")
    return f"{repo}/blob/main/docs/rules" if repo else "docs/rules"


def rule_doc_url(rule_id: str) -> str:
    return f"{docs_base()}/{rule_id}.md"


def rule_id_in(text: str) -> str | None:
    """The rule ID a documentation URL (or path) ends with: what `explain` accepts besides the ID."""
    match = _RULE_AT_END.search(text.strip())
    return match[1].upper() if match else None
