"""One tree-walking evaluator for Terraform expressions, module instances and resources.

Values are plain Python (str, int/float, bool, None, list, dict), Ref for attributes only known
after apply (so links between resources keep their identity), and Unknown(reason) for anything
we cannot decide. Errors Terraform itself would raise (a missing key, a bad function argument)
become Unknown("cannot evaluate ...") at the attribute that contains them, so one bad expression
never loses the rest of the file.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from rulebook import policy_document
from rulebook.model import InlineSuppression, InputError, Linked, Ref, SourceLocation
from rulebook.unknown import Unknown

from . import functions as fn
from . import suppressions
from .loader import MAX_BYTES, decode
from .modules import Decl, ModuleDef, ModuleLoader, is_path_source, local_source_dir
from .syntax import HclSyntaxError, _template, _template_parts

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
    body: list = field(default_factory=list)  # the block's expressions (where each value comes from)


class _Root:
    """`var`, `local`, `module`, `data`: the first name of a reference."""

    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind


class _TypeRoot:
    """`aws_iam_role` (or `data.aws_iam_role`) waiting for its name."""

    __slots__ = ("mode", "type")

    def __init__(self, mode: str, rtype: str) -> None:
        self.mode, self.type = mode, rtype


_ROOTS = {k: _Root(k) for k in ("var", "local", "module", "data")}


class ResourceInstance:
    """A resource instance as a value: configured arguments, or a Ref for computed attributes."""

    __slots__ = ("address", "decl", "scope", "env", "_attrs", "_busy", "notes")

    def __init__(self, address: str, decl: Decl, scope: "Scope", env: dict, notes: list[str] | None = None):
        self.address, self.decl, self.scope, self.env = address, decl, scope, env
        self._attrs: dict | None = None
        self._busy = False
        self.notes = notes or []

    def attrs(self, ev: "Evaluator") -> dict:
        if self._attrs is None:
            if self._busy:
                raise EvalError(f"reference cycle through {self.address}")
            self._busy = True
            try:
                attrs = ev.eval_body(self.decl.body, self.scope, self.env, self.decl.parsed.path)
                if self.decl.mode == "data" and self.decl.type == POLICY_DOCUMENT:
                    rendered = policy_document.render(attrs)
                    attrs["json"] = rendered
                    attrs["minified_json"] = rendered
                self._attrs = attrs
            finally:
                self._busy = False
        return self._attrs

    def get(self, name: str, ev: "Evaluator") -> Any:
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
    """One instance of a module: its inputs, caches and place in the module tree."""

    def __init__(self, mod: ModuleDef, prefix: str, inputs: dict[str, Callable[[], Any]],
                 call_location: SourceLocation | None, inherited: list[InlineSuppression],
                 root_dir: Path, ancestry: tuple[str, ...]) -> None:
        self.mod, self.prefix, self.inputs = mod, prefix, inputs
        self.call_location, self.inherited = call_location, inherited
        self.root_dir, self.ancestry = root_dir, ancestry
        self.var_cache: dict[str, Any] = {}
        self.local_cache: dict[str, Any] = {}
        self.local_stack: list[str] = []
        self.resources: dict[str, tuple[Any, list]] = {}  # decl key -> (value for references, instances)
        self.modules: dict[str, Any] = {}  # call name -> (value, [child scopes])
        self.notes: list[str] = []  # e.g. "count is unknown" on the module call that made this instance
        self.parent: Scope | None = None
        self.default_tags: dict[str | None, Any] | None = None  # root scope only: aws provider default_tags


def _num(value: Any) -> int | float:
    try:
        return fn.number(value)
    except fn.FunctionError as exc:
        raise EvalError(str(exc)) from None


def _key(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


class Evaluator:
    """Evaluates one root module (and the local modules it calls)."""

    def __init__(self, loader: ModuleLoader, scan_root: Path, errors: list[InputError], notes: list[str]):
        self.loader, self.scan_root, self.errors, self.notes = loader, scan_root, errors, notes
        self._reported: set[tuple] = set()
        self._dispatch: dict[str, Callable[[tuple, Scope, dict], Any]] = {
            "lit": self._lit, "var": self._var, "attr": self._attr, "idx": self._idx, "splat": self._splat,
            "call": self._call, "tuple": self._tuple, "object": self._object, "cond": self._cond,
            "bin": self._bin, "un": self._un, "paren": self._paren, "tmpl": self._tmpl, "fort": self._fort,
            "foro": self._foro, "bad": self._bad,
        }

    # --- reporting ---------------------------------------------------------------------
    def error(self, file: str, line: int | None, message: str) -> None:
        key = (file, line, message)
        if key not in self._reported:
            self._reported.add(key)
            self.errors.append(InputError(file, line, message))

    # --- expressions -------------------------------------------------------------------
    def ev(self, node: tuple, scope: Scope, env: dict) -> Any:
        return self._dispatch[node[0]](node, scope, env)

    def eval_attr(self, node: tuple, scope: Scope, env: dict) -> Any:
        """An argument's value; Terraform-level errors become an Unknown naming the problem."""
        try:
            return self.ev(node, scope, env)
        except EvalError as exc:
            return Unknown(f"cannot evaluate: {exc}")
        except RecursionError:
            return Unknown("cannot evaluate: expression nested too deeply")

    def _lit(self, node, scope, env):
        value = node[1]
        if isinstance(value, float) and value.is_integer():
            return int(value)
        return value

    def _bad(self, node, scope, env):
        return Unknown(node[1])

    def _paren(self, node, scope, env):
        return self.ev(node[1], scope, env)

    def _var(self, node, scope, env):
        name = node[1]
        if name in env:
            return env[name]
        root = _ROOTS.get(name)
        if root is not None:
            return root
        if name == "path":
            return {"module": os.path.relpath(scope.mod.path, scope.root_dir), "root": ".", "cwd": "."}
        if name == "terraform":
            return {"workspace": "default"}
        if name in ("count", "each", "self"):
            raise EvalError(f"{name} is not available here")
        return _TypeRoot("managed", name)

    def _attr(self, node, scope, env):
        return self.get_attr(self.ev(node[1], scope, env), node[2], scope)

    def get_attr(self, obj: Any, name: str, scope: Scope) -> Any:
        if isinstance(obj, dict):
            if name in obj:
                return obj[name]
            raise EvalError(f"object has no attribute {name!r}")
        if isinstance(obj, ResourceInstance):
            return obj.get(name, self)
        if isinstance(obj, Unknown):
            return obj
        if isinstance(obj, Ref):
            return Ref(obj.address, f"{obj.attribute}.{name}")
        if isinstance(obj, _Root):
            if obj.kind == "var":
                return self.variable(scope, name)
            if obj.kind == "local":
                return self.local(scope, name)
            if obj.kind == "module":
                return self.module_value(scope, name)
            return _TypeRoot("data", name)
        if isinstance(obj, _TypeRoot):
            return self.resource_value(scope, obj.mode, obj.type, name)
        if isinstance(obj, ModuleInstanceValue):
            return self.output(obj.scope, name)
        if isinstance(obj, RemoteModuleValue):
            return Unknown(obj.reason)
        if obj is None:
            raise EvalError(f"attribute {name!r} of a null value")
        if isinstance(obj, list):
            raise EvalError(f"attribute {name!r} of a list (an index or splat is missing)")
        raise EvalError(f"attribute {name!r} of a {fn.type_name(obj)}")

    def _idx(self, node, scope, env):
        return self.index(self.ev(node[1], scope, env), self.ev(node[2], scope, env))

    def index(self, obj: Any, key: Any) -> Any:
        if isinstance(obj, Unknown):
            return obj
        if isinstance(key, Unknown):
            return key
        if isinstance(obj, list):
            i = int(_num(key))
            if 0 <= i < len(obj):
                return obj[i]
            raise EvalError(f"index {i} out of range (length {len(obj)})")
        if isinstance(obj, dict):
            k = fn.to_str(key) if not isinstance(key, str) else key
            if k in obj:
                return obj[k]
            raise EvalError(f"no element {k!r}")
        if isinstance(obj, Ref):
            return Ref(obj.address, f"{obj.attribute}[{_key(key)}]")
        if isinstance(obj, ResourceInstance):
            raise EvalError(f"{obj.address} has no count or for_each; it cannot be indexed")
        if isinstance(obj, RemoteModuleValue):
            return Unknown(obj.reason)
        raise EvalError(f"cannot index a {fn.type_name(obj)}")

    def _splat(self, node, scope, env):
        _, obj_node, ops, full = node
        obj = self.ev(obj_node, scope, env)
        if isinstance(obj, Unknown):
            return obj
        if obj is None:
            items: list = []
        elif isinstance(obj, list):
            items = obj
        elif isinstance(obj, dict) and obj and all(isinstance(v, ResourceInstance) for v in obj.values()):
            raise EvalError("splat over a for_each resource (use values(...)[*])")
        else:
            items = [obj]
        per_item, after = list(ops), []
        if not full:
            cut = next((i for i, op in enumerate(ops) if op[0] == "ix"), len(ops))
            per_item, after = list(ops[:cut]), list(ops[cut:])
        out = [self._apply_ops(item, per_item, scope, env) for item in items]
        return self._apply_ops(out, after, scope, env)

    def _apply_ops(self, value: Any, ops: list, scope: Scope, env: dict) -> Any:
        for op in ops:
            if op[0] == "ga":
                value = self.get_attr(value, op[1], scope)
            else:
                value = self.index(value, self.ev(op[1], scope, env))
        return value

    def _tuple(self, node, scope, env):
        return [self.ev(item, scope, env) for item in node[1]]

    def _object(self, node, scope, env):
        out = {}
        for key_node, value_node in node[1]:
            key = self.ev(key_node, scope, env)
            if isinstance(key, Unknown):
                return key
            out[key if isinstance(key, str) else self._str(key)] = self.ev(value_node, scope, env)
        return out

    def _str(self, value: Any) -> str:
        try:
            return fn.to_str(value)
        except fn.FunctionError as exc:
            raise EvalError(str(exc)) from None

    def _bool(self, value: Any) -> bool | Unknown:
        if isinstance(value, (bool, Unknown)):
            return value
        if value in ("true", "false"):
            return value == "true"
        if isinstance(value, Ref):
            return Unknown(f"condition on {value}, known only after apply")
        raise EvalError(f"a {fn.type_name(value)} is not a bool")

    def _cond(self, node, scope, env):
        cond = self._bool(self.ev(node[1], scope, env))
        if isinstance(cond, Unknown):
            a = self.eval_attr(node[2], scope, env)
            b = self.eval_attr(node[3], scope, env)
            return a if a == b and not isinstance(a, Unknown) else cond
        return self.ev(node[2] if cond else node[3], scope, env)

    def _un(self, node, scope, env):
        value = self.ev(node[2], scope, env)
        if isinstance(value, Unknown):
            return value
        if node[1] == "!":
            b = self._bool(value)
            return b if isinstance(b, Unknown) else not b
        return -_num(value)

    def _bin(self, node, scope, env):
        op = node[1]
        left = self.ev(node[2], scope, env)
        if op in ("&&", "||"):
            lb = self._bool(left)
            if not isinstance(lb, Unknown) and lb == (op == "||"):
                return lb
            rb = self._bool(self.ev(node[3], scope, env))
            if isinstance(lb, Unknown):
                return rb if not isinstance(rb, Unknown) and rb == (op == "||") else lb
            return rb
        right = self.ev(node[3], scope, env)
        for side in (left, right):
            if isinstance(side, Unknown):
                return side
        if op in ("==", "!="):
            if isinstance(left, Ref) or isinstance(right, Ref):
                if left == right:
                    return op == "=="
                return Unknown(f"comparison with {left if isinstance(left, Ref) else right}, known only after apply")
            equal = _normal(left) == _normal(right)
            return equal if op == "==" else not equal
        a, b = _num(left), _num(right)
        try:
            if op == "+":
                return fn.number(a + b)
            if op == "-":
                return fn.number(a - b)
            if op == "*":
                return fn.number(a * b)
            if op == "/":
                return fn.number(a / b)
            if op == "%":
                return fn.number(a % b)
        except ZeroDivisionError:
            raise EvalError("division by zero") from None
        return {"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op]

    def _tmpl(self, node, scope, env):
        return self.render(node[1], scope, env)

    def render(self, parts: tuple, scope: Scope, env: dict) -> Any:
        out: list[str] = []
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                continue
            tag = part[0]
            if tag == "if":
                cond = self._bool(self.ev(part[1], scope, env))
                if isinstance(cond, Unknown):
                    return cond
                value = self.render(part[2] if cond else part[3], scope, env)
            elif tag == "for":
                coll = self.ev(part[3], scope, env)
                if isinstance(coll, Unknown):
                    return coll
                pieces = []
                for k, v in self._iterate(coll):
                    inner = dict(env)
                    if part[1]:
                        inner[part[1]] = k
                    inner[part[2]] = v
                    piece = self.render(part[4], scope, inner)
                    if isinstance(piece, Unknown):
                        return piece
                    pieces.append(piece)
                value = "".join(pieces)
            else:
                value = self.ev(part, scope, env)
            if isinstance(value, Unknown):
                return value
            if isinstance(value, (dict, list)):
                raise EvalError(f"a {fn.type_name(value)} cannot be interpolated into a string")
            if isinstance(value, (ResourceInstance, ModuleInstanceValue, _Root, _TypeRoot)):
                raise EvalError("a whole resource or module cannot be interpolated into a string")
            out.append(self._str(value))
        return "".join(out)

    def _iterate(self, coll: Any) -> list[tuple[Any, Any]]:
        if isinstance(coll, dict):
            return sorted(coll.items(), key=lambda kv: kv[0])
        if isinstance(coll, list):
            return list(enumerate(coll))
        if coll is None:
            raise EvalError("cannot iterate over null")
        raise EvalError(f"cannot iterate over a {fn.type_name(coll)}")

    def _for_envs(self, kname, vname, coll_node, cond_node, scope, env) -> list[dict] | Unknown:
        """The environments of a for expression's kept iterations (its `if` applied), or Unknown."""
        coll = self.ev(coll_node, scope, env)
        if isinstance(coll, Unknown):
            return coll
        envs = []
        for k, v in self._iterate(coll):
            inner = dict(env)
            if kname:
                inner[kname] = k
            inner[vname] = v
            if cond_node is not None:
                keep = self._bool(self.ev(cond_node, scope, inner))
                if isinstance(keep, Unknown):
                    return keep
                if not keep:
                    continue
            envs.append(inner)
        return envs

    def _fort(self, node, scope, env):
        _, kname, vname, coll_node, value_node, cond_node = node
        envs = self._for_envs(kname, vname, coll_node, cond_node, scope, env)
        if isinstance(envs, Unknown):
            return envs
        return [self.ev(value_node, scope, inner) for inner in envs]

    def _foro(self, node, scope, env):
        _, kname, vname, coll_node, key_node, value_node, group, cond_node = node
        envs = self._for_envs(kname, vname, coll_node, cond_node, scope, env)
        if isinstance(envs, Unknown):
            return envs
        out: dict = {}
        for inner in envs:
            key = self.ev(key_node, scope, inner)
            if isinstance(key, Unknown):
                return key
            key = self._str(key)
            value = self.ev(value_node, scope, inner)
            if group:
                out.setdefault(key, []).append(value)
            elif key in out:
                raise EvalError(f"duplicate key {key!r} in for expression (use ... to group)")
            else:
                out[key] = value
        return out

    # --- function calls ----------------------------------------------------------------
    def _call(self, node, scope, env):
        _, name, arg_nodes, expand = node
        if name in ("try", "can"):
            return self._try(name, arg_nodes, scope, env)
        args = [self.ev(a, scope, env) for a in arg_nodes]
        if expand and args:
            last = args.pop()
            if isinstance(last, Unknown):
                return last
            if not isinstance(last, list):
                raise EvalError("only a list can be expanded with ...")
            args.extend(last)
        if name == "coalesce":
            for arg in args:
                if isinstance(arg, Unknown):
                    return arg
                if arg is not None and arg != "":
                    return arg
            raise EvalError("coalesce: no non-null, non-empty argument")
        if name in ("file", "templatefile", "fileexists", "filebase64"):
            return self._file_function(name, args, scope)
        if "::" in name:
            return Unknown(f"provider function {name}() is not evaluated by the scanner")
        try:
            return fn.call(name, args)
        except (fn.FunctionError, TypeError, ValueError, KeyError, IndexError, ZeroDivisionError,
                AttributeError, OverflowError) as exc:
            raise EvalError(f"{name}(): {exc}") from None

    def _try(self, name: str, arg_nodes: tuple, scope: Scope, env: dict) -> Any:
        for arg in arg_nodes:
            try:
                value = self.ev(arg, scope, env)
            except EvalError:
                if name == "can":
                    return False
                continue
            if isinstance(value, Unknown):
                return value
            return True if name == "can" else value
        if name == "can":
            return False
        raise EvalError("try: every argument failed")

    def _file_function(self, name: str, args: list, scope: Scope) -> Any:
        for arg in args[:1]:
            if isinstance(arg, Unknown):
                return arg
        path = self._str(args[0])
        candidate = Path(path) if os.path.isabs(path) else scope.root_dir / path
        real = os.path.realpath(candidate)
        root = os.path.realpath(self.scan_root)
        if real != root and not real.startswith(root + os.sep):
            return Unknown(f"{name}({path!r}) reads outside the scan root; not read")
        if name == "fileexists":
            return os.path.isfile(real)
        try:
            size = os.path.getsize(real)
            if size > MAX_BYTES:
                return Unknown(f"{name}({path!r}): file over the size limit; not read")
            data = Path(real).read_bytes()
        except OSError as exc:
            raise EvalError(f"{name}({path!r}): {exc.strerror or exc}") from None
        if name == "filebase64":
            import base64
            return base64.b64encode(data).decode()
        text, error = decode(data, path)
        if error is not None:
            raise EvalError(f"{name}({path!r}): {error.message}")
        if name == "file":
            return text
        variables = args[1] if len(args) > 1 else {}
        if isinstance(variables, Unknown):
            return variables
        if not isinstance(variables, dict):
            raise EvalError("templatefile: variables must be an object")
        try:
            template = _template(_template_parts(text))
        except HclSyntaxError as exc:
            raise EvalError(f"templatefile({path!r}): {exc}") from None
        return self.ev(template, scope, dict(variables))

    # --- variables, locals, outputs ----------------------------------------------------
    def variable(self, scope: Scope, name: str) -> Any:
        if name in scope.var_cache:
            return scope.var_cache[name]
        decl = scope.mod.variables.get(name)
        if decl is None:
            raise EvalError(f"undeclared variable var.{name}")
        if name in scope.inputs:
            value = scope.inputs[name]()
        else:
            default = decl.attr("default")
            if default is not None:
                value = self.eval_attr(default, scope, {})
            elif scope.call_location is None:
                value = Unknown(f"variable {name} has no value (no default, not set in tfvars, "
                                f"--var-file or TF_VAR_{name})")
            else:
                value = Unknown(f"module input {name} is not set by the module call and has no default")
        type_node = decl.attr("type")
        if type_node is not None:
            try:
                value = self.convert(value, type_node, scope)
            except (EvalError, fn.FunctionError, RecursionError):
                pass  # Terraform would reject the value; keep it as given rather than guess
        scope.var_cache[name] = value
        return value

    def convert(self, value: Any, type_node: tuple, scope: Scope) -> Any:
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

    def local(self, scope: Scope, name: str) -> Any:
        if name in scope.local_cache:
            return scope.local_cache[name]
        entry = scope.mod.locals.get(name)
        if entry is None:
            raise EvalError(f"undeclared local value local.{name}")
        if name in scope.local_stack:
            cycle = scope.local_stack[scope.local_stack.index(name):] + [name]
            message = "cycle in local values: " + " -> ".join(f"local.{n}" for n in cycle)
            self.error(entry[1], entry[2], message)
            return Unknown(message)
        scope.local_stack.append(name)
        try:
            value = self.eval_attr(entry[0], scope, {})
        finally:
            scope.local_stack.pop()
        scope.local_cache[name] = value
        return value

    def output(self, scope: Scope, name: str) -> Any:
        decl = scope.mod.outputs.get(name)
        if decl is None:
            raise EvalError(f"module has no output {name!r}")
        expr = decl.attr("value")
        return Unknown(f"output {name} has no value") if expr is None else self.eval_attr(expr, scope, {})

    # --- resources ---------------------------------------------------------------------
    def resource_value(self, scope: Scope, mode: str, rtype: str, name: str) -> Any:
        return self.resource_instances(scope, mode, rtype, name)[0]

    def resource_instances(self, scope: Scope, mode: str, rtype: str, name: str) -> tuple[Any, list]:
        key = f"data.{rtype}.{name}" if mode == "data" else f"{rtype}.{name}"
        if key not in scope.resources:
            decl = scope.mod.resources.get(key)
            if decl is None:
                raise EvalError(f"reference to undeclared {'data source' if mode == 'data' else 'resource'} {key}")
            scope.resources[key] = self._expand(decl, scope, scope.prefix + key,
                                                lambda addr, env, notes: ResourceInstance(addr, decl, scope, env,
                                                                                          notes))
        return scope.resources[key]

    def _expand(self, decl: Decl, scope: Scope, base: str,
                make: Callable[[str, dict, list], Any]) -> tuple[Any, list]:
        """count / for_each -> (the value references see, the instances).

        The value is one instance, a list (count) or a dict (for_each). An unknown count or
        for_each gives an Unknown value and one instance evaluated with unknown count.index/each,
        so its rules report UNKNOWN instead of the resource vanishing."""
        count_node, each_node = decl.attr("count"), decl.attr("for_each")
        if count_node is not None:
            count = self.eval_attr(count_node, scope, {})
            if isinstance(count, Unknown) or isinstance(count, Ref):
                reason = count.reason if isinstance(count, Unknown) else f"{count} is known only after apply"
                note = f"count is unknown ({reason}); evaluated as one instance"
                return Unknown(note), [make(base, {"count": {"index": Unknown(f"count.index: {reason}")}}, [note])]
            try:
                n = int(_num(count))
            except EvalError as exc:
                self.error(decl.file, decl.line, f"count of {base}: {exc}")
                return Unknown(f"count of {base}: {exc}"), []
            insts = [make(f"{base}[{i}]", {"count": {"index": i}}, []) for i in range(n)]
            return insts, insts
        if each_node is not None:
            each = self.eval_attr(each_node, scope, {})
            if isinstance(each, list):  # a set holding values known only after apply: keys unknown
                each = next((v for v in each if isinstance(v, (Unknown, Ref))), each)
            if isinstance(each, (Unknown, Ref)):
                reason = each.reason if isinstance(each, Unknown) else f"{each} is known only after apply"
                note = f"for_each is unknown ({reason}); evaluated as one instance"
                unknown = Unknown(f"each: {reason}")
                return Unknown(note), [make(base, {"each": {"key": unknown, "value": unknown}}, [note])]
            if isinstance(each, list):
                items = []
                for item in each:
                    if not isinstance(item, str):
                        self.error(decl.file, decl.line, f"for_each of {base}: a set must hold strings")
                        return Unknown(f"for_each of {base} is not a set of strings"), []
                    items.append((item, item))
            elif isinstance(each, dict):
                items = sorted(each.items(), key=lambda kv: kv[0])
            else:
                self.error(decl.file, decl.line, f"for_each of {base} is a {fn.type_name(each)}, "
                           "not a map or set of strings")
                return Unknown(f"for_each of {base} is not a map or set"), []
            by_key = {k: make(f"{base}[{_key(k)}]", {"each": {"key": k, "value": v}}, []) for k, v in items}
            return by_key, list(by_key.values())
        single = make(base, {}, [])
        return single, [single]

    def eval_body(self, body: list, scope: Scope, env: dict, file: str) -> dict:
        """A block's arguments and nested blocks (lists of dicts), dynamic blocks merged in order."""
        attrs: dict = {}
        for item in body:
            if item[0] == "a":
                if item[1] not in META_ATTRS:
                    attrs[item[1]] = self.materialize(self.eval_attr(item[2], scope, env))
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
        if isinstance(value, ResourceInstance):
            return Unknown(f"{value.address} used as a whole object")
        if isinstance(value, ModuleInstanceValue):
            return {name: self.materialize(self.output(value.scope, name)) for name in value.scope.mod.outputs}
        if isinstance(value, RemoteModuleValue):
            return Unknown(value.reason)
        if isinstance(value, (_Root, _TypeRoot)):
            return Unknown("a reference prefix (var, local, module, data or a resource type) used as a value")
        return value

    def _dynamic(self, label: str, body: list, scope: Scope, env: dict, file: str, line: int) -> list:
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
        each = self.eval_attr(each_node, scope, env)
        if isinstance(each, Unknown):
            return [Unknown(f"dynamic {label} blocks: for_each is unknown ({each.reason})")]
        if isinstance(each, Ref):
            return [Unknown(f"dynamic {label} blocks: for_each is {each}, known only after apply")]
        try:
            pairs = self._iterate(each)
        except EvalError as exc:
            return [Unknown(f"dynamic {label} blocks: {exc}")]
        return [self.eval_body(content, scope, {**env, name: {"key": k, "value": v}}, file) for k, v in pairs]

    def provider_default_tags(self, scope: Scope) -> dict[str | None, Any]:
        """default_tags of the root module's aws provider blocks, by alias (None = default)."""
        root = scope
        while root.parent is not None:
            root = root.parent
        if root.default_tags is None:
            root.default_tags = {}
            for decl in root.mod.providers:
                if decl.type != "aws":
                    continue
                alias = decl.attr("alias")
                alias_value = self.eval_attr(alias, root, {}) if alias is not None else None
                blocks = [b for b in decl.body if b[0] == "b" and b[1] == "default_tags"]
                if not blocks:
                    continue
                tags = self.eval_body(blocks[0][3], root, {}, decl.file).get("tags", {})
                root.default_tags[alias_value if isinstance(alias_value, str) else None] = tags
        return root.default_tags

    def providers(self, scope: Scope) -> list[EvaluatedResource]:
        """The module's provider blocks as instances of mode "provider" (address `provider.aws.ALIAS`),
        with the arguments that say where it deploys; the adapter decides which it models."""
        out: list[EvaluatedResource] = []
        for decl in scope.mod.providers:
            attrs = {}
            for name in ("alias", "allowed_account_ids", "forbidden_account_ids"):
                node = decl.attr(name)
                if node is not None:
                    try:
                        attrs[name] = self.eval_attr(node, scope, {})
                    except EvalError as exc:
                        attrs[name] = Unknown(f"{name} of provider {decl.type}: {exc}")
            alias = attrs.get("alias")
            address = f"{scope.prefix}provider.{decl.type}" + (f".{alias}" if isinstance(alias, str) else "")
            location = SourceLocation(decl.file, decl.line, decl.end_line, called_from=scope.call_location)
            out.append(EvaluatedResource(address, decl.type, "provider", attrs, location))
        return out

    def _with_default_tags(self, decl: Decl, scope: Scope, attrs: dict) -> dict:
        """tags_all as the AWS provider computes it: provider default_tags overlaid by the resource's tags."""
        defaults = self.provider_default_tags(scope)
        if not defaults or "tags_all" in attrs:
            return attrs
        provider = decl.attr("provider")
        alias = provider[2] if provider is not None and provider[0] == "attr" else None
        base = defaults.get(alias)
        if base is None:
            return attrs
        own = attrs.get("tags", {})
        if isinstance(base, Unknown) or isinstance(own, Unknown):
            tags_all: Any = base if isinstance(base, Unknown) else own
        elif isinstance(base, dict) and isinstance(own, (dict, type(None))):
            tags_all = {**base, **(own or {})}
        else:
            return attrs
        return {**attrs, "tags_all": tags_all}

    # --- modules -----------------------------------------------------------------------
    def module_value(self, scope: Scope, name: str) -> Any:
        return self.module_instances(scope, name)[0]

    def module_instances(self, scope: Scope, name: str) -> tuple[Any, list[Scope]]:
        if name in scope.modules:
            return scope.modules[name]
        decl = scope.mod.modules.get(name)
        if decl is None:
            raise EvalError(f"reference to undeclared module {name!r}")
        scope.modules[name] = (Unknown(f"module {name} refers to itself"), [])
        scope.modules[name] = self._instantiate(scope, decl)
        return scope.modules[name]

    def _instantiate(self, scope: Scope, decl: Decl) -> tuple[Any, list[Scope]]:
        base = f"{scope.prefix}module.{decl.name}"
        location = SourceLocation(decl.file, decl.line, decl.end_line, called_from=scope.call_location)
        source_node = decl.attr("source")
        source = self.eval_attr(source_node, scope, {}) if source_node is not None else None
        if not isinstance(source, str):
            self.error(decl.file, decl.line, f"module {decl.name}: source must be a literal string")
            return Unknown(f"module {decl.name} has no readable source"), []
        if not is_path_source(source):
            reason = f"module {base} (source {source!r}) is a remote module and was not scanned"
            note = f"{decl.file}:{decl.line}: {reason}"
            if note not in self.notes:
                self.notes.append(note)
            return RemoteModuleValue(reason), []
        folder, refused = local_source_dir(scope.mod.path, source, self.loader.repository(scope.root_dir, self.scan_root))
        if folder is None:
            self.error(decl.file, decl.line, f"module {decl.name}: {refused}")
            return Unknown(f"module {decl.name} {refused}"), []
        if str(folder) in scope.ancestry:
            self.error(decl.file, decl.line, f"module {decl.name} calls itself through {source}")
            return Unknown(f"module {decl.name} is recursive"), []
        if not folder.is_dir():
            self.error(decl.file, decl.line, f"module {decl.name}: source directory {source} does not exist")
            return Unknown(f"module {decl.name} source {source} not found"), []
        child_def = self.loader.load(folder)
        for error in child_def.errors:
            self.error(error.file, error.line, error.message)
        inherited, errs = suppressions.for_block(decl.parsed, decl.line)
        for err in errs:
            self.error(err.file, err.line, err.message)
        inherited = scope.inherited + inherited
        children: list[Scope] = []

        def make(prefix: str, env: dict, notes: list[str]) -> ModuleInstanceValue:
            inputs = {}
            for item in decl.body:
                if item[0] == "a" and item[1] not in META_ATTRS:
                    inputs[item[1]] = (lambda node=item[2]: self.eval_attr(node, scope, env))
            child = Scope(child_def, prefix + ".", inputs, location, inherited, scope.root_dir,
                          scope.ancestry + (str(folder),))
            child.notes = notes
            child.parent = scope
            children.append(child)
            return ModuleInstanceValue(child)

        value, _ = self._expand(decl, scope, base, make)
        return value, children

    # --- walking a whole module tree ---------------------------------------------------
    def resources(self, scope: Scope) -> list[EvaluatedResource]:
        """Every resource instance of this module instance and its children, in declaration order."""
        out: list[EvaluatedResource] = []
        for decl in scope.mod.resources.values():
            _, instances = self.resource_instances(scope, decl.mode, decl.type, decl.name)
            own, errs = suppressions.for_block(decl.parsed, decl.line)
            for err in errs:
                self.error(err.file, err.line, err.message)
            location = SourceLocation(decl.file, decl.line, decl.end_line, called_from=scope.call_location)
            for inst in instances:
                try:
                    attrs = inst.attrs(self)
                    if decl.mode == "managed" and decl.type.startswith("aws_"):
                        attrs = self._with_default_tags(decl, scope, attrs)
                except (EvalError, RecursionError) as exc:
                    self.error(decl.file, decl.line, f"cannot evaluate {inst.address}: {exc}")
                    continue
                except Exception as exc:  # noqa: BLE001 - a scanner bug must cost one resource, loudly
                    self.error(decl.file, decl.line, f"internal error evaluating {inst.address}: "
                               f"{type(exc).__name__}: {exc}")
                    continue
                out.append(EvaluatedResource(inst.address, decl.type, decl.mode, attrs, location,
                                             scope.inherited + own, list(inst.notes) + scope.notes, decl.body))
        for name in scope.mod.modules:
            _, children = self.module_instances(scope, name)
            for child in children:
                out.extend(self.resources(child))
        for local_name in scope.mod.locals:  # surfaces cycles in locals nobody references
            self.local(scope, local_name)
        for parsed in scope.mod.files:
            for err in suppressions.orphans(parsed, _all_block_comment_lines(scope.mod, parsed.path)):
                self.error(err.file, err.line, err.message)
        return out


def _block_comment_lines(decl: Decl) -> set[int]:
    return set(suppressions.attached_lines(decl.parsed, decl.line))


def _all_block_comment_lines(mod: ModuleDef, path: str) -> set[int]:
    lines: set[int] = set()
    for table in (mod.resources, mod.modules):
        for decl in table.values():
            if decl.file == path:
                lines |= _block_comment_lines(decl)
    return lines


def _normal(value: Any) -> Any:
    """Terraform compares numbers by value whatever their spelling."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
