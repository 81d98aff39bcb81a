"""Named values of a module instance: variables, locals, outputs, and resource instances.

A mixin of the Evaluator (evaluator.py); module_tree.py holds module calls and the walk over a tree. Every named value is computed once per module instance
through `named` (eval_order.py), which bounds how deeply one computation nests in another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from rulebook import policy_document
from rulebook.model import InlineSuppression, Linked, Ref, SourceLocation
from rulebook.unknown import Unknown

from . import expansion
from . import functions as fn
from .budgets import BudgetError
from .modules import Decl, ModuleDef
from .sensitive import Sensitive, unmark

META_ATTRS = {"count", "for_each", "depends_on", "provider", "providers", "source", "version"}
META_BLOCKS = {"lifecycle", "provisioner", "connection", "precondition", "postcondition"}
POLICY_DOCUMENT = "aws_iam_policy_document"


class EvalError(Exception):
    """An expression Terraform would reject; `try`/`can` catch it, attributes turn it into Unknown."""


@dataclass(slots=True)
class EvaluatedResource:
    """One resource instance with its evaluated arguments, before translation into the model."""

    address: str
    type: str
    mode: str  # managed | data
    attrs: dict
    location: SourceLocation
    suppressions: list[InlineSuppression] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    sensitive_paths: frozenset[str] = frozenset()  # attribute paths whose value Terraform marks sensitive
    body: list = field(default_factory=list)  # the block's expressions (where each value comes from)


class TypeRoot:
    """`aws_iam_role` (or `data.aws_iam_role`) waiting for its name."""

    __slots__ = ("mode", "type")

    def __init__(self, mode: str, rtype: str) -> None:
        self.mode, self.type = mode, rtype


@dataclass(slots=True)
class Input:
    """A module call's argument: evaluated in the caller's scope when the variable is first read."""

    node: tuple
    scope: "Scope"
    env: dict
    where: tuple[str, int | None]


class ResourceInstance:
    """A resource instance as a value: configured arguments, or a Ref for computed attributes."""

    __slots__ = ("address", "decl", "scope", "env", "_attrs", "_busy", "notes")

    def __init__(self, address: str, decl: Decl, scope: "Scope", env: dict, notes: list[str] | None = None):
        self.address, self.decl, self.scope, self.env = address, decl, scope, env
        self._attrs: dict | None = None
        self._busy = False
        self.notes = notes or []

    def attrs(self, ev: Any) -> dict:
        if self._attrs is None:
            return ev.named(("attrs", id(self)), lambda: self._evaluate(ev),
                            lambda: ev._long_cycle(self.address, self.decl))
        return self._attrs

    def _evaluate(self, ev: Any) -> dict:
        if self._attrs is None:
            if self._busy:
                raise EvalError(f"reference cycle through {self.address}")
            self._busy = True
            try:
                attrs = ev.eval_body(self.decl.body, self.scope, self.env, self.decl.parsed.path)
                if self.decl.mode == "data" and self.decl.type == POLICY_DOCUMENT:
                    plain, marked = unmark(attrs)
                    rendered = policy_document.render(plain)
                    attrs["json"] = attrs["minified_json"] = ev.mark(rendered) if marked else rendered
                self._attrs = attrs
            finally:
                self._busy = False
        return self._attrs

    def get(self, name: str, ev: Any) -> Any:
        value = self.attrs(ev).get(name)
        if value is None or isinstance(value, Unknown):  # unset, null or undecided: the provider computes it
            return Ref(self.address, name)
        if isinstance(value, str):  # a known name or arn keeps which resource it designates
            return Linked(value, (self.address,))
        return value


class ModuleInstanceValue:
    """`module.x` as a value: its outputs."""

    __slots__ = ("scope",)

    def __init__(self, scope: "Scope") -> None:
        self.scope = scope


class RemoteModuleValue:
    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


_SCALARS = frozenset({str, Linked, int, float, bool, type(None), Ref, Unknown})


class Scope:
    """One instance of a module: its inputs, caches and place in the module tree.

    `inputs` maps a variable name to an Input (a module call's argument) or to a function
    returning the value (root variables from tfvars, TF_VAR_ and plans)."""

    def __init__(self, mod: ModuleDef, prefix: str, inputs: dict[str, Any],
                 call_location: SourceLocation | None, inherited: list[InlineSuppression],
                 root_dir: Path, ancestry: tuple[str, ...]) -> None:
        self.mod, self.prefix, self.inputs = mod, prefix, inputs
        self.call_location, self.inherited = call_location, inherited
        self.root_dir, self.ancestry = root_dir, ancestry
        self.var_cache: dict[str, Any] = {}
        self.local_cache: dict[str, Any] = {}
        self.out_cache: dict[str, Any] = {}
        self.local_stack: list[str] = []
        self.resources: dict[str, tuple[Any, list]] = {}  # decl key -> (value for references, instances)
        self.modules: dict[str, Any] = {}  # call name -> (value, [child scopes])
        self.notes: list[str] = []  # e.g. "count is unknown" on the module call that made this instance
        self.parent: Scope | None = None
        self.default_tags: dict[str | None, Any] | None = None  # root scope only: aws provider default_tags


def _literal_bool(node: tuple | None) -> bool | None:
    if node is not None and node[0] == "lit" and isinstance(node[1], bool):
        return node[1]
    return None


class Declarations:
    """Mixin of the Evaluator: the named values of module instances."""

    # --- variables, locals, outputs ----------------------------------------------------
    def variable(self, scope: "Scope", name: str) -> Any:
        if name in scope.var_cache:
            return scope.var_cache[name]
        if name not in scope.mod.variables:
            raise EvalError(f"undeclared variable var.{name}")
        return self.named(("var", id(scope), name), lambda: self._compute_variable(scope, name),
                          lambda: self._long_cycle(f"var.{name}", scope.mod.variables[name]))

    def _long_cycle(self, name: str, where: Any) -> Unknown:
        file, line = (where.file, where.line) if hasattr(where, "file") else (where[1], where[2])
        message = f"{name} depends on itself through a long chain of references"
        self.error(file, line, message)
        return Unknown(message)

    def _compute_variable(self, scope: "Scope", name: str) -> Any:
        if name in scope.var_cache:
            return scope.var_cache[name]
        decl = scope.mod.variables[name]
        meta = {item[1]: item[2] for item in decl.body if item[0] == "a"}
        default = meta.get("default")
        where = (decl.file, decl.line)
        given = scope.inputs.get(name)
        if isinstance(given, Input):
            value = self.eval_attr(given.node, given.scope, given.env, given.where)
        elif given is not None:
            value = given()
        elif default is not None:
            value = self.eval_attr(default, scope, {}, where)
        elif scope.call_location is None:
            value = Unknown(f"variable {name} has no value (no default, not set in tfvars, "
                            f"--var-file or TF_VAR_{name})")
        else:
            value = Unknown(f"module input {name} is not set by the module call and has no default")
        if value is None and given is not None and _literal_bool(meta.get("nullable")) is False:
            # Terraform: a null argument for a non-nullable variable takes its default
            value = (self.eval_attr(default, scope, {}, where) if default is not None
                     else Unknown(f"variable {name} is null but declared nullable = false"))
        type_node = meta.get("type")
        if type_node is not None:
            plain, marked = self._unmark(value)
            try:
                converted = self.convert(plain, type_node, scope)
                value = self.mark(converted) if marked else converted
            except (EvalError, fn.FunctionError, RecursionError, BudgetError, ValueError):
                pass  # Terraform would reject the value; keep it as given rather than guess
        if _literal_bool(meta.get("sensitive")):
            value = self.mark(value)
        scope.var_cache[name] = value
        return value

    def convert(self, value: Any, type_node: tuple, scope: "Scope") -> Any:
        """Terraform's conversion of a value to a variable's declared type: primitives converted,
        missing optional object attributes filled with their default (or null)."""
        if value is None or isinstance(value, (Unknown, Ref)):
            return value
        if type_node[0] == "var":
            kind = type_node[1]
            if kind == "string" and isinstance(value, (bool, int, float)):
                return fn.to_str(value)
            if kind == "number" and isinstance(value, str):
                return fn.number(value)
            if kind == "bool" and value in ("true", "false"):
                return value == "true"
            return value
        if type_node[0] != "call" or not type_node[2]:
            return value
        name, args = type_node[1], type_node[2]
        if name in ("list", "set") and isinstance(value, list):
            items = [self.convert(v, args[0], scope) for v in value]
            return fn.FUNCTIONS["distinct"](items) if name == "set" else items
        if name == "map" and isinstance(value, dict):
            return {k: self.convert(v, args[0], scope) for k, v in value.items()}
        if name == "tuple" and isinstance(value, list) and args[0][0] == "tuple":
            return [self.convert(v, t, scope) if i < len(args[0][1]) else v
                    for i, (v, t) in enumerate(zip(value, args[0][1]))]
        if name == "object" and isinstance(value, dict) and args[0][0] == "object":
            out = dict(value)
            for key_node, attr_type in args[0][1]:
                key = key_node[1] if key_node[0] == "lit" else None
                if not isinstance(key, str):
                    continue
                optional = attr_type[0] == "call" and attr_type[1] == "optional" and attr_type[2]
                inner = attr_type[2][0] if optional else attr_type
                if out.get(key) is None and optional:
                    default = attr_type[2][1] if len(attr_type[2]) > 1 else None
                    out[key] = self.ev(default, scope, {}) if default is not None else None
                if key in out:
                    out[key] = self.convert(out[key], inner, scope)
            return out
        return value

    def local(self, scope: "Scope", name: str) -> Any:
        if name in scope.local_cache:
            return scope.local_cache[name]
        if name not in scope.mod.locals:
            raise EvalError(f"undeclared local value local.{name}")
        return self.named(("local", id(scope), name), lambda: self._compute_local(scope, name),
                          lambda: self._long_cycle(f"local.{name}", scope.mod.locals[name]))

    def _compute_local(self, scope: "Scope", name: str) -> Any:
        if name in scope.local_cache:
            return scope.local_cache[name]
        entry = scope.mod.locals[name]
        if name in scope.local_stack:
            cycle = scope.local_stack[scope.local_stack.index(name):] + [name]
            message = "cycle in local values: " + " -> ".join(f"local.{n}" for n in cycle)
            self.error(entry[1], entry[2], message)
            return Unknown(message)
        scope.local_stack.append(name)
        try:
            value = self.eval_attr(entry[0], scope, {}, (entry[1], entry[2]))
        finally:
            scope.local_stack.pop()
        scope.local_cache[name] = value
        return value

    def output(self, scope: "Scope", name: str) -> Any:
        if name in scope.out_cache:
            return scope.out_cache[name]
        if name not in scope.mod.outputs:
            raise EvalError(f"module has no output {name!r}")
        return self.named(("out", id(scope), name), lambda: self._compute_output(scope, name),
                          lambda: self._long_cycle(f"output {name}", scope.mod.outputs[name]))

    def _compute_output(self, scope: "Scope", name: str) -> Any:
        if name in scope.out_cache:
            return scope.out_cache[name]
        decl = scope.mod.outputs[name]
        expr = decl.attr("value")
        if expr is None:
            value: Any = Unknown(f"output {name} has no value")
        else:
            value = self.eval_attr(expr, scope, {}, (decl.file, decl.line))
            value = self.mark(value) if _literal_bool(decl.attr("sensitive")) else value
        scope.out_cache[name] = value
        return value

    # --- resources ---------------------------------------------------------------------
    def resource_value(self, scope: "Scope", mode: str, rtype: str, name: str) -> Any:
        return self.resource_instances(scope, mode, rtype, name)[0]

    def resource_instances(self, scope: "Scope", mode: str, rtype: str, name: str) -> tuple[Any, list]:
        key = f"data.{rtype}.{name}" if mode == "data" else f"{rtype}.{name}"
        if key not in scope.resources:
            decl = scope.mod.resources.get(key)
            if decl is None:
                raise EvalError(f"reference to undeclared {'data source' if mode == 'data' else 'resource'} {key}")
            return self.named(("res", id(scope), key), lambda: self._resource_expansion(scope, decl),
                              lambda: self._long_cycle(key, decl))
        return scope.resources[key]

    def _resource_expansion(self, scope: "Scope", decl: Decl) -> tuple[Any, list]:
        if decl.key not in scope.resources:
            scope.resources[decl.key] = self._expand(
                decl, scope, scope.prefix + decl.key,
                lambda addr, env, notes: ResourceInstance(addr, decl, scope, env, notes))
        return scope.resources[decl.key]

    def _expand(self, decl: Decl, scope: "Scope", base: str,
                make: Callable[[str, dict, list], Any]) -> tuple[Any, list]:
        """count / for_each -> (the value references see, the instances); see expansion.py."""
        return expansion.expand(self, decl, scope, base, make)

    def eval_body(self, body: list, scope: "Scope", env: dict, file: str) -> dict:
        """A block's arguments and nested blocks (lists of dicts), dynamic blocks merged in order."""
        attrs: dict = {}
        for item in body:
            if item[0] == "a":
                if item[1] not in META_ATTRS:
                    attrs[item[1]] = self.materialize(self.eval_attr(item[2], scope, env, (file, item[3])))
                continue
            _, btype, labels, sub, line, _end = item
            if btype in META_BLOCKS:
                continue
            if btype == "dynamic" and labels:
                attrs.setdefault(labels[0], []).extend(self._dynamic(labels[0], sub, scope, env, file, line))
            else:
                attrs.setdefault(btype, []).append(self.eval_body(sub, scope, env, file))
        return attrs

    def materialize(self, value: Any) -> Any:
        """Replace evaluator-internal objects (whole resources, modules) by model values.

        Returns `value` itself when it holds none (the common case), without copying."""
        kind = type(value)
        if kind in _SCALARS:
            return value
        if kind is dict:
            changed = None
            for key, item in value.items():
                new = self.materialize(item)
                if new is not item:
                    changed = changed or dict(value)
                    changed[key] = new
            return value if changed is None else changed
        if kind is list:
            changed_list = None
            for i, item in enumerate(value):
                new = self.materialize(item)
                if new is not item:
                    changed_list = changed_list or list(value)
                    changed_list[i] = new
            return value if changed_list is None else changed_list
        if kind is Sensitive:
            inner = self.materialize(value.value)
            return value if inner is value.value else Sensitive(inner)
        if isinstance(value, ResourceInstance):
            return Unknown(f"{value.address} used as a whole object")
        if isinstance(value, ModuleInstanceValue):
            return {name: self.materialize(self.output(value.scope, name)) for name in value.scope.mod.outputs}
        if isinstance(value, RemoteModuleValue):
            return Unknown(value.reason)
        if isinstance(value, TypeRoot) or type(value).__name__ == "_Root":
            return Unknown("a reference prefix (var, local, module, data or a resource type) used as a value")
        return value

    def _dynamic(self, label: str, body: list, scope: "Scope", env: dict, file: str, line: int) -> list:
        each_node = iterator = content = None
        for item in body:
            if item[0] == "a" and item[1] == "for_each":
                each_node = item[2]
            elif item[0] == "a" and item[1] == "iterator":
                iterator = item[2][1] if item[2][0] == "var" else None
            elif item[0] == "b" and item[1] == "content":
                content = item[3]
        if each_node is None or content is None:
            self.error(file, line, f"dynamic {label!r} block needs for_each and a content block")
            return []
        name = iterator or label
        each = self.eval_attr(each_node, scope, env, (file, line))
        marked = isinstance(each, Sensitive)
        if marked:
            each = each.value
        if isinstance(each, Unknown):
            return [Unknown(f"dynamic {label} blocks: for_each is unknown ({each.reason})")]
        if isinstance(each, Ref):
            return [Unknown(f"dynamic {label} blocks: for_each is {each}, known only after apply")]
        try:
            pairs = self._iterate(each)
        except EvalError as exc:
            return [Unknown(f"dynamic {label} blocks: {exc}")]
        except BudgetError as exc:
            return [self._fail(str(exc))]
        blocks = [self.eval_body(content, scope, {**env, name: {"key": k, "value": v}}, file) for k, v in pairs]
        return [Sensitive(b) for b in blocks] if marked else blocks
