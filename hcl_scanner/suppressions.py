"""Inline suppressions: `# cicd-guard:ignore=REG-003,IDF-001 reason="..." expires=YYYY-MM-DD`.

Only real comment tokens count (the parser reports them; a marker inside a string, heredoc or
label is text). A comment applies to the top-level block it sits inside (from its opening line to
the line of its closing brace, trailing comments included) or to the block directly below its run
of comment-only lines. On a module call it covers every resource of the module. A reason is
required: a comment without one (or naming a rule that does not exist, or with a malformed date)
suppresses nothing and is reported as an input error (exit 2), because a suppression that silently
does not apply is worse than a loud one. Expiry and --strict-suppressions are applied by the engine, which
keeps such findings visible with a note.
"""

from __future__ import annotations

import datetime as dt
import re

from rulebook.model import InlineSuppression, InputError

from rulebook.rules import REGISTRY

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
    unknown = [r for r in rules if r not in REGISTRY]
    if unknown:
        return InputError(file, line, f"cicd-guard:ignore names unknown rule(s) {', '.join(unknown)} "
                          "(see `cicd-guard rules`); suppression ignored")
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


def attached_lines(parsed: ParsedFile, line: int) -> list[int]:
    """Lines of the cicd-guard comments that belong to the top-level block opening at `line`."""
    if not parsed.comments:
        return []
    end = next((item[5] for item in parsed.body if item[0] == "b" and item[4] == line), line)
    inside = [n for n in parsed.comments if line <= n <= max(end, line)]
    above = []
    number = line - 1
    while number in parsed.comment_lines:
        if number in parsed.comments:
            above.append(number)
        number -= 1
    return sorted(above + inside)


def for_block(parsed: ParsedFile, line: int) -> tuple[list[InlineSuppression], list[InputError]]:
    """Suppressions written inside the block opening at `line` or in the comment run directly above it."""
    found: list[InlineSuppression] = []
    errors: list[InputError] = []
    for number in attached_lines(parsed, line):
        result = parse_comment(parsed.comments[number], parsed.path, number)
        (found if isinstance(result, InlineSuppression) else errors).append(result)
    return found, errors


def orphans(parsed: ParsedFile, used: set[int]) -> list[InputError]:
    """cicd-guard comments attached to no block: they suppress nothing, so say so."""
    return [InputError(parsed.path, n, "cicd-guard:ignore comment is not on or directly above a resource, "
                       "data or module block; it suppresses nothing")
            for n in sorted(parsed.comments) if n not in used]
