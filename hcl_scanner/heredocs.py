"""Heredoc bodies -> template nodes: literal text, `${...}` interpolations and `%{...}` directives.

python-hcl2's grammar hands a heredoc over as one token; its body is split here and each
interpolation parsed as an expression with the same parser (syntax.parse_expression).
"""

from __future__ import annotations

import re

_HEREDOC_HEAD = re.compile(r"<<-?([A-Za-z][A-Za-z0-9._-]*)\r?\n")


def _heredoc(token: str, trim: bool, line: int) -> tuple:
    from .syntax import HclSyntaxError, _template

    head = _HEREDOC_HEAD.match(token)
    body = (token[head.end():] if head else token).replace("\r\n", "\n")
    marker = head.group(1) if head else ""
    body = body.rstrip("\r\n")
    if body.endswith(marker):
        body = body[: len(body) - len(marker)]
    body = body.rstrip(" \t")  # indentation of the closing marker (<<- form)
    lines = body.split("\n")
    if trim:
        indents = [len(s) - len(s.lstrip(" \t")) for s in lines if s.strip()]
        cut = min(indents) if indents else 0
        lines = [s[cut:] for s in lines]
    text = "\n".join(lines)
    try:
        return _template(_template_parts(text))
    except HclSyntaxError as exc:
        return ("bad", f"heredoc at line {line}: {exc}")


def _template_parts(text: str) -> list:
    """Split a heredoc body into literal text, interpolations and directive markers."""
    from .syntax import parse_expression

    parts: list = []
    i = 0
    n = len(text)
    buf: list[str] = []
    while i < n:
        j_int = text.find("${", i)
        j_dir = text.find("%{", i)
        cands = [j for j in (j_int, j_dir) if j >= 0]
        if not cands:
            buf.append(text[i:])
            break
        j = min(cands)
        if j > 0 and text[j - 1] == text[j] and (j - 1 >= i):  # $${ / %%{ escapes
            buf.append(text[i:j - 1] + text[j:j + 2])
            i = j + 2
            continue
        buf.append(text[i:j])
        end = _matching_brace(text, j + 2)
        inner = text[j + 2:end]
        if buf:
            parts.append("".join(buf))
            buf = []
        if text[j] == "$":
            parts.append(parse_expression(inner.strip().strip("~").strip()))
        else:
            parts.append(_directive(inner.strip().strip("~").strip()))
        i = end + 1
    if buf:
        parts.append("".join(buf))
    return [p for p in parts if p != ""]


def _directive(inner: str) -> tuple:
    from .syntax import HclSyntaxError, _Markers, parse_expression

    word, _, rest = inner.partition(" ")
    if word == "if":
        return ("@dir", _Markers.IF, parse_expression(rest))
    if word in ("else", "endif", "endfor"):
        return ("@dir", word)
    if word == "for":
        names, _, coll = rest.partition(" in ")
        idents = [s.strip() for s in names.split(",")]
        key, value = (idents[0], idents[1]) if len(idents) == 2 else (None, idents[0])
        return ("@dir", _Markers.FOR, key, value, parse_expression(coll))
    raise HclSyntaxError(None, f"unknown template directive %{{{word}}}")


def _matching_brace(text: str, start: int) -> int:
    from .syntax import HclSyntaxError

    depth = 1
    i = start
    quote = False
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 1
            elif ch == '"':
                quote = False
        elif ch == '"':
            quote = True
        elif ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise HclSyntaxError(None, "unterminated interpolation in heredoc")
