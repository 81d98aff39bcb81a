"""What a parse tree may look like: the check a cached tree must pass before the evaluator sees it.

A cache entry is data someone else may have written (CI caches cross trust boundaries), so a
tree read back is checked node by node against the shapes syntax.py builds (its module docstring
lists them). The walk is iterative: a hostile entry cannot exhaust the stack either.
"""

from __future__ import annotations

from typing import Any

_SCALARS = (str, int, float, bool, type(None))


def _is_seq(value: Any) -> bool:
    return isinstance(value, (list, tuple))


def _name_or_none(value: Any) -> bool:
    return value is None or isinstance(value, str)


def valid_body(body: Any) -> bool:
    """True when `body` is a list of body items whose expressions are all well-formed nodes."""
    if not isinstance(body, list):
        return False
    stack: list[tuple[str, Any]] = [("body", body)]
    while stack:
        kind, value = stack.pop()
        children = _body(value) if kind == "body" else _item(value) if kind == "item" else \
            _part(value) if kind == "part" else _expr(value)
        if children is None:
            return False
        stack.extend(children)
    return True


Children = list[tuple[str, Any]] | None


def _body(value: Any) -> Children:
    return [("item", item) for item in value] if isinstance(value, list) else None


def _item(item: Any) -> Children:
    if not isinstance(item, tuple) or not item:
        return None
    if item[0] == "a" and len(item) == 4 and isinstance(item[1], str) and isinstance(item[3], int):
        return [("expr", item[2])]
    if item[0] == "b" and len(item) == 6 and isinstance(item[1], str) and isinstance(item[2], tuple) \
            and all(isinstance(label, str) for label in item[2]) and isinstance(item[4], int) \
            and isinstance(item[5], int):
        return [("body", item[3])]
    return None


def _part(part: Any) -> Children:
    """A template part: literal text, an expression, or an if/for directive holding parts."""
    if isinstance(part, str):
        return []
    if isinstance(part, tuple) and part and part[0] == "if" and len(part) == 4 \
            and _is_seq(part[2]) and _is_seq(part[3]):
        return [("expr", part[1])] + [("part", p) for p in (*part[2], *part[3])]
    if isinstance(part, tuple) and part and part[0] == "for" and len(part) == 5 and _name_or_none(part[1]) \
            and isinstance(part[2], str) and _is_seq(part[4]):
        return [("expr", part[3])] + [("part", p) for p in part[4]]
    return _expr(part)


def _expr(node: Any) -> Children:
    if not isinstance(node, tuple) or not node or not isinstance(node[0], str):
        return None
    check = _NODES.get((node[0], len(node)))
    return check(node) if check is not None else None


def _exprs(*nodes: Any) -> Children:
    return [("expr", n) for n in nodes]


def _splat_ops(ops: Any) -> Children:
    out: list[tuple[str, Any]] = []
    if not _is_seq(ops):
        return None
    for op in ops:
        if isinstance(op, tuple) and len(op) == 2 and op[0] == "ga" and isinstance(op[1], str):
            continue
        if isinstance(op, tuple) and len(op) == 2 and op[0] == "ix":
            out.append(("expr", op[1]))
            continue
        return None
    return out


def _object(items: Any) -> Children:
    if not _is_seq(items) or not all(isinstance(i, tuple) and len(i) == 2 for i in items):
        return None
    return [("expr", part) for item in items for part in item]


def _when(ok: bool, children: Children) -> Children:
    return children if ok else None


_NODES = {
    ("lit", 2): lambda n: _when(isinstance(n[1], _SCALARS), []),
    ("bad", 2): lambda n: _when(isinstance(n[1], str), []),
    ("var", 2): lambda n: _when(isinstance(n[1], str), []),
    ("tmpl", 2): lambda n: _when(_is_seq(n[1]), [("part", p) for p in n[1]] if _is_seq(n[1]) else []),
    ("attr", 3): lambda n: _when(isinstance(n[2], str), _exprs(n[1])),
    ("idx", 3): lambda n: _exprs(n[1], n[2]),
    ("splat", 4): lambda n: _when(isinstance(n[3], bool), (_splat_ops(n[2]) or []) + _exprs(n[1])
                                  if _splat_ops(n[2]) is not None else None),
    ("call", 4): lambda n: _when(isinstance(n[1], str) and _is_seq(n[2]) and isinstance(n[3], bool),
                                 _exprs(*n[2]) if _is_seq(n[2]) else []),
    ("tuple", 2): lambda n: _when(_is_seq(n[1]), _exprs(*n[1]) if _is_seq(n[1]) else []),
    ("object", 2): lambda n: _object(n[1]),
    ("cond", 4): lambda n: _exprs(n[1], n[2], n[3]),
    ("bin", 4): lambda n: _when(isinstance(n[1], str), _exprs(n[2], n[3])),
    ("un", 3): lambda n: _when(isinstance(n[1], str), _exprs(n[2])),
    ("paren", 2): lambda n: _exprs(n[1]),
    ("fort", 6): lambda n: _when(_name_or_none(n[1]) and isinstance(n[2], str),
                                 _exprs(n[3], n[4]) + ([] if n[5] is None else _exprs(n[5]))),
    ("foro", 8): lambda n: _when(_name_or_none(n[1]) and isinstance(n[2], str) and isinstance(n[6], bool),
                                 _exprs(n[3], n[4], n[5]) + ([] if n[7] is None else _exprs(n[7]))),
}
