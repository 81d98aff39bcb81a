"""count / for_each of a resource or module call: the instances Terraform would create.

Kept apart from named_values.py so the expansion (the decisions on unknown, sensitive, negative
and over-limit counts and keys) is one small module that tests pin down exactly.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from rulebook.model import Ref
from rulebook.unknown import Unknown

from . import functions as fn
from .budgets import BudgetError
from .sensitive import Sensitive

if TYPE_CHECKING:
    from .modules import Decl
    from .named_values import Declarations, Scope


def instance_key(value: Any) -> str:
    """The key as Terraform shows it in an address: `aws_iam_role.ci["a"]`."""
    import json
    return json.dumps(value, ensure_ascii=False)


def expand(ev: "Declarations", decl: "Decl", scope: "Scope", base: str,
           make: Callable[[str, dict, list], Any]) -> tuple[Any, list]:
    """count / for_each -> (the value references see, the instances).

    The value is one instance, a list (count) or a dict (for_each). An unknown count or
    for_each gives an Unknown value and one instance evaluated with unknown count.index/each,
    so its rules report UNKNOWN instead of the resource vanishing; so does a count or for_each
    Terraform rejects (sensitive, over the instance limit), with an input error."""
    count_node, each_node = decl.attr("count"), decl.attr("for_each")
    where = (decl.file, decl.line)

    def undecided(meta: str, reason: str) -> tuple[Any, list]:
        note = f"{meta} is unknown ({reason}); evaluated as one instance"
        if meta == "count":
            env = {"count": {"index": Unknown(f"count.index: {reason}")}}
        else:
            unknown = Unknown(f"each: {reason}")
            env = {"each": {"key": unknown, "value": unknown}}
        return Unknown(note), [make(base, env, [note])]

    def refused(meta: str, message: str) -> tuple[Any, list]:
        if message == ev.budget.exhausted:  # past the scan-wide limit nothing more is expanded
            return ev._fail(message, where), []
        ev.error(decl.file, decl.line, f"{meta} of {base}: {message}")
        return undecided(meta, message)

    def over_budget(meta: str, value: Any) -> tuple[Any, list] | None:
        """A limit overrun while evaluating it (already reported where it happened)."""
        if not (isinstance(value, Unknown) and value.reason.startswith("not evaluated:")):
            return None
        return (value, []) if ev.budget.exhausted else undecided(meta, value.reason)

    def evaluated(meta: str, node: Any) -> tuple[Any, tuple[Any, list] | None]:
        """The meta-argument's value, and the result to return instead when it cannot be used at all."""
        value = ev.eval_attr(node, scope, {}, where)
        if isinstance(value, Sensitive):
            return value, refused(meta, "Terraform does not accept a sensitive value here")
        return value, over_budget(meta, value)

    if count_node is not None:
        count, stopped = evaluated("count", count_node)
        if stopped is not None:
            return stopped
        if isinstance(count, Unknown) or isinstance(count, Ref):
            return undecided("count", count.reason if isinstance(count, Unknown)
                             else f"{count} is known only after apply")
        try:
            n = int(fn.number(count))
        except (fn.FunctionError, OverflowError, ValueError) as exc:
            ev.error(decl.file, decl.line, f"count of {base}: {exc}")
            return Unknown(f"count of {base}: {exc}"), []
        if n < 0:
            ev.error(decl.file, decl.line, f"count of {base} is negative")
            return Unknown(f"count of {base} is negative"), []
        try:
            ev.budget.spend_instances(n)
        except BudgetError as exc:
            return refused("count", str(exc))
        insts = [make(f"{base}[{i}]", {"count": {"index": i}}, []) for i in range(n)]
        return insts, insts
    if each_node is not None:
        each, stopped = evaluated("for_each", each_node)
        if stopped is not None:
            return stopped
        if isinstance(each, list):  # a set holding values known only after apply: keys unknown
            each = next((v for v in each if isinstance(v, (Unknown, Ref))), each)
        if isinstance(each, (Unknown, Ref)):
            return undecided("for_each", each.reason if isinstance(each, Unknown)
                             else f"{each} is known only after apply")
        if isinstance(each, list):
            items = []
            for item in each:
                if isinstance(item, Sensitive):
                    return refused("for_each", "Terraform does not accept a sensitive value here")
                if not isinstance(item, str):
                    ev.error(decl.file, decl.line, f"for_each of {base}: a set must hold strings")
                    return Unknown(f"for_each of {base} is not a set of strings"), []
                items.append((item, item))
        elif isinstance(each, dict):
            items = sorted(each.items(), key=lambda kv: kv[0])
        else:
            shown = "null" if each is None else f"a {fn.type_name(each)}"
            ev.error(decl.file, decl.line, f"for_each of {base} is {shown}, not a map or set of strings")
            return Unknown(f"for_each of {base} is not a map or set"), []
        try:
            ev.budget.spend_instances(len(items))
        except BudgetError as exc:
            return refused("for_each", str(exc))
        by_key = {k: make(f"{base}[{instance_key(k)}]", {"each": {"key": k, "value": v}}, []) for k, v in items}
        return by_key, list(by_key.values())
    ev.budget.instances += 1
    single = make(base, {}, [])
    return single, [single]
