"""HCL text -> a compact expression tree of plain tuples, built while parsing.

We reuse python-hcl2's grammar and post-lexer but hand Lark an inline transformer instead of
building lark Trees (with position metadata) and python-hcl2's element tree: that halves parse
time, and plain tuples/lists/str/int are what `marshal` can cache safely and quickly.

Node shapes (first item is the tag):
  ("lit", value)                 ("tmpl", parts)  parts: str | node | ("if", c, then, else) | ("for", k, v, coll, parts)
  ("var", name)                  ("attr", obj, name)         ("idx", obj, key)
  ("splat", obj, ops, full)      ops: ("ga", name) | ("ix", node)
  ("call", name, args, expand)   ("tuple", items)            ("object", [(key, value), ...])
  ("cond", c, a, b)              ("bin", op, l, r)           ("un", op, e)       ("paren", e)
  ("fort", k, v, coll, val, cond)                            ("foro", k, v, coll, key, val, group, cond)
  ("bad", reason)                an expression we could not read (evaluates to Unknown)
Body items: ("a", name, expr, line) and ("b", type, labels, body, line, end_line).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from lark import Lark, Token, Transformer
from lark.exceptions import UnexpectedInput

from hcl2.postlexer import PostLexer

from . import tables
from .syntax_errors import lexeme, lexical_problem, position, significant

_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_ESC_RE = re.compile(r'\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)', re.S)


def _unescape(text: str) -> str:
    if "\\" not in text:
        return text

    def sub(m: re.Match) -> str:
        s = m.group(1)
        if s[0] in "uU" and len(s) > 1:
            return chr(int(s[1:], 16))
        return _ESCAPES.get(s, "\\" + s)
    return _ESC_RE.sub(sub, text)


def _nodes(children: list) -> list:
    """Children that are expression nodes (drop punctuation tokens and newlines)."""
    return [c for c in children if c is not None and not isinstance(c, Token)]


def _name(item: Any) -> str:
    if isinstance(item, Token):
        return str(item)
    if isinstance(item, tuple) and item[0] == "lit":
        value = item[1]
        return {True: "true", False: "false", None: "null"}.get(value, str(value)) \
            if not isinstance(value, str) else value
    if isinstance(item, tuple) and item[0] == "var":
        return item[1]
    return str(item)


def _line(item: Any) -> int:
    if isinstance(item, Token):
        return item.line or 0
    return 0


class _Markers:
    """Flat template directive markers, assembled into ("if"/"for") parts by _assemble."""
    IF, ELSE, ENDIF, FOR, ENDFOR = "if", "else", "endif", "for", "endfor"


def _assemble(parts: list) -> list:
    """Turn a flat list of literal/expr/directive-marker parts into nested template parts."""
    out: list = []
    stack: list[tuple[list, Any]] = []
    cur = out
    for part in parts:
        if isinstance(part, tuple) and part and part[0] == "@dir":
            kind = part[1]
            if kind == _Markers.IF:
                node = ["if", part[2], [], []]
                cur.append(node)
                stack.append((cur, node))
                cur = node[2]
            elif kind == _Markers.ELSE and stack and stack[-1][1][0] == "if":
                cur = stack[-1][1][3]
            elif kind == _Markers.ENDIF and stack and stack[-1][1][0] == "if":
                cur = stack.pop()[0]
            elif kind == _Markers.FOR:
                node = ["for", part[2], part[3], part[4], []]
                cur.append(node)
                stack.append((cur, node))
                cur = node[4]
            elif kind == _Markers.ENDFOR and stack and stack[-1][1][0] == "for":
                cur = stack.pop()[0]
            else:
                return [("bad", f"unbalanced template directive %{{{kind}}}")]
        else:
            cur.append(part)
    if stack:
        return [("bad", "unterminated template directive")]

    def freeze(items: list) -> tuple:
        frozen = []
        for item in items:
            if isinstance(item, list):
                if item[0] == "if":
                    frozen.append(("if", item[1], freeze(item[2]), freeze(item[3])))
                else:
                    frozen.append(("for", item[1], item[2], item[3], freeze(item[4])))
            else:
                frozen.append(item)
        return tuple(frozen)
    return list(freeze(out))


def _template(parts: list) -> tuple:
    """A quoted string or heredoc: literal, a lone interpolation (keeps its type), or a template."""
    parts = _assemble(parts)
    merged: list = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    if not merged:
        return ("lit", "")
    if len(merged) == 1:
        only = merged[0]
        if isinstance(only, str):
            return ("lit", only)
        if only[0] not in ("if", "for"):
            return only  # "${x}" is x itself, unconverted (as Terraform does)
    return ("tmpl", tuple(merged))


class _ToTuples(Transformer):
    """Inline callbacks for python-hcl2's grammar; each returns a plain-tuple node."""

    # --- structure ----------------------------------------------------------------------
    def start(self, c):
        return c[0] if c else []

    def body(self, c):
        return [x for x in c if isinstance(x, tuple) and x and x[0] in ("a", "b")]

    def new_line_or_comment(self, c):
        return None

    def attribute(self, c):
        return ("a", _name(c[0]), _nodes(c[1:])[0] if _nodes(c[1:]) else ("bad", "missing value"), _line(c[0]))

    def block(self, c):
        head = c[0]
        labels = []
        body: list = []
        end = 0
        for item in c[1:]:
            if isinstance(item, list):
                body = item
            elif isinstance(item, Token):
                if item.type == "RBRACE":
                    end = item.line or 0
                elif item.type in ("NAME", "IN", "FOR", "IF", "FOR_EACH", "ELSE", "ENDIF", "ENDFOR"):
                    labels.append(str(item))
            elif isinstance(item, tuple):
                labels.append(_name(item))
        return ("b", _name(head), tuple(labels), body, _line(head), end)

    def identifier(self, c):
        return c[0]

    def keyword(self, c):
        return c[0]

    # --- literals -----------------------------------------------------------------------
    def literal_value(self, c):
        return ("lit", {"true": True, "false": False, "null": None}[str(c[0])])

    def int_lit(self, c):
        return ("lit", int(str(c[0])))

    def float_lit(self, c):
        return ("lit", float(str(c[0])))

    def string(self, c):
        return _template([p for p in c if not isinstance(p, Token)])

    def string_part(self, c):
        part = c[0]
        if isinstance(part, Token):
            if part.type == "ESCAPED_INTERPOLATION":
                return str(part)[1:]
            if part.type == "ESCAPED_DIRECTIVE":
                return str(part)[1:]
            return _unescape(str(part))
        return part

    def template_string(self, c):
        return ("lit", _unescape(str(c[0])[2:-2]))

    def interpolation(self, c):
        nodes = _nodes(c)
        return nodes[0] if nodes else ("bad", "empty interpolation")

    def template_if_start(self, c):
        return ("@dir", _Markers.IF, _nodes(c)[0])

    def template_else(self, c):
        return ("@dir", _Markers.ELSE)

    def template_endif(self, c):
        return ("@dir", _Markers.ENDIF)

    def template_for_start(self, c):
        names = [str(t) for t in c if isinstance(t, Token) and t.type == "NAME"]
        coll = _nodes(c)[-1]
        key, value = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        return ("@dir", _Markers.FOR, key, value, coll)

    def template_endfor(self, c):
        return ("@dir", _Markers.ENDFOR)

    def heredoc_template(self, c):
        return _heredoc(str(c[0]), trim=False, line=c[0].line or 0)

    def heredoc_template_trim(self, c):
        return _heredoc(str(c[0]), trim=True, line=c[0].line or 0)

    # --- expressions --------------------------------------------------------------------
    def expr_term(self, c):
        if len(c) == 1:
            item = c[0]
            if isinstance(item, Token):
                return ("var", str(item))
            return item
        nodes = _nodes(c)
        if isinstance(c[0], Token) and c[0].type == "LPAR":
            return ("paren", nodes[0])
        return nodes[0] if nodes else ("bad", "empty expression")

    def conditional(self, c):
        cond, a, b = _nodes(c)
        return ("cond", cond, a, b)

    def binary_op(self, c):
        left, term = _nodes(c)[:2]
        return ("bin", term[0], left, term[1])

    def binary_term(self, c):
        op = c[0]
        return (op, _nodes(c[1:])[0])

    def binary_operator(self, c):
        return str(c[0]).strip()

    def unary_op(self, c):
        return ("un", str(c[0]).strip(), _nodes(c[1:])[0])

    def tuple(self, c):
        return ("tuple", tuple(_nodes(c)))

    def object(self, c):
        return ("object", tuple(x for x in _nodes(c)))

    def object_elem(self, c):
        key, value = _nodes(c)
        return (key, value)

    def object_elem_key(self, c):
        item = c[0]
        if isinstance(item, Token):
            return ("lit", str(item))
        if item[0] == "var":
            return ("lit", item[1])
        return item

    def function_call(self, c):
        names = [str(t) for t in c if isinstance(t, Token) and t.type == "NAME"]
        args: tuple = ()
        expand = False
        for item in c:
            if isinstance(item, tuple) and item and item[0] == "@args":
                args, expand = item[1], item[2]
        return ("call", "::".join(names) if len(names) > 1 else names[0], args, expand)

    def arguments(self, c):
        expand = any(isinstance(t, Token) and t.type == "ELLIPSIS" for t in c)
        return ("@args", tuple(_nodes(c)), expand)

    def index_expr_term(self, c):
        obj, index = c
        return ("idx", obj, index[1])

    def braces_index(self, c):
        return ("ix", _nodes(c)[0])

    def short_index(self, c):
        return ("ix", ("lit", int(str(c[1]))))

    def get_attr(self, c):
        return ("ga", _name(c[1]))

    def get_attr_expr_term(self, c):
        obj, ga = c
        return ("attr", obj, ga[1])

    def attr_splat(self, c):
        return ("@ops", tuple(_nodes(c)))

    full_splat = attr_splat

    def attr_splat_expr_term(self, c):
        return ("splat", c[0], c[1][1], False)

    def full_splat_expr_term(self, c):
        return ("splat", c[0], c[1][1], True)

    def for_intro(self, c):
        names = [str(t) for t in c if isinstance(t, Token) and t.type == "NAME"]
        coll = _nodes(c)[-1]
        key, value = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        return ("@intro", key, value, coll)

    def for_cond(self, c):
        return ("@cond", _nodes(c)[0])

    def for_tuple_expr(self, c):
        nodes = _nodes(c)
        intro = nodes[0]
        cond = nodes[2][1] if len(nodes) > 2 else None
        return ("fort", intro[1], intro[2], intro[3], nodes[1], cond)

    def for_object_expr(self, c):
        nodes = _nodes(c)
        intro = nodes[0]
        group = any(isinstance(t, Token) and t.type == "ELLIPSIS" for t in c)
        cond = nodes[3][1] if len(nodes) > 3 else None
        return ("foro", intro[1], intro[2], intro[3], nodes[1], nodes[2], group, cond)


class _CommentTap(PostLexer):
    """python-hcl2's post-lexer, noting every comment token on the way: only real comments (never
    text inside a string, heredoc or label) can carry a suppression."""

    def __init__(self) -> None:
        self.seen: list[Token] = []

    def process(self, stream):
        return super().process(self._tap(stream))

    def _tap(self, stream):
        for token in stream:
            if token.type == "NL_OR_COMMENT" and token.lstrip(" \t\r\n")[:1] in ("#", "/"):
                self.seen.append(token)
            yield token


_TAP = _CommentTap()


@functools.lru_cache(maxsize=1)
def _parser() -> Lark:
    """The LALR parser from the tables shipped in the package (hcl_scanner/tables.py)."""
    return tables.parser(transformer=_ToTuples(), postlex=_TAP)


@dataclass(frozen=True, slots=True)
class Comment:
    """A comment token: its first and last line, whether only blanks precede it on its line, its text."""

    line: int
    end_line: int
    alone: bool
    text: str


class HclSyntaxError(ValueError):
    def __init__(self, line: int | None, message: str) -> None:
        super().__init__(message)
        self.line = line


def parse_body(text: str) -> list:
    """Parse HCL text into body items; raises HclSyntaxError with the line of the problem."""
    return parse_source(text)[0]


def parse_source(text: str) -> tuple[list, list[Comment]]:
    """Body items and the file's comments; raises HclSyntaxError with the line of the problem.

    A failure inside our tree building (not a syntax error) falls back to parsing block by block,
    so one block we cannot read costs that block (reported in `BlockErrors`), not the whole file.
    """
    try:
        return _parse(text)
    except HclSyntaxError:
        raise
    except RecursionError:
        raise
    except Exception:  # noqa: BLE001 - any internal failure: retry per top-level block
        return _parse_by_block(text)


class BlockErrors(list):
    """Body items parsed block by block, with (line, message) for the blocks that failed."""

    def __init__(self, items: list, failures: list[tuple[int, str]]) -> None:
        super().__init__(items)
        self.failures = failures


_TOP_LEVEL = re.compile(r"^[A-Za-z_][\w-]*", re.M)


def _parse_by_block(text: str) -> tuple[BlockErrors, list[Comment]]:
    starts = [m.start() for m in _TOP_LEVEL.finditer(text)] or [0]
    if starts[0] != 0:
        starts.insert(0, 0)
    items: list = []
    comments: list[Comment] = []
    failures: list[tuple[int, str]] = []
    for begin, end in zip(starts, starts[1:] + [len(text)]):
        chunk = text[begin:end]
        if not chunk.strip():
            continue
        line = text.count("\n", 0, begin) + 1
        try:
            body, found = _parse("\n" * (line - 1) + chunk)
            items.extend(body)
            comments.extend(found)
        except HclSyntaxError as exc:
            failures.append((exc.line or line, str(exc)))
        except Exception as exc:  # noqa: BLE001
            failures.append((line, f"block could not be read ({type(exc).__name__}); skipped"))
    return BlockErrors(items, failures), comments


def _parse(text: str) -> tuple[list, list[Comment]]:
    parser = _parser()
    _TAP.seen = []
    try:
        body = parser.parse(text + "\n")
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    return body, [_comment(text, token) for token in _TAP.seen]


def _comment(text: str, token: Token) -> Comment:
    """The comment part of a comment token (which may start with the newline before it)."""
    lead = len(token) - len(token.lstrip(" \t\r\n"))
    start = token.start_pos + lead
    body = str(token)[lead:].rstrip("\r\n")
    line, _ = position(text, start)
    line_start = text.rfind("\n", 0, start) + 1
    return Comment(line, line + body.count("\n"), not text[line_start:start].strip(), body)


def _syntax_error(text: str, exc: UnexpectedInput) -> HclSyntaxError:
    """The error at the character that is wrong (see syntax_errors)."""
    token = getattr(exc, "token", None)
    if token is not None and getattr(token, "type", "") == "$END":
        offset = len(text)
    elif token is not None and isinstance(getattr(token, "start_pos", None), int):
        offset = significant(text, token.start_pos)
    else:
        offset = getattr(exc, "pos_in_stream", None)
        offset = significant(text, offset) if isinstance(offset, int) else len(text)
    problem = lexical_problem(text)
    if problem is not None and problem[0] <= offset:
        line, column = position(text, problem[0])
        return HclSyntaxError(line, f"HCL syntax error: {problem[1]} at column {column}")
    if offset >= len(text.rstrip()):
        return HclSyntaxError(max(text.rstrip().count("\n") + 1, 1), "HCL syntax error: unexpected end of file")
    line, column = position(text, offset)
    return HclSyntaxError(line, f"HCL syntax error: unexpected {lexeme(text, offset)!r} at column {column}")


def parse_expression(text: str) -> tuple:
    """One expression (a heredoc interpolation or a TF_VAR_ value)."""
    body = parse_body(f"__x = {text}")
    if len(body) != 1 or body[0][0] != "a":
        raise HclSyntaxError(None, "not a single expression")
    return body[0][2]


from .heredocs import _heredoc, _template_parts  # noqa: E402 - heredocs uses the template helpers above
