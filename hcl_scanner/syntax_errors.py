"""Where an HCL syntax error really is: the character that is wrong, not where the parser noticed.

The LALR parser reports the token it could not use, and that token often starts with the
newlines and comments before the culprit (an unexpected `}` is reported at the end of the line
above it), or lies far below the cause (a string missing its closing quote runs on until the next
quote in the file). So a syntax error is located in two steps: a small lexical pass finds the first
unterminated string, heredoc, comment or interpolation; otherwise the parser's token is advanced
past whitespace and comments to its first significant character.
"""

from __future__ import annotations

import re

_HEREDOC = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\r?\n")
_LEXEME = re.compile(r'[A-Za-z_][\w-]*|\d+(?:\.\d+)?|<<-?[A-Za-z][\w.-]*|"|\S')
_IN_CODE = re.compile(r'["#/<{}]')
_IN_STRING = re.compile(r'[\\"\n$%]')
_SKIP = re.compile(r"(?:\s+|#[^\n]*|//[^\n]*|/\*.*?\*/)*", re.S)


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of a character offset."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def significant(text: str, offset: int) -> int:
    """The first offset at or after `offset` that is not whitespace or a comment."""
    return _SKIP.match(text, offset).end()


def lexeme(text: str, offset: int) -> str:
    """The word, number or character starting at `offset`, for the error message."""
    match = _LEXEME.match(text, offset)
    return match.group() if match else text[offset:offset + 1]


def lexical_problem(text: str) -> tuple[int, str] | None:
    """(offset, message) of the first unterminated string, heredoc, comment or interpolation."""
    i, n = 0, len(text)
    # Each frame is a context: "code" (brace depth counted) or "str" (inside a quoted string).
    stack: list[list] = [["code", 0, None]]
    while i < n:
        frame = stack[-1]
        found = (_IN_STRING if frame[0] == "str" else _IN_CODE).search(text, i)
        if found is None:
            break
        i = found.start()
        ch = text[i]
        if frame[0] == "str":
            if ch == "\\":
                i += 2
                continue
            if ch == '"':
                stack.pop()
            elif ch == "\n":
                return frame[2], "unterminated string (no closing quote on its line)"
            elif text.startswith(("$${", "%%{"), i):
                i += 3
                continue
            elif text.startswith(("${", "%{"), i):
                stack.append(["code", 0, i])
                i += 2
                continue
            i += 1
            continue
        if ch == '"':
            stack.append(["str", 0, i])
        elif ch == "#" or text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end < 0:
                return i, "unterminated comment (no closing */)"
            i = end + 2
            continue
        elif text.startswith("<<", i):
            head = _HEREDOC.match(text, i)
            if head:
                end = _heredoc_end(text, head.end(), head.group(1))
                if end is None:
                    return i, f"unterminated heredoc (no closing {head.group(1)} line)"
                i = end
                continue
        elif ch == "{":
            frame[1] += 1
        elif ch == "}":
            if frame[1] == 0 and len(stack) > 1:
                stack.pop()
            else:
                frame[1] = max(frame[1] - 1, 0)
        i += 1
    if len(stack) > 1:
        frame = stack[-1]
        what = "unterminated string (no closing quote)" if frame[0] == "str" else \
            "unterminated interpolation (no closing })"
        return frame[2], what
    return None


def _heredoc_end(text: str, start: int, marker: str) -> int | None:
    """Offset after the line that closes a heredoc (the marker alone, indentation allowed)."""
    closing = re.compile(r"^[ \t]*" + re.escape(marker) + r"[ \t]*\r?$", re.M)
    match = closing.search(text, start)
    return match.end() if match else None
