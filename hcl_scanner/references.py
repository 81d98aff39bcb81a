"""What a resource block refers to, reduced to the objects a plan's `configuration` names.

Used to check that the .tf sources beside a plan are the ones it was made from before a value the
plan leaves unknown is read from them: the same block must refer to the same variables, locals,
modules, resources and data sources in both.
"""

from __future__ import annotations

import re
from typing import Any, Iterable, Iterator

# meta-arguments and blocks the plan keeps outside a resource's `expressions` (dynamic blocks too)
_OUTSIDE_EXPRESSIONS = frozenset({"count", "for_each", "depends_on", "provider", "lifecycle", "provisioner",
                                  "connection", "dynamic"})
_SCOPED = frozenset({"var", "local", "module"})  # root and one name
_CONTEXT = frozenset({"each", "count", "path", "self", "terraform"})  # no object of the configuration
_STEP = re.compile(r"[^.\[]+")


def plan_roots(references: Iterable[str]) -> set[str]:
    """`aws_s3_bucket.b[0].arn` -> `aws_s3_bucket.b`, `data.t.n.json` -> `data.t.n`, `var.x` -> `var.x`."""
    out = set()
    for ref in references:
        root = _root(_STEP.findall(ref))
        if root:
            out.add(root)
    return out


def _root(steps: list[str]) -> str | None:
    if not steps or steps[0] in _CONTEXT:
        return None
    width = 2 if steps[0] in _SCOPED else 3 if steps[0] == "data" else 2
    return ".".join(steps[:width]) if len(steps) >= width else None


def configuration_roots(expressions: Any) -> set[str]:
    """Every reference of a resource's `expressions` in a plan's configuration (nested blocks too)."""
    return plan_roots(_references(expressions))


def _references(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "references" and isinstance(item, list):
                yield from (r for r in item if isinstance(r, str))
            else:
                yield from _references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _references(item)


def body_roots(body: list, declared: set[str]) -> set[str]:
    """The same for a block's parsed body. `declared` (local addresses of the module's resources and
    data sources) tells `aws_iam_role.ci` from a for-expression's `s.arn`."""
    out: set[str] = set()
    for item in body:
        if item[0] == "a" and item[1] not in _OUTSIDE_EXPRESSIONS:
            _expression_roots(item[2], declared, out)
        elif item[0] == "b" and item[1] not in _OUTSIDE_EXPRESSIONS:
            out |= body_roots(item[3], declared)
    return out


def _expression_roots(node: Any, declared: set[str], out: set[str]) -> None:
    if not isinstance(node, (tuple, list)) or not node:
        return
    if not isinstance(node[0], str):  # a sequence of nodes (arguments, items, object pairs)
        for item in node:
            _expression_roots(item, declared, out)
        return
    if node[0] in ("attr", "idx", "splat", "var"):
        steps = _traversal(node)
        if steps is not None:
            root = _root(steps)
            if root and (steps[0] in _SCOPED or steps[0] == "data" or root in declared):
                out.add(root)
    for child in node[1:]:
        if isinstance(child, (tuple, list)):
            _expression_roots(child, declared, out)


def _traversal(node: Any) -> list[str] | None:
    """Names along `a.b.c` (stopping at the first index or splat); None when not rooted in a name."""
    names: list[str] = []
    while isinstance(node, tuple):
        if node[0] == "var":
            return [node[1]] + names[::-1]
        if node[0] == "attr":
            names.append(node[2])
        elif node[0] in ("idx", "splat"):
            names.clear()
        else:
            return None
        node = node[1]
    return None
