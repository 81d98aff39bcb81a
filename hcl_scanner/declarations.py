"""Variables, outputs, locals and provider blocks of every module instance, as terraform.* resources of the model.

Secrets hide in variable defaults, tfvars and locals as often as in resources, and outputs leak
them; rules see them here (kinds terraform.variable / terraform.output / terraform.local) with
their value in this scan, whether it is written in the configuration, whether it is marked
sensitive, and where the module reads it (so a key in a default is reported at the variable and
named at its uses). Reads the evaluator's caches after `Evaluator.resources`; evaluates nothing new
but variables, locals and outputs nobody referenced.
"""

from __future__ import annotations

import os
import re
from typing import Any, Iterator, Mapping

from rulebook.adapters import leaves
from rulebook.model import Resource, SourceLocation
from rulebook.unknown import Unknown

from .evaluator import EvalError, Evaluator, Scope
from .modules import ModuleDef
from .provenance import Provenance, references
from .sensitive import unmark

ENGINE = "terraform"


def declarations(ev: Evaluator, root: Scope, assigned: Mapping[str, Any] = ()) -> list[Resource]:
    """terraform.variable / .output / .local / .provider resources of `root` and every module instance below it.
    `assigned`: root variables a variables file sets (their literal leaves belong to `variable_values`)."""
    out: list[Resource] = []
    uses_cache: dict[int, dict[str, list[str]]] = {}
    for scope in _scopes(ev, root):
        uses = uses_cache.setdefault(id(scope.mod), _uses(scope.mod))
        out.extend(_variables(ev, scope, uses, assigned if scope is root else ()))
        out.extend(_locals(ev, scope, uses))
        out.extend(_outputs(ev, scope))
        out.extend(_providers(ev, scope))
    return out


def _scopes(ev: Evaluator, scope: Scope) -> Iterator[Scope]:
    yield scope
    for name in scope.mod.modules:
        if name in scope.modules:
            for child in scope.modules[name][1]:
                yield from _scopes(ev, child)


def _uses(mod: ModuleDef) -> dict[str, list[str]]:
    """var.X / local.X -> where the module reads it (`aws_db_instance.main.password`, `local.db`, ...)."""
    uses: dict[str, list[str]] = {}

    def add(ref: str, where: str) -> None:
        if ref.startswith(("var.", "local.")) and where not in uses.setdefault(ref, []):
            uses[ref].append(where)

    for key, decl in mod.resources.items():
        for path, ref in Provenance(decl.body).uses():
            add(ref, f"{key}.{path}")
    for name, decl in mod.modules.items():
        for path, ref in Provenance(decl.body).uses():
            add(ref, f"module.{name}.{path}")
    for name, (expr, _file, _line) in mod.locals.items():
        for ref in references(expr):
            add(ref, f"local.{name}")
    for name, decl in mod.outputs.items():
        expr = decl.attr("value")
        for ref in references(expr) if expr is not None else ():
            add(ref, f"output.{name}")
    return uses


def _safe(compute) -> Any:
    """The value without the evaluator's sensitive marks (sensitive.py): the model holds plain values."""
    try:
        return unmark(compute())[0]
    except (EvalError, RecursionError) as exc:
        return Unknown(f"cannot evaluate: {exc}")


def _flag(ev: Evaluator, scope: Scope, node: Any) -> bool | Unknown | None:
    if node is None:
        return None
    value = ev.eval_attr(node, scope, {})
    return value if isinstance(value, (bool, Unknown)) else None


def _call_argument(scope: Scope, name: str) -> Any:
    """The module call argument that sets variable `name` of this module instance."""
    if scope.parent is None:
        return None
    call = re.sub(r"\[[^\]]*\]$", "", scope.prefix.rstrip(".").rsplit("module.", 1)[-1])
    decl = scope.parent.mod.modules.get(call)
    return decl.attr(name) if decl is not None else None


def variable_values(values: Mapping[str, Any], assigned: Mapping[str, tuple[str, int | None]],
                    root: ModuleDef) -> Iterator[Resource]:
    """terraform.variable_value resources: what the variables files write, located at the winning assignment
    (a credential in terraform.tfvars is reported there, declared or not)."""
    uses = _uses(root)
    for name, (file, line) in assigned.items():
        value = values.get(name)
        yield Resource(kind="terraform.variable_value", address=f"var.{name} ({file})", engine=ENGINE,
                       props={"name": name, "value": value, "source": "tfvars", "declared": name in root.variables,
                              "used_by": uses.get(f"var.{name}", [])},
                       location=SourceLocation(file, line, line), native_type="tfvars",
                       values=list(leaves(value, name)))


def _variables(ev: Evaluator, scope: Scope, uses: dict[str, list[str]],
               assigned: Mapping[str, Any] = ()) -> Iterator[Resource]:
    for name, decl in scope.mod.variables.items():
        value = _safe(lambda: ev.variable(scope, name))
        if name in scope.inputs and scope.parent is not None:
            argument = _call_argument(scope, name)
            source, literal = "module_call", argument is not None and not references(argument)
        elif name in scope.inputs:
            from_env = os.environ.get(f"TF_VAR_{name}")
            source = "environment" if from_env is not None and value == from_env else "tfvars"
            literal = source == "tfvars"
        else:
            source = "default" if decl.attr("default") is not None else "unset"
            literal = source == "default"
        props = {"name": name, "value": value, "sensitive": _flag(ev, scope, decl.attr("sensitive")),
                 "source": source, "literal": literal, "used_by": uses.get(f"var.{name}", []),
                 "attributes": _object_attributes(decl.attr("type"))}
        yield Resource(kind="terraform.variable", address=f"{scope.prefix}var.{name}", engine=ENGINE,
                       props={k: v for k, v in props.items() if v is not None},
                       location=SourceLocation(decl.file, decl.line, decl.end_line, called_from=scope.call_location),
                       native_type="variable",
                       values=list(leaves(value, name)) if literal and name not in assigned else [])


def _object_attributes(type_node: Any) -> list[str] | None:
    """The attribute names of an `object({...})` type (also inside list/map/set/optional), else None."""
    while isinstance(type_node, tuple) and type_node[0] == "call" and type_node[2]:
        if type_node[1] == "object" and type_node[2][0][0] == "object":
            return [k[1] for k, _ in type_node[2][0][1] if k[0] == "lit" and isinstance(k[1], str)]
        if type_node[1] not in ("list", "map", "set", "optional"):
            return None
        type_node = type_node[2][0]
    return None


def _locals(ev: Evaluator, scope: Scope, uses: dict[str, list[str]]) -> Iterator[Resource]:
    for name, (expr, file, line) in scope.mod.locals.items():
        value = _safe(lambda: ev.local(scope, name))
        written = Provenance([("a", name, expr, line)])
        props = {"name": name, "value": value, "literal": not references(expr),
                 "used_by": uses.get(f"local.{name}", [])}
        yield Resource(kind="terraform.local", address=f"{scope.prefix}local.{name}", engine=ENGINE, props=props,
                       location=SourceLocation(file, line, line, called_from=scope.call_location),
                       native_type="local",
                       values=[(p, v) for p, v in leaves(value, name) if written.is_literal(p)])


def _outputs(ev: Evaluator, scope: Scope) -> Iterator[Resource]:
    for name, decl in scope.mod.outputs.items():
        expr = decl.attr("value")
        value = _safe(lambda: ev.output(scope, name))
        props = {"name": name, "value": value, "sensitive": _flag(ev, scope, decl.attr("sensitive")),
                 "exposes": sorted(_exposed(expr)) if expr is not None else []}
        yield Resource(kind="terraform.output", address=f"{scope.prefix}output.{name}", engine=ENGINE,
                       props={k: v for k, v in props.items() if v is not None},
                       location=SourceLocation(decl.file, decl.line, decl.end_line, called_from=scope.call_location),
                       native_type="output")


def _providers(ev: Evaluator, scope: Scope) -> Iterator[Resource]:
    for decl in scope.mod.providers:
        alias = decl.attr("alias")
        alias_name = alias[1] if alias is not None and alias[0] == "lit" and isinstance(alias[1], str) else None
        attrs = _safe(lambda: ev.eval_body(decl.body, scope, {}, decl.file))
        written = Provenance(decl.body)
        values = [(p, v) for p, v in leaves(attrs) if written.is_literal(p)] if isinstance(attrs, dict) else []
        props = {"name": decl.type, "alias": alias_name}
        if decl.type == "aws" and isinstance(attrs, dict):  # where it may deploy (rulebook/accounts.py)
            props["allowed_account_ids"] = attrs.get("allowed_account_ids")
        yield Resource(kind="terraform.provider",
                       address=f"{scope.prefix}provider.{decl.type}" + (f".{alias_name}" if alias_name else ""),
                       engine=ENGINE, props={k: v for k, v in props.items() if v is not None},
                       location=SourceLocation(decl.file, decl.line, decl.end_line, called_from=scope.call_location),
                       native_type="provider", values=values)


def _exposed(expr: Any) -> set[str]:
    """Resource attributes an output's value reads (`aws_iam_access_key.ci.secret`)."""
    out = set()
    for ref in references(expr):
        names = ref.split(".")
        if names[0] == "data" and len(names) >= 4 or names[0] not in ("var", "local", "module", "data") \
                and len(names) >= 3:
            out.add(ref)
    return out


__all__ = ["declarations"]
