"""Where a block's values come from: written literally in it, or read through a reference.

Secret rules need to tell `password = "hunter2"` (a literal in this block) from `password =
var.db_password` (the secret, if any, sits at the variable, which is reported there) and from a
value read off another resource. This walks a block's expression tree once, without evaluating:
per attribute path (`environment[0].variables.DB_PASSWORD`, as rulebook.adapters.leaves spells it),
the references the expression makes, or none (literal: only literals, functions of literals,
heredocs and files).
"""

from __future__ import annotations

from typing import Any, Iterator

from .named_values import META_ATTRS, META_BLOCKS

_ROOTS = ("var", "local", "module")
_NOT_REFERENCES = ("path", "terraform")


def chain(node: Any) -> list[str] | None:
    """The names of a traversal (`aws_iam_access_key.ci[0].secret` -> [aws_iam_access_key, ci, secret])."""
    tail: list[str] = []
    while isinstance(node, tuple) and node:
        tag = node[0]
        if tag == "var":
            return [node[1]] + tail[::-1]
        if tag == "attr":
            tail.append(node[2])
        elif tag == "splat":
            tail.extend(op[1] for op in reversed(node[2]) if op[0] == "ga")
        elif tag not in ("idx", "paren"):
            return None
        node = node[1]
    return None


def reference_name(names: list[str]) -> str:
    """var.x / local.x / module.x / data.T.N / T.N, then the attributes read (kept for resources)."""
    if names[0] in _ROOTS:
        return ".".join(names[:2])
    return ".".join(names)


def references(node: Any, bound: frozenset[str] = frozenset()) -> set[str]:
    """Every reference an expression makes (for-expression iterators are not references).
    Iterative: expressions from pull requests may nest thousands deep."""
    out: set[str] = set()
    stack: list[tuple[Any, frozenset[str]]] = [(node, bound)]
    while stack:
        item, names = stack.pop()
        if isinstance(item, list):
            stack.extend((x, names) for x in item)
            continue
        if not isinstance(item, tuple) or not item:
            continue
        tag = item[0]
        if not isinstance(tag, str):
            stack.extend((x, names) for x in item)
        elif tag in ("lit", "bad"):
            continue
        elif tag in ("var", "attr", "idx", "splat") and (path := chain(item)) is not None:
            if path[0] not in names and path[0] not in _NOT_REFERENCES:
                out.add(reference_name(path))
            stack.extend((x, names) for x in _indexes(item))
        elif tag in ("fort", "foro", "for"):
            inner = names | {n for n in item[1:3] if isinstance(n, str)}
            stack.append((item[3], names))
            stack.extend((x, inner) for x in item[4:])
        else:
            stack.extend((x, names) for x in item[1:])
    return out


def _indexes(node: Any) -> list[Any]:
    """Index expressions inside a traversal (var.map[local.key]) are references too."""
    found = []
    while isinstance(node, tuple) and node and node[0] in ("attr", "idx", "splat", "paren"):
        if node[0] == "idx":
            found.append(node[2])
        elif node[0] == "splat":
            found.extend(op[1] for op in node[2] if op[0] == "ix")
        node = node[1]
    return found


class Provenance:
    """Per attribute path of one block: the references its value is read through ({} = literal)."""

    def __init__(self, body: list) -> None:
        self.paths: dict[str, set[str]] = {}
        self._body(body, "")

    def _body(self, body: list, prefix: str) -> None:
        counts: dict[str, int] = {}
        dynamic = {item[2][0] for item in body if item[0] == "b" and item[1] == "dynamic" and item[2]}
        for item in body:
            if item[0] == "a":
                if item[1] not in META_ATTRS:
                    self._expr(item[2], f"{prefix}{item[1]}")
                continue
            _, btype, labels, sub, _line, _end = item
            if (btype in META_BLOCKS and btype != "connection") or btype == "dynamic":  # connection: secret scan
                continue
            index = counts.get(btype, 0)
            counts[btype] = index + 1
            if btype not in dynamic:  # a dynamic block of the same type shifts indexes: not literal
                self._body(sub, f"{prefix}{btype}[{index}].")

    def _expr(self, node: Any, path: str) -> None:
        tag = node[0] if isinstance(node, tuple) and node else None
        if tag == "paren":
            self._expr(node[1], path)
        elif tag == "object" and all(k[0] == "lit" and isinstance(k[1], str) for k, _ in node[1]):
            for key, value in node[1]:
                self._expr(value, f"{path}.{key[1]}")
        elif tag == "tuple":
            for i, item in enumerate(node[1]):
                self._expr(item, f"{path}[{i}]")
        else:
            self.paths[path] = references(node)

    def _entry(self, path: str) -> set[str] | None:
        hit = self.paths.get(path)
        while hit is None and path:
            cut = max(path.rfind("."), path.rfind("["))
            if cut <= 0:
                return None
            path = path[:cut]
            hit = self.paths.get(path)
        return hit

    def is_literal(self, path: str) -> bool:
        """Written literally in the block (a path the block does not set is not literal)."""
        return self._entry(path) == set()

    def references_at(self, path: str) -> set[str]:
        return self._entry(path) or set()

    def uses(self) -> Iterator[tuple[str, str]]:
        """(attribute path, reference) for every reference the block makes."""
        for path, refs in self.paths.items():
            for ref in refs:
                yield path, ref
