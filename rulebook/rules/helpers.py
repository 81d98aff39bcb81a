"""Small readers shared by rules: three-valued booleans and linked resources."""

from __future__ import annotations

from typing import Any

from ..model import Inventory, Resource
from ..unknown import Unknown


def flag(resource: Resource, prop: str) -> bool | Unknown | None:
    """A boolean prop as True/False, Unknown when not known at plan time, None when not set."""
    value: Any = resource.get(prop)
    if value is None or isinstance(value, (bool, Unknown)):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return Unknown(f"{prop} has a non-boolean value {value!r}")


def linked(inventory: Inventory, owners: list[Resource], satellites: list[Resource],
           prop: str) -> tuple[dict[str, list[Resource]], list[Resource]]:
    """Group satellite resources (e.g. public access blocks) by the owner their `prop` points at.

    Returns ({owner address: [satellites]}, satellites whose target could not be resolved).
    """
    owner_addresses = {o.address for o in owners}
    by_owner: dict[str, list[Resource]] = {}
    unresolved: list[Resource] = []
    for satellite in satellites:
        target = inventory.resolve(satellite.get(prop))
        if target is not None and target.address in owner_addresses:
            by_owner.setdefault(target.address, []).append(satellite)
        else:
            unresolved.append(satellite)
    return by_owner, unresolved
