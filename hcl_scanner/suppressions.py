"""Inline suppressions: `# cicd-guard:ignore=REG-003,IDF-001 reason="..." expires=YYYY-MM-DD`.

A comment applies to the block it sits on (trailing comment on the opening line) or to the block
directly below its run of comment lines. On a module call it covers every resource of the module.
A reason is required: a comment without one (or with a malformed rule list or date) suppresses
nothing and is reported as an input error (exit 2), because a suppression that silently does not
apply is worse than a loud one. Expiry and --strict-suppressions are applied by the engine, which
keeps such findings visible with a note.
"""

from __future__ import annotations

import datetime as dt
import re

from rulebook.model import InlineSuppression, InputError

from .loader import ParsedFile

_IDS = re.compile(r"ignore\s*=\s*([A-Za-z0-9_,\- ]*?)(?=\s+\w+\s*=|\s*$)")
_REASON = re.compile(r'reason\s*=\s*(?:"((?:[^"\\]|\\.)*)"|\'([^\']*)\')')
_EXPIRES = re.compile(r"expires\s*=\s*(\S+)")
_RULE_ID = re.compile(r"^[A-Z]{2,5}-\d{3}$")


def parse_comment(text: str, file: str, line: int) -> InlineSuppression | InputError:
    """One cicd-guard comment -> an InlineSuppression, or the InputError saying what is wrong."""
    ids_match = _IDS.search(text)
    rules = tuple(r.strip().upper() for r in ids_match.group(1).split(",") if r.strip()) if ids_match else ()
    if not rules:
        return InputError(file, line, "cicd-guard:ignore without rule IDs; suppression ignored")
    bad = [r for r in rules if not _RULE_ID.match(r)]
    if bad:
        return InputError(file, line, f"cicd-guard:ignore names invalid rule ID(s) {', '.join(bad)}; "
                          "suppression ignored")
    reason_match = _REASON.search(text)
    reason = (reason_match.group(1) or reason_match.group(2) or "").strip() if reason_match else ""
    if not reason:
        return InputError(file, line, f"cicd-guard:ignore={','.join(rules)} has no reason=\"...\"; "
                          "a reason is required, suppression ignored")
    expires = None
    expires_match = _EXPIRES.search(text)
    if expires_match:
        expires = expires_match.group(1).strip("\"'")
        try:
            dt.date.fromisoformat(expires)
        except ValueError:
            return InputError(file, line, f"cicd-guard:ignore expires={expires!r} is not a YYYY-MM-DD date; "
                              "suppression ignored")
    return InlineSuppression(rules, reason.replace('\\"', '"'), expires, file, line)


def for_block(parsed: ParsedFile, line: int) -> tuple[list[InlineSuppression], list[InputError]]:
    """Suppressions written on the block's opening line or in the comment run directly above it."""
    if not parsed.comments:
        return [], []
    lines = [line] if line in parsed.comments else []
    start = parsed.lines_above.get(line)
    if start is not None:
        lines.extend(n for n in range(start, line) if n in parsed.comments)
    found: list[InlineSuppression] = []
    errors: list[InputError] = []
    for number in sorted(lines):
        result = parse_comment(parsed.comments[number], parsed.path, number)
        (found if isinstance(result, InlineSuppression) else errors).append(result)
    return found, errors


def orphans(parsed: ParsedFile, used: set[int]) -> list[InputError]:
    """cicd-guard comments attached to no block: they suppress nothing, so say so."""
    return [InputError(parsed.path, n, "cicd-guard:ignore comment is not on or directly above a resource, "
                       "data or module block; it suppresses nothing")
            for n in sorted(parsed.comments) if n not in used]
