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


Possible = tuple[Resource, Unknown]  # a satellite that may belong to an owner, and why that is not decided


def linked(inventory: Inventory, owners: list[Resource], satellites: list[Resource], prop: str,
           ) -> tuple[dict[str, list[Resource]], dict[str, list[Possible]]]:
    """Satellites (public access blocks, network rules, ...) by the owner their `prop` refers to.

    Returns ({owner address: satellites that belong to it}, {owner address: satellites that may
    belong to it, with the reason it is not decided}). A reference not known at plan time may point
    at any owner; an ambiguous name at each owner that has it. Rules decide from both: a verdict
    that holds whichever satellite is linked must not wait for the link.
    """
    kinds = tuple({o.kind for o in owners})
    addresses = {o.address for o in owners}
    owned: dict[str, list[Resource]] = {}
    possible: dict[str, list[Possible]] = {}
    for satellite in satellites:
        value = satellite.get(prop)
        target = value if isinstance(value, Unknown) else inventory.resolve(value, kinds)
        if isinstance(target, Resource):
            if target.address in addresses:
                owned.setdefault(target.address, []).append(satellite)
        elif isinstance(target, Unknown):
            reason = target  # rules say which satellite they could not place; the reason says why
            candidates = owners if isinstance(value, Unknown) else inventory.candidates(value, kinds)
            for owner in candidates:
                possible.setdefault(owner.address, []).append((satellite, reason))
    return owned, possible
