"""The JSON report: a public contract, keep its keys stable.

{"tool": "cicd-guard", "version": ..., "findings": [{rule_id, severity, enforcement, status, resource,
engine, file, line, message, ...}], "errors": [{file, line, message}], "notes": [what was not scanned]}.
Findings may carry extra keys
(remediation, suppression, title, end_line, urn, called_from, roots: the root modules reaching a finding
when more than one does); the listed ones are always present.
"""

from __future__ import annotations

import json
import os

from .. import TOOL_NAME, __version__
from ..findings import Finding, Report
from .common import display_path, redacted


def finding_dict(finding: Finding, repo_root: str | os.PathLike | None = None) -> dict:
    data = finding.to_public_dict()
    data["file"] = display_path(finding.file, repo_root) if finding.file else None
    data.update(title=finding.title, end_line=finding.end_line, urn=finding.urn,
                called_from=finding.called_from)
    if finding.roots:
        data["roots"] = list(finding.roots)
    return data


def document(report: Report, repo_root: str | os.PathLike | None = None) -> dict:
    report = redacted(report)
    return {
        "tool": TOOL_NAME,
        "version": __version__,
        "findings": [finding_dict(f, repo_root) for f in report.findings],
        "errors": [{"file": display_path(e.file, repo_root) if e.file else e.file, "line": e.line,
                    "message": e.message} for e in report.errors],
        "notes": list(report.notes),
    }


def render(report: Report, color: bool = False, repo_root: str | os.PathLike | None = None,
           strict: bool = False) -> str:
    return json.dumps(document(report, repo_root), indent=2, ensure_ascii=False) + "\n"
