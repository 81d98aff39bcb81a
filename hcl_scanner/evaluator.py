"""One tree-walking evaluator for Terraform expressions, module instances and resources.

Values are plain Python (str, int/float, bool, None, list, dict), Ref for attributes only known
after apply (so links between resources keep their identity), Unknown(reason) for anything we
cannot decide, and Sensitive (sensitive.py) around values Terraform marks sensitive. Errors
Terraform itself would raise (a missing key, a bad function argument) become Unknown("cannot
evaluate ...") at the attribute that contains them, so one bad expression never loses the rest of
the file. Overrun limits (budgets.py) and expressions nested too deeply to evaluate are input
errors naming the file and line: they fail the scan instead of turning a finding into UNKNOWN.

The pieces: this module evaluates expressions; named_values.py holds variables, locals, outputs
and resource instances; module_tree.py module calls and the walk over a tree; eval_order.py bounds
how deeply one named value's computation nests in another's, so long reference chains never
exhaust Python's stack; eval_files.py is file()/templatefile().
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

from rulebook.model import InputError, Ref
from rulebook.unknown import Unknown

from . import functions as fn
from .budgets import MAX_STEPS, MAX_STRING, Budget, BudgetError, Measure, check_bits, check_number, check_size
from .named_values import (Declarations, EvalError, EvaluatedResource, Input, ModuleInstanceValue,
                           RemoteModuleValue, ResourceInstance, Scope, TypeRoot)
from .eval_files import TEMPLATE_ENV as _TEMPLATE
from .eval_files import FileFunctions
from .eval_order import Ordering
from .module_tree import ModuleTree
from .provisioners import Provisioners
from .modules import ModuleLoader
from .sensitive import Sensitive, scrub, strings, unmark

__all__ = ["Evaluator", "EvalError", "EvaluatedResource", "Scope", "Input"]


class _Root:
    """`var`, `local`, `module`, `data`: the first name of a reference."""

    __slots__ = ("kind",)

    def __init__(self, kind: str) -> None:
        self.kind = kind


_ROOTS = {k: _Root(k) for k in ("var", "local", "module", "data")}


def _num(value: Any) -> int | float:
    try:
        return fn.number(value)
    except fn.FunctionError as exc:
        raise EvalError(str(exc)) from None


def _key(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


_CONTAINERS = (list, dict, Sensitive)


class Evaluator(Ordering, Declarations, ModuleTree, FileFunctions, Provisioners):
    """Evaluates one root module (and the local modules it calls)."""

    def __init__(self, loader: ModuleLoader, scan_root: Path, errors: list[InputError], notes: list[str]):
        self.loader, self.scan_root, self.errors, self.notes = loader, scan_root, errors, notes
        self._reported: set[tuple] = set()
        self.budget = Budget()
        self.measure = Measure()
        self.where: tuple[str, int | None] = (str(scan_root), None)  # the argument being evaluated
        self.sensitive: set[str] = set()  # string forms of every marked value met (for scrubbing)
        self.marks_seen = False
        self.template_depth = 0
        self._init_ordering()
        self._dispatch: dict[str, Callable[[tuple, Scope, dict], Any]] = {
            "lit": self._lit, "var": self._var, "attr": self._attr, "idx": self._idx, "splat": self._splat,
            "call": self._call, "tuple": self._tuple, "object": self._object, "cond": self._cond,
            "bin": self._bin, "un": self._un, "paren": self._paren, "tmpl": self._tmpl, "fort": self._fort,
            "foro": self._foro, "bad": self._bad,
        }

    # --- reporting ---------------------------------------------------------------------
    def error(self, file: str, line: int | None, message: str) -> None:
        message = scrub(message, self.sensitive)
        key = (file, line, message)
        if key not in self._reported:
            self._reported.add(key)
            self.errors.append(InputError(file, line, message))

    def mark(self, value: Any) -> Any:
        """`value` marked sensitive; its strings are remembered so no message can quote them."""
        if isinstance(value, (Sensitive, Unknown, Ref)) or value is None:
            return value
        self.marks_seen = True
        self.sensitive.update(strings(value))
        return Sensitive(value)

    def _mark_if(self, value: Any, marked: bool) -> Any:
        """Terraform's rule: what is computed from a sensitive value is sensitive."""
        return self.mark(value) if marked else value

    def _unmark(self, value: Any) -> tuple[Any, bool]:
        """sensitive.unmark, skipped while no value has been marked (the common case)."""
        return unmark(value) if self.marks_seen else (value, False)

    def scrub(self, text: str) -> str:
        return scrub(text, self.sensitive)

    # --- expressions -------------------------------------------------------------------
    def ev(self, node: tuple, scope: Scope, env: dict) -> Any:
        budget = self.budget
        budget.steps += 1
        if budget.steps > MAX_STEPS:
            budget.spend_steps(0)
        return self._dispatch[node[0]](node, scope, env)

    def eval_attr(self, node: tuple, scope: Scope, env: dict, where: tuple[str, int | None] | None = None) -> Any:
        """An argument's value; Terraform-level errors become an Unknown naming the problem, overrun
        limits and too-deep nesting are input errors at `where` (default: the enclosing argument)."""
        saved = self.where
        if where is not None:
            self.where = where
        try:
            value = self.ev(node, scope, env)
            if type(value) in _CONTAINERS:
                self.measure.check(value)
            return value
        except EvalError as exc:
            return Unknown(scrub(f"cannot evaluate: {exc}", self.sensitive))
        except BudgetError as exc:
            return self._fail(str(exc))
        except RecursionError:
            return self._fail("expression nested too deeply to evaluate")
        finally:
            self.where = saved

    def _fail(self, message: str, where: tuple[str, int | None] | None = None) -> Unknown:
        """An input error at `where` (default: the argument being evaluated); a scan-wide budget
        is reported once."""
        if message != self.budget.exhausted or ("budget", message) not in self._reported:
            self._reported.add(("budget", message))
            file, line = where or self.where
            self.error(file, line, message)
        return Unknown(f"not evaluated: {message}")

    def _lit(self, node, scope, env):
        value = node[1]
        if isinstance(value, float) and value.is_integer():
            return check_number(int(value))
        return value

    def _bad(self, node, scope, env):
        return Unknown(node[1])

    def _paren(self, node, scope, env):
        return self.ev(node[1], scope, env)

    def _var(self, node, scope, env):
        name = node[1]
        if name in env:
            return env[name]
        if _TEMPLATE in env:
            raise EvalError(f"templatefile: variable {name!r} was not given to the template")
        root = _ROOTS.get(name)
        if root is not None:
            return root
        if name == "path":
            return {"module": os.path.relpath(scope.mod.path, scope.root_dir), "root": ".", "cwd": "."}
        if name == "terraform":
            return {"workspace": "default"}
        if name in ("count", "each", "self"):
            raise EvalError(f"{name} is not available here")
        return TypeRoot("managed", name)

    def _attr(self, node, scope, env):
        return self.get_attr(self.ev(node[1], scope, env), node[2], scope)

    def get_attr(self, obj: Any, name: str, scope: Scope) -> Any:
        if isinstance(obj, dict):
            if name in obj:
                return obj[name]
            raise EvalError(f"object has no attribute {name!r}")
        if isinstance(obj, Sensitive):
            return self._mark_if(self.get_attr(obj.value, name, scope), True)
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
            return TypeRoot("data", name)
        if isinstance(obj, TypeRoot):
            return self.resource_value(scope, obj.mode, obj.type, name)
        if isinstance(obj, ModuleInstanceValue):
            return self.output(obj.scope, name)
        if isinstance(obj, RemoteModuleValue):
            return Unknown(obj.reason)
        if obj is None:
            raise EvalError(f"attribute {name!r} of null")
        if isinstance(obj, list):
            raise EvalError(f"attribute {name!r} of a list (an index or splat is missing)")
        raise EvalError(f"attribute {name!r} of a {fn.type_name(obj)}")

    def _idx(self, node, scope, env):
        return self.index(self.ev(node[1], scope, env), self.ev(node[2], scope, env))

    def index(self, obj: Any, key: Any) -> Any:
        if isinstance(obj, Sensitive) or isinstance(key, Sensitive):
            plain_key, key_marked = self._unmark(key)
            inner = obj.value if isinstance(obj, Sensitive) else obj
            return self._mark_if(self.index(inner, plain_key), True)
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
            k = self._str(key) if not isinstance(key, str) else key
            if k in obj:
                return obj[k]
            raise EvalError(f"no element {k!r}")
        if isinstance(obj, Ref):
            return Ref(obj.address, f"{obj.attribute}[{_key(key)}]")
        if isinstance(obj, ResourceInstance):
            raise EvalError(f"{obj.address} has no count or for_each; it cannot be indexed")
        if isinstance(obj, RemoteModuleValue):
            return Unknown(obj.reason)
        raise EvalError(f"cannot index {'null' if obj is None else 'a ' + fn.type_name(obj)}")

    def _splat(self, node, scope, env):
        _, obj_node, ops, full = node
        obj = self.ev(obj_node, scope, env)
        marked = isinstance(obj, Sensitive)
        if marked:
            obj = obj.value
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
        self.budget.spend_steps(len(items))
        out = [self._apply_ops(item, per_item, scope, env) for item in items]
        return self._mark_if(self._apply_ops(out, after, scope, env), marked)

    def _apply_ops(self, value: Any, ops: list, scope: Scope, env: dict) -> Any:
        for op in ops:
            if op[0] == "ga":
                value = self.get_attr(value, op[1], scope)
            else:
                value = self.index(value, self.ev(op[1], scope, env))
        return value

    def _tuple(self, node, scope, env):
        self.budget.spend_steps(len(node[1]))
        return [self.ev(item, scope, env) for item in node[1]]

    def _object(self, node, scope, env):
        out = {}
        marked = False
        self.budget.spend_steps(len(node[1]))
        for key_node, value_node in node[1]:
            key, key_marked = self._unmark(self.ev(key_node, scope, env))
            marked = marked or key_marked
            if isinstance(key, Unknown):
                return key
            out[key if isinstance(key, str) else self._str(key)] = self.ev(value_node, scope, env)
        return self._mark_if(out, marked)

    def _str(self, value: Any) -> str:
        try:
            return fn.to_str(value)
        except (fn.FunctionError, ValueError) as exc:
            raise EvalError(str(exc)) from None

    def _bool(self, value: Any) -> bool | Unknown:
        if isinstance(value, (bool, Unknown)):
            return value
        if value in ("true", "false"):
            return value == "true"
        if isinstance(value, Ref):
            return Unknown(f"condition on {value}, known only after apply")
        raise EvalError(f"{'null' if value is None else 'a ' + fn.type_name(value)} is not a bool")

    def _cond(self, node, scope, env):
        cond, marked = self._unmark(self.ev(node[1], scope, env))
        cond = self._bool(cond)
        if isinstance(cond, Unknown):
            a = self.eval_attr(node[2], scope, env)
            b = self.eval_attr(node[3], scope, env)
            return a if a == b and not isinstance(a, Unknown) else cond
        return self._mark_if(self.ev(node[2] if cond else node[3], scope, env), marked)

    def _un(self, node, scope, env):
        value, marked = self._unmark(self.ev(node[2], scope, env))
        if isinstance(value, Unknown):
            return value
        if node[1] == "!":
            b = self._bool(value)
            return b if isinstance(b, Unknown) else self._mark_if(not b, marked)
        return self._mark_if(-_num(value), marked)

    def _bin(self, node, scope, env):
        """A chain of binary operators (`a + b + c ...` is nested on the left) without recursion."""
        chain = []
        while node[0] == "bin":
            chain.append(node)
            node = node[2]
        value = self.ev(node, scope, env)
        for link in reversed(chain):
            value = self._binary(link[1], value, link[3], scope, env)
        return value

    def _binary(self, op: str, left: Any, right_node: tuple, scope: Scope, env: dict) -> Any:
        left, marked = self._unmark(left)
        if op in ("&&", "||"):
            lb = self._bool(left)
            if not isinstance(lb, Unknown) and lb == (op == "||"):
                return self._mark_if(lb, marked)
            right, right_marked = self._unmark(self.ev(right_node, scope, env))
            rb = self._bool(right)
            if isinstance(lb, Unknown):
                return rb if not isinstance(rb, Unknown) and rb == (op == "||") else lb
            return self._mark_if(rb, marked or right_marked)
        right, right_marked = self._unmark(self.ev(right_node, scope, env))
        marked = marked or right_marked
        for side in (left, right):
            if isinstance(side, Unknown):
                return side
        if op in ("==", "!="):
            self.measure.check(left)
            self.measure.check(right)
            if isinstance(left, Ref) or isinstance(right, Ref):
                if left == right:
                    return op == "=="
                return Unknown(f"comparison with {left if isinstance(left, Ref) else right}, known only after apply")
            equal = _normal(left) == _normal(right)
            return self._mark_if(equal if op == "==" else not equal, marked)
        try:
            a, b = _num(left), _num(right)
        except EvalError:
            if marked:
                raise EvalError(f"operator {op}: a sensitive operand is not a number") from None
            raise
        try:
            if op in ("+", "-", "*", "/", "%"):
                if op == "*" and isinstance(a, int) and isinstance(b, int):
                    check_bits(a.bit_length() + b.bit_length())
                result = {"+": lambda: a + b, "-": lambda: a - b, "*": lambda: a * b,
                          "/": lambda: a / b, "%": lambda: a % b}[op]()
                return self._mark_if(check_number(fn.number(result)), marked)
        except ZeroDivisionError:
            raise EvalError("division by zero") from None
        except OverflowError:
            raise EvalError("number out of range") from None
        return self._mark_if({"<": a < b, ">": a > b, "<=": a <= b, ">=": a >= b}[op], marked)

    def _tmpl(self, node, scope, env):
        return self.render(node[1], scope, env)

    def render(self, parts: tuple, scope: Scope, env: dict) -> Any:
        out: list[str] = []
        marked = False
        size = 0
        for part in parts:
            if isinstance(part, str):
                out.append(part)
                size += len(part)
                continue
            tag = part[0]
            if tag == "if":
                cond, cond_marked = self._unmark(self.ev(part[1], scope, env))
                marked = marked or cond_marked
                cond = self._bool(cond)
                if isinstance(cond, Unknown):
                    return cond
                value = self.render(part[2] if cond else part[3], scope, env)
            elif tag == "for":
                value = self._render_for(part, scope, env)
            else:
                value = self.ev(part, scope, env)
            value, value_marked = self._unmark(value)
            marked = marked or value_marked
            if isinstance(value, Unknown):
                return value
            if isinstance(value, (dict, list)):
                raise EvalError(f"a {fn.type_name(value)} cannot be interpolated into a string")
            if isinstance(value, (ResourceInstance, ModuleInstanceValue, _Root, TypeRoot)):
                raise EvalError("a whole resource or module cannot be interpolated into a string")
            text = self._str(value)
            size += len(text)
            if size > MAX_STRING:
                check_size("".join(out) + text)
            out.append(text)
        self.budget.spend_chars(size)
        return self._mark_if("".join(out), marked)

    def _render_for(self, part: tuple, scope: Scope, env: dict) -> Any:
        coll, marked = self._unmark(self.ev(part[3], scope, env))
        if isinstance(coll, Unknown):
            return coll
        pieces = []
        size = 0
        for k, v in self._iterate(coll):
            inner = dict(env)
            if part[1]:
                inner[part[1]] = k
            inner[part[2]] = v
            piece = self.render(part[4], scope, inner)
            piece, piece_marked = self._unmark(piece)
            marked = marked or piece_marked
            if isinstance(piece, Unknown):
                return piece
            size += len(piece)
            if size > MAX_STRING:
                check_size("".join(pieces) + piece)
            pieces.append(piece)
        return self._mark_if("".join(pieces), marked)

    def _iterate(self, coll: Any) -> list[tuple[Any, Any]]:
        if isinstance(coll, dict):
            self.budget.spend_steps(len(coll))
            return sorted(coll.items(), key=lambda kv: kv[0])
        if isinstance(coll, list):
            self.budget.spend_steps(len(coll))
            return list(enumerate(coll))
        if coll is None:
            raise EvalError("cannot iterate over null")
        raise EvalError(f"cannot iterate over a {fn.type_name(coll)}")

    def _for_envs(self, kname, vname, coll_node, cond_node, scope, env) -> tuple[list[dict] | Unknown, bool]:
        """The environments of a for expression's kept iterations (its `if` applied), or Unknown;
        and whether the collection was sensitive (then every element and the result are)."""
        coll = self.ev(coll_node, scope, env)
        marked = isinstance(coll, Sensitive)
        if marked:
            coll = coll.value
        if isinstance(coll, Unknown):
            return coll, marked
        envs = []
        for k, v in self._iterate(coll):
            inner = dict(env)
            if kname:
                inner[kname] = self._mark_if(k, marked)
            inner[vname] = self._mark_if(v, marked)
            if cond_node is not None:
                keep, keep_marked = self._unmark(self.ev(cond_node, scope, inner))
                marked = marked or keep_marked
                keep = self._bool(keep)
                if isinstance(keep, Unknown):
                    return keep, marked
                if not keep:
                    continue
            envs.append(inner)
        return envs, marked

    def _fort(self, node, scope, env):
        _, kname, vname, coll_node, value_node, cond_node = node
        envs, marked = self._for_envs(kname, vname, coll_node, cond_node, scope, env)
        if isinstance(envs, Unknown):
            return envs
        return self._mark_if(check_size([self.ev(value_node, scope, inner) for inner in envs]), marked)

    def _foro(self, node, scope, env):
        _, kname, vname, coll_node, key_node, value_node, group, cond_node = node
        envs, marked = self._for_envs(kname, vname, coll_node, cond_node, scope, env)
        if isinstance(envs, Unknown):
            return envs
        out: dict = {}
        for inner in envs:
            key, key_marked = self._unmark(self.ev(key_node, scope, inner))
            marked = marked or key_marked
            if isinstance(key, Unknown):
                return key
            key = self._str(key)
            value = self.ev(value_node, scope, inner)
            if group:
                out.setdefault(key, []).append(value)
            elif key in out:
                raise EvalError("duplicate key in for expression (use ... to group)" if marked
                                else f"duplicate key {key!r} in for expression (use ... to group)")
            else:
                out[key] = value
        return self._mark_if(out, marked)

    # --- function calls ----------------------------------------------------------------
    def _call(self, node, scope, env):
        _, name, arg_nodes, expand = node
        if name in ("try", "can"):
            return self._try(name, arg_nodes, scope, env)
        raw = [self.ev(a, scope, env) for a in arg_nodes]
        if name == "sensitive":
            return self.mark(raw[0]) if len(raw) == 1 else Unknown("sensitive() takes one argument")
        args, marked = self._unmark(raw)
        if name == "nonsensitive":
            return args[0] if len(args) == 1 else Unknown("nonsensitive() takes one argument")
        if marked:
            try:
                return self.mark(self._apply(name, args, expand, scope))
            except EvalError:
                raise EvalError(f"{name}(): invalid argument (a sensitive value)") from None
        return self._apply(name, args, expand, scope)

    def _apply(self, name: str, args: list, expand: bool, scope: Scope) -> Any:
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
            return self.file_function(name, args, scope)
        if "::" in name:
            return Unknown(f"provider function {name}() is not evaluated by the scanner")
        for arg in args:
            self.measure.check(arg)
        try:
            result = fn.call(name, args)
        except (fn.FunctionError, TypeError, ValueError, KeyError, IndexError, ZeroDivisionError,
                AttributeError, OverflowError) as exc:
            raise EvalError(f"{name}(): {exc}") from None
        if isinstance(result, str):
            self.budget.spend_chars(len(result))
        elif isinstance(result, (list, dict)):
            self.budget.spend_steps(len(result))
        return check_number(check_size(result))

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


def _normal(value: Any) -> Any:
    """Terraform compares numbers by value whatever their spelling."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value
