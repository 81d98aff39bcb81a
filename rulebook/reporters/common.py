"""What every reporter shares: redaction of the report, counts, and repository-relative paths."""

from __future__ import annotations

import dataclasses
import os
from collections import Counter
from pathlib import Path, PurePosixPath

from ..findings import Enforcement, Finding, Report, Status, Suppression
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


def redacted(report: Report) -> Report:
    """A copy of the report whose every printable text has been through `redact` (idempotent)."""
    return Report(findings=[redact_finding(f) for f in report.findings],
                  errors=[redact_error(e) for e in report.errors],
                  scanned=list(report.scanned), rules_run=list(report.rules_run),
                  notes=[redact(n) for n in report.notes])


def counts(report: Report, strict: bool = False) -> dict[str, int]:
    """Totals shown in summaries: failed (and how many block), unknown, suppressed, errors."""
    by_status = Counter(f.status for f in report.findings)
    blocking = sum(1 for f in report.findings if f.blocks or (
        strict and f.status is Status.UNKNOWN and f.enforcement is Enforcement.MANDATORY))
    return {
        "failed": by_status[Status.FAILED],
        "blocking": blocking,
        "unknown": by_status[Status.UNKNOWN],
        "suppressed": by_status[Status.SUPPRESSED],
        "errors": len(report.errors),
    }


def is_blocking(finding: Finding, strict: bool = False) -> bool:
    return finding.blocks or (strict and finding.status is Status.UNKNOWN
                              and finding.enforcement is Enforcement.MANDATORY)


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
