"""Provisioners in a plan's `configuration` -> instances of mode "provisioner" for the adapter.

A plan lists each resource's provisioners with their expressions: constants are read as written.
An argument that interpolates anything (`${self.public_ip}`, a variable) has only its references in
the plan; it is read from the .tf sources when the plan is scanned with them (`--repo-root`, the
same block referring to the same variables), as the HCL scan reads it, else it is Unknown naming
what it is computed from. Script files are read only from the sources. A plan holds neither `when`
nor connection blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from rulebook.unknown import Unknown, find_unknown

from .named_values import EvaluatedResource
from .provisioners import SCRIPT_TEXTS
from .references import body_roots, configuration_roots

_SCOPED = ("var.", "local.", "module.", "data.")  # what a provisioner body's roots name without declarations


@dataclass(slots=True)
class PlannedProvisioner:
    type: str
    address: str
    attrs: dict[str, Any]
    expressions: dict[str, Any]
    source: EvaluatedResource | None  # the same provisioner evaluated from the .tf sources


def planned_provisioners(conf: dict, address: str,
                         from_sources: Callable[[str], EvaluatedResource | None] | None) -> list[PlannedProvisioner]:
    """The provisioners of one resource instance (`address`), from its configuration block `conf`."""
    out = []
    for index, prov in enumerate(conf.get("provisioners") or []):
        if not isinstance(prov, dict) or not isinstance(prov.get("type"), str):
            continue
        exprs = prov.get("expressions") if isinstance(prov.get("expressions"), dict) else {}
        own = f"{address}.provisioner[{index}]"
        source = from_sources(own) if from_sources is not None else None
        if source is not None and not _same_provisioner(source, prov["type"], exprs):
            source = None
        attrs = {name: _value(name, expr, source, from_sources is not None) for name, expr in exprs.items()
                 if _is_expression(expr)}
        if "script" in attrs or "scripts" in attrs:
            attrs[SCRIPT_TEXTS] = source.attrs.get(SCRIPT_TEXTS) if source is not None else Unknown(
                "remote-exec script files are read from the .tf sources: scan the plan with --repo-root")
        out.append(PlannedProvisioner(prov["type"], own, attrs, exprs, source))
    return out


def _is_expression(value: Any) -> bool:
    return isinstance(value, dict) and bool(value) and set(value) <= {"constant_value", "references"}


def _same_provisioner(source: EvaluatedResource, ptype: str, exprs: dict) -> bool:
    """The sources' provisioner is the plan's: same type, referring to the same variables and modules."""
    planned = {r for r in configuration_roots(exprs) if r.startswith(_SCOPED)}
    return source.type == ptype and body_roots(source.body, set()) == planned


def _value(name: str, expr: dict, source: EvaluatedResource | None, with_sources: bool) -> Any:
    if "constant_value" in expr:
        return expr["constant_value"]
    if source is not None and name in source.attrs and find_unknown(source.attrs[name]) is None:
        return source.attrs[name]
    refs = ", ".join(r for r in expr.get("references") or [] if isinstance(r, str)) or "an expression"
    hint = "" if with_sources else " (scan the plan with --repo-root to read it from the .tf sources)"
    return Unknown(f"{name} of the provisioner is computed from {refs}; the plan does not show it{hint}")
