"""Pulumi resources (type token, logical name, URN, props) -> the rulebook model.

Shared by the policy pack (which receives resources from the engine) and the preview gate.
A resource's address is its Pulumi logical name (what `pulumi preview` shows); when two resources
of a stack share a name the later ones are told apart by their type token. Types without a mapping
stay in the inventory as kind "unmapped", so secret scans still see their values.
"""

from __future__ import annotations

from typing import Any, Iterable

from rulebook.model import Inventory, Resource, SourceLocation
from rulebook.unknown import Unknown

from . import aws, azure, workloads
from .reader import Reader
from .values import leaves, plain

ENGINE = "pulumi"
UNMAPPED = "unmapped"
BUILDERS = {**aws.BUILDERS, **azure.BUILDERS, **workloads.BUILDERS}


def supported_types() -> list[str]:
    return sorted(BUILDERS)


def _tags(props: dict[str, Any]) -> dict[str, Any] | Unknown:
    tags = props.get("tags")
    if isinstance(tags, Unknown):
        return tags
    return dict(tags) if isinstance(tags, dict) else {}


def to_resource(type_: str, name: str, props: Any, urn: str = "", address: str | None = None) -> Resource:
    """Translate one resource; `props` may be the SDK's proxies or plain data."""
    values = plain(props) if props is not None else {}
    if not isinstance(values, dict):
        values = {}
    builder = BUILDERS.get(azure.normalise_token(type_))
    reader = Reader(values, name)
    kind, mapped = (builder(reader) if builder else (UNMAPPED, {}))
    return Resource(kind=kind, address=address or name, engine=ENGINE,
                    props={k: v for k, v in mapped.items() if v is not None},
                    tags=_tags(values), location=SourceLocation(urn=urn or None), native_type=type_,
                    values=list(leaves(values)), notes=reader.notes)


def to_inventory(resources: Iterable[tuple[str, str, Any, str]]) -> Inventory:
    """An inventory from (type, name, props, urn) tuples, addresses unique within the stack."""
    inventory = Inventory()
    for type_, name, props, urn in resources:
        address = name if inventory.by_address(name) is None else f"{name} ({type_})"
        inventory.add(to_resource(type_, name, props, urn, address))
    return inventory


__all__ = ["ENGINE", "UNMAPPED", "to_resource", "to_inventory", "supported_types", "plain"]
