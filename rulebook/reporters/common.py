"""What every reporter shares: redaction of the report, counts, and repository-relative paths."""

from __future__ import annotations

import dataclasses
import os
import re
from collections import Counter
from pathlib import Path, PurePosixPath

from ..findings import Finding, Report, Status, Suppression
from ..model import InputError
from ..redact import redact, redact_optional


def redact_finding(finding: Finding) -> Finding:
    suppression = finding.suppression
    if suppression is not None:
        suppression = Suppression(redact(suppression.reason), suppression.source, suppression.expires)
    return dataclasses.replace(
        finding, message=redact(finding.message), remediation=redact(finding.remediation),
        resource=redact(finding.resource), title=redact(finding.title), file=redact_optional(finding.file),
        urn=redact_optional(finding.urn), called_from=redact_optional(finding.called_from),
        roots=tuple(redact(root) for root in finding.roots), suppression=suppression)


def redact_error(error: InputError) -> InputError:
    return InputError(redact(str(error.file)), error.line, redact(str(error.message)))


# Control characters (ESC/OSC sequences, CR, newlines, C1), bidirectional overrides and lone surrogates in
# names and messages from scanned input: shown as escapes, so input cannot rewrite a terminal or a CI log.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_WORKFLOW_COMMAND = re.compile(r"^(\s*)::", re.M)


def printable(text: str) -> str:
    """One line of plain text: every control character escaped (\\x1b, \\x0a, \\u202e, ...)."""
    return _UNPRINTABLE.sub(lambda m: f"\\x{ord(m[0]):02x}" if ord(m[0]) < 0x100 else f"\\u{ord(m[0]):04x}",
                            text)


def neutralised(text: str) -> str:
    """A line starting with `::` is a GitHub Actions workflow command (::error, ::add-mask::, ...): break
    it so a name from a pull request cannot issue one in the CI log."""
    return _WORKFLOW_COMMAND.sub(r"\1: :", text)


def for_terminal(report: Report) -> Report:
    """A copy whose input-derived texts are `printable` (rule-authored remediation and titles are kept)."""
    def safe(text: str | None) -> str | None:
        return printable(text) if text is not None else None

    findings = []
    for finding in report.findings:
        suppression = finding.suppression
        if suppression is not None:
            suppression = Suppression(printable(suppression.reason), suppression.source, suppression.expires)
        findings.append(dataclasses.replace(
            finding, message=printable(finding.message), resource=printable(finding.resource),
            file=safe(finding.file), urn=safe(finding.urn), called_from=safe(finding.called_from),
            suppression=suppression))
    return Report(findings=findings, errors=[InputError(printable(str(e.file)), e.line, printable(str(e.message)))
                                             for e in report.errors],
                  scanned=[printable(s) for s in report.scanned], rules_run=list(report.rules_run),
                  notes=[printable(n) for n in report.notes])


def redacted(report: Report) -> Report:
    """A copy of the report whose every printable text has been through `redact` (idempotent)."""
    return Report(findings=[redact_finding(f) for f in report.findings],
                  errors=[redact_error(e) for e in report.errors],
                  scanned=list(report.scanned), rules_run=list(report.rules_run),
                  notes=[redact(n) for n in report.notes])


def counts(report: Report, strict: bool = False) -> dict[str, int]:
    """Totals shown in summaries: failed (and how many of those block), unknown (and how many block under
    --strict), suppressed, errors, and the exit code."""
    by_status = Counter(f.status for f in report.findings)
    return {
        "failed": by_status[Status.FAILED],
        "blocking": sum(1 for f in report.findings if f.status is Status.FAILED and f.blocks_run(strict)),
        "unknown": by_status[Status.UNKNOWN],
        "unknown_blocking": sum(1 for f in report.findings if f.status is Status.UNKNOWN and f.blocks_run(True)),
        "suppressed": by_status[Status.SUPPRESSED],
        "errors": len(report.errors),
        "exit_code": report.exit_code(strict),
    }


def summary_line(report: Report, strict: bool = False) -> str:
    """The one-line summary every format shows: what failed, what is unknown, and what blocks."""
    c = counts(report, strict)
    failed = f"{c['failed']} failed" + (f" ({c['blocking']} blocking)" if c["failed"] else "")
    unknown = f"{c['unknown']} unknown"
    if strict and c["unknown_blocking"]:
        unknown += f" ({c['unknown_blocking']} block under --strict)"
    files = f" in {len(report.scanned)} input(s)" if report.scanned else ""
    notes = f", {len(report.notes)} note(s) on what was not analysed" if report.notes else ""
    return f"{failed}, {unknown}, {c['suppressed']} suppressed, {c['errors']} error(s){files}{notes}"


def verdict(report: Report, strict: bool = False) -> str:
    return {0: "PASS", 1: "FAIL", 2: "ERROR"}[report.exit_code(strict)]


def is_blocking(finding: Finding, strict: bool = False) -> bool:
    return finding.blocks_run(strict)


def relative_uri(file: str, repo_root: str | os.PathLike | None) -> tuple[str, bool]:
    """(uri, is_relative): the file as a POSIX path relative to repo_root, or an absolute file URI.

    A relative `file` is taken from the current directory, or from repo_root when it exists only there
    (scanners may already report repository-relative paths), and kept as it is when it exists in
    neither. A file outside repo_root cannot be expressed relative to it, so it keeps an absolute URI.
    """
    root = Path(os.path.abspath(repo_root or os.getcwd()))
    path = Path(file)
    if not path.is_absolute():
        here = Path(os.getcwd()) / path
        if not here.exists() and not (root / path).exists() and ".." not in path.parts:
            return PurePosixPath(*path.parts).as_posix(), True
        path = root / path if not here.exists() and (root / path).exists() else here
    # Lexically first: a finding about a symlink (e.g. a loop) must name the link, not its target.
    for absolute, base in ((Path(os.path.abspath(path)), root), (path.resolve(), root.resolve())):
        try:
            rel = absolute.relative_to(base)
        except ValueError:
            continue
        return str(PurePosixPath(*rel.parts)) if rel.parts else ".", True
    return path.resolve().as_uri(), False


def display_path(file: str, repo_root: str | os.PathLike | None) -> str:
    uri, relative = relative_uri(file, repo_root)
    return uri if relative else file


def split_location(location: str) -> tuple[str, int | None]:
    """`file:line` -> (file, line); a value without a numeric suffix is all file."""
    file, _, line = location.rpartition(":")
    return (file, int(line)) if file and line.isdigit() else (location, None)


def display_location(location: str, repo_root: str | os.PathLike | None) -> str:
    file, line = split_location(location)
    path = display_path(file, repo_root)
    return f"{path}:{line}" if line is not None else path


def unwrap(text: str) -> str:
    """Hard-wrapped paragraphs as single lines (paragraph breaks kept), for plain-text fields."""
    return "\n\n".join(" ".join(p.split()) for p in text.strip().split("\n\n"))
