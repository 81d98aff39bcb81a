"""Human-readable report: findings grouped by file (or Pulumi URN), then errors, then a summary."""

from __future__ import annotations

import os
import textwrap
from itertools import groupby

from ..findings import Finding, Report, Status

__all__ = ["render", "summary_line"]
from .common import (counts, display_location, display_path, for_terminal, is_blocking, neutralised, redacted,
                     summary_line, unwrap, verdict)

_RESET = "\033[0m"
_COLOURS = {"critical": "\033[1;31m", "high": "\033[31m", "medium": "\033[33m", "low": "\033[36m",
            "failed": "\033[1m", "unknown": "\033[35m", "suppressed": "\033[2m", "error": "\033[1;31m",
            "ok": "\033[32m", "heading": "\033[1;4m"}


class _Paint:
    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def __call__(self, key: str, text: str) -> str:
        return f"{_COLOURS[key]}{text}{_RESET}" if self.enabled else text


def _group(finding: Finding, repo_root: str | os.PathLike | None) -> str:
    if finding.file:
        return display_path(finding.file, repo_root)
    return finding.urn or "(no source location)"


def _finding_lines(finding: Finding, paint: _Paint, strict: bool, repo_root) -> list[str]:
    where = f"{finding.line:>5}" if finding.line else "    -"
    status = {Status.FAILED: "FAIL", Status.UNKNOWN: "UNKNOWN", Status.SUPPRESSED: "SUPPRESSED"}[finding.status]
    marker = "BLOCKS" if is_blocking(finding, strict) else finding.enforcement.value
    head = (f"{where}  {paint(finding.status.value, f'{status:<10}')} "
            f"{paint(finding.severity.value, f'{finding.severity.value:<8}')} {finding.rule_id}  "
            f"{finding.resource}  [{marker}]")
    lines = [head, f"         {finding.message}"]
    if finding.called_from:
        lines.append(f"         via module call at {display_location(finding.called_from, repo_root)}")
    if finding.roots:
        lines.append(f"         reached from roots: {', '.join(finding.roots)}")
    if finding.status is Status.SUPPRESSED and finding.suppression:
        expiry = f", expires {finding.suppression.expires}" if finding.suppression.expires else ""
        lines.append(f"         suppressed ({finding.suppression.source}{expiry}): {finding.suppression.reason}")
    elif finding.remediation:
        fix = unwrap(finding.remediation).split("\n\n")[0]
        lines.extend(textwrap.wrap(fix, width=110, initial_indent="         fix: ", subsequent_indent=" " * 14,
                                   break_on_hyphens=False, break_long_words=False))
    return lines


def render(report: Report, color: bool = False, repo_root: str | os.PathLike | None = None,
           strict: bool = False) -> str:
    report = for_terminal(redacted(report))
    paint = _Paint(color)
    out: list[str] = []
    findings = sorted(report.findings, key=lambda f: (_group(f, repo_root), f.line or 0, f.rule_id, f.resource))
    for group, items in groupby(findings, key=lambda f: _group(f, repo_root)):
        out.append(paint("heading", group))
        for finding in items:
            out.extend(_finding_lines(finding, paint, strict, repo_root))
        out.append("")
    if report.errors:
        out.append(paint("error", "Errors (these inputs could not be evaluated):"))
        for error in report.errors:
            where = display_path(error.file, repo_root) + (f":{error.line}" if error.line else "")
            out.append(f"  {where}: {error.message}")
        out.append("")
    for note in report.notes:
        out.append(f"note: {note}")
    c = counts(report, strict)
    if c["unknown"]:
        hint = "" if strict else "; --strict makes those under mandatory rules fail"
        out.append(paint("unknown", f"warning: {c['unknown']} result(s) could not be decided at plan time{hint}"))
    result = verdict(report, strict)
    colour = "error" if result != "PASS" else "ok"
    out.append(f"{paint(colour, result)}: {summary_line(report, strict)}")
    return neutralised("\n".join(out)) + "\n"
