"""Variables and outputs of a `terraform show -json` plan, as terraform.* resources of the model.

The plan knows each root variable's value, each declaration's `sensitive` flag, the references an
output's expression makes and the values Terraform marks sensitive. Only a variable's configured
default counts as written in the configuration: values given by tfvars, -var or TF_VAR_* at plan
time may come from a secret store and are not scanned as literals (the HCL scan reads tfvars files).
"""

from __future__ import annotations

from typing import Any, Iterator

from rulebook.adapters import leaves
from rulebook.model import Resource, SourceLocation
from rulebook.unknown import Unknown


ENGINE = "terraform-plan"


def declarations(data: dict, locate) -> list[Resource]:
    """terraform.variable / terraform.output resources of the root module and the modules it calls.

    `locate(module_key, block, name)` gives the SourceLocation of a declaration in the sources."""
    root = (data.get("configuration") or {}).get("root_module")
    if not isinstance(root, dict):
        return []
    values = data.get("variables") if isinstance(data.get("variables"), dict) else {}
    planned = ((data.get("planned_values") or {}).get("outputs") or {})
    return list(_module(root, (), values, planned if isinstance(planned, dict) else {}, locate))


def _module(conf: dict, key: tuple[str, ...], values: dict, planned: dict, locate) -> Iterator[Resource]:
    prefix = "".join(f"module.{k}." for k in key)
    for name, decl in _mapping(conf.get("variables")).items():
        yield _variable(name, decl, key, prefix, values if not key else {}, locate)
    for name, decl in _mapping(conf.get("outputs")).items():
        yield _output(name, decl, key, prefix, planned if not key else {}, locate)
    for call, body in _mapping(conf.get("module_calls")).items():
        child = body.get("module") if isinstance(body, dict) else None
        if isinstance(child, dict):
            yield from _module(child, key + (call,), {}, {}, locate)


def _mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def _variable(name: str, decl: Any, key: tuple[str, ...], prefix: str, values: dict, locate) -> Resource:
    decl = _mapping(decl)
    has_default = "default" in decl
    given = _mapping(values.get(name))
    if "value" in given:
        value = given["value"]
        source = "default" if has_default and value == decl.get("default") else "tfvars"
    elif has_default:
        value, source = decl.get("default"), "default"
    else:
        value, source = Unknown(f"variable {name} is set by the module call"), "module_call" if key else "unset"
    literal = source == "default"
    props = {"name": name, "value": value, "sensitive": decl.get("sensitive") is True, "source": source,
             "literal": literal, "used_by": []}
    return Resource(kind="terraform.variable", address=f"{prefix}var.{name}", engine=ENGINE, props=props,
                    location=locate(key, "variable", name), native_type="variable",
                    values=list(leaves(value, name)) if literal else [])


def _output(name: str, decl: Any, key: tuple[str, ...], prefix: str, planned: dict, locate) -> Resource:
    decl = _mapping(decl)
    refs = _mapping(decl.get("expression")).get("references") or []
    exposes = sorted({r for r in refs if isinstance(r, str) and _resource_attribute(r)})
    value = _mapping(planned.get(name)).get("value", Unknown(f"output {name} is known only after apply"))
    props = {"name": name, "value": value, "sensitive": decl.get("sensitive") is True, "exposes": exposes}
    return Resource(kind="terraform.output", address=f"{prefix}output.{name}", engine=ENGINE, props=props,
                    location=locate(key, "output", name), native_type="output")


def _resource_attribute(ref: str) -> bool:
    parts = ref.split(".")
    if parts[0] in ("var", "local", "module", "each", "count", "path", "terraform", "self"):
        return False
    return len(parts) >= (4 if parts[0] == "data" else 3)


def mark_sensitive_entries(resource: Resource, sensitive_paths: list[str]) -> None:
    """Environment entries whose value the plan marks sensitive are secret (not plain-text literals)."""
    entries = resource.props.get("environment")
    if not isinstance(entries, list) or not sensitive_paths:
        return
    for item in entries:
        path = item.get("path") or ""
        if any(path == p or path.startswith((p + ".", p + "[")) or p == "(whole value)" for p in sensitive_paths):
            item["secret"] = True


__all__ = ["declarations", "mark_sensitive_entries", "SourceLocation"]
