"""Pulumi resources (type token, logical name, URN, props) -> the rulebook model.

Shared by the policy pack (which receives resources from the engine) and the preview gate.
A resource's address is its Pulumi logical name (what `pulumi preview` shows); when two resources
of a stack share a name the later ones are told apart by their type token. Types without a mapping
stay in the inventory as kind "unmapped", so secret scans still see their values.
"""

from __future__ import annotations

from typing import Any, Iterable

from rulebook.adapters import effective_tags, leaves
from rulebook.model import Inventory, Linked, Ref, Resource, SourceLocation
from rulebook.unknown import Unknown

from . import aws, azure, commands, workloads
from rulebook.reader import Reader
from .values import plain

ENGINE = "pulumi"
UNMAPPED = "unmapped"
BUILDERS = {**aws.BUILDERS, **azure.BUILDERS, **workloads.BUILDERS, **commands.BUILDERS}


def supported_types() -> list[str]:
    return sorted(BUILDERS)


def to_resource(type_: str, name: str, props: Any, urn: str = "", address: str | None = None,
                links: dict[str, tuple[str, ...]] | None = None, described: dict[str, str] | None = None) -> Resource:
    """Translate one resource; `props` may be the SDK's proxies or plain data. `links`: for a property,
    the addresses of the resources its value comes from (the engine's property dependencies)."""
    values = plain(props) if props is not None else {}
    if not isinstance(values, dict):
        values = {}
    if links:
        values = _linked(values, links, described)
    builder = BUILDERS.get(azure.normalise_token(type_))
    reader = Reader(values, name)
    kind, mapped = (builder(reader) if builder else (UNMAPPED, {}))
    return Resource(kind=kind, address=address or name, engine=ENGINE,
                    props={k: v for k, v in mapped.items() if v is not None},
                    tags=effective_tags(values.get("tags"), values.get("tagsAll")),
                    location=SourceLocation(urn=urn or None), native_type=type_,
                    values=list(leaves(values)), notes=reader.notes)


# Properties whose value designates another resource (a bucket's name, a role's name or ARN, an identity's
# principal, a role assignment's scope): when such a value is unknown in a preview but the engine says
# it comes from exactly one resource, that resource is what it designates, as an HCL reference would be.
REFERENCE_PROPS = frozenset({"bucket", "role", "user", "group", "repository", "policyArn", "principalId", "scope",
                             "roleDefinitionId"})


def _waits_on(key: str, targets: tuple[str, ...], described: dict[str, str]) -> Unknown:
    names = ", ".join(described.get(t, t) for t in targets)
    return Unknown(f"{key} waits on {names} (not known until then)")


def _linked(values: dict[str, Any], links: dict[str, tuple[str, ...]],
            described: dict[str, str] | None = None) -> dict[str, Any]:
    """String properties (and strings in list properties) kept with the resources they come from, so a
    name shared by two resources still designates the one the program passed. An unknown value names
    what it waits on; an unknown reference to exactly one resource becomes a Ref to it."""
    out = dict(values)
    for key, targets in links.items():
        value = out.get(key)
        if not targets:
            continue
        if isinstance(value, Unknown):
            out[key] = Ref(targets[0], key) if key in REFERENCE_PROPS and len(targets) == 1 \
                else _waits_on(key, targets, described or {})
        elif isinstance(value, str):
            out[key] = Linked(value, targets)
        elif isinstance(value, list):
            out[key] = [Linked(v, targets) if isinstance(v, str) else v for v in value]
    return out


Record = tuple  # (type, name, props, urn) or (type, name, props, urn, {property: [dependency URNs]})


def to_inventory(resources: Iterable[Record]) -> Inventory:
    """An inventory from (type, name, props, urn[, property dependencies]) tuples, addresses unique
    within the stack; property dependencies become links between the resources."""
    records = list(resources)
    addresses: list[str] = []
    taken: set[str] = set()
    for type_, name, *_ in records:
        addresses.append(name if name not in taken else f"{name} ({type_})")
        taken.add(addresses[-1])
    by_urn = {record[3]: address for record, address in zip(records, addresses) if record[3]}
    described = {address: f"{record[0]} {record[1]}" for record, address in zip(records, addresses)}
    inventory = Inventory()
    for (type_, name, props, urn, *rest), address in zip(records, addresses):
        deps = rest[0] if rest and isinstance(rest[0], dict) else {}
        links = {key: tuple(by_urn[u] for u in urns if u in by_urn) for key, urns in deps.items()}
        inventory.add(to_resource(type_, name, props, urn, address, links, described))
    return inventory


__all__ = ["ENGINE", "UNMAPPED", "to_resource", "to_inventory", "supported_types", "plain"]
