"""The JSON report: a public contract, keep its keys stable.

{"tool": "cicd-guard", "version": ..., "summary": {...}, "findings": [{rule_id, severity, enforcement,
status, resource, engine, file, line, message, ...}], "errors": [{file, line, message}], "notes": [what
was not scanned]}. `summary` holds the counts CI scripts need (by status, severity and enforcement, how
many block, the exit code and the one-line text every format shows). Remediation is one line per
paragraph (no hard line breaks).
Findings may carry extra keys
(remediation, suppression, title, end_line, urn, called_from, roots: the root modules reaching a finding
when more than one does); the listed ones are always present.
"""

from __future__ import annotations

import json
import os

from .. import TOOL_NAME, __version__
from ..findings import Enforcement, Finding, Report, Severity, Status
from .common import counts, display_path, redacted, summary_line, unwrap, verdict


def finding_dict(finding: Finding, repo_root: str | os.PathLike | None = None) -> dict:
    data = finding.to_public_dict()
    data["remediation"] = unwrap(finding.remediation) if finding.remediation else finding.remediation
    data["file"] = display_path(finding.file, repo_root) if finding.file else None
    data.update(title=finding.title, end_line=finding.end_line, urn=finding.urn,
                called_from=finding.called_from)
    if finding.roots:
        data["roots"] = list(finding.roots)
    return data


def summary(report: Report, strict: bool = False) -> dict:
    c = counts(report, strict)
    return {
        "exit_code": c["exit_code"], "result": verdict(report, strict), "strict": strict,
        "text": summary_line(report, strict),
        "by_status": {s.value: sum(1 for f in report.findings if f.status is s) for s in Status},
        "by_severity": {s.value: sum(1 for f in report.findings if f.severity is s) for s in Severity},
        "by_enforcement": {e.value: sum(1 for f in report.findings if f.enforcement is e) for e in Enforcement},
        "blocking": sum(1 for f in report.findings if f.blocks_run(strict)),
        "errors": c["errors"], "notes": len(report.notes),
    }


def document(report: Report, repo_root: str | os.PathLike | None = None, strict: bool = False) -> dict:
    report = redacted(report)
    return {
        "tool": TOOL_NAME,
        "version": __version__,
        "summary": summary(report, strict),
        "findings": [finding_dict(f, repo_root) for f in report.findings],
        "errors": [{"file": display_path(e.file, repo_root) if e.file else e.file, "line": e.line,
                    "message": e.message} for e in report.errors],
        "notes": list(report.notes),
    }


def render(report: Report, color: bool = False, repo_root: str | os.PathLike | None = None,
           strict: bool = False) -> str:
    return json.dumps(document(report, repo_root, strict), indent=2, ensure_ascii=False) + "\n"
