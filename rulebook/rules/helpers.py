"""Small readers shared by rules: three-valued booleans and linked resources."""

from __future__ import annotations

from typing import Any

from ..model import Inventory, Linked, Ref, Resource
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

# Satellites whose link is not decided that a rule compares one by one for one owner. Past it the owner
# is "crowded": UNKNOWN naming the count, so a hostile stack of 10,000 unknown links costs O(N + M).
MAX_POSSIBLE = 64


def linked(inventory: Inventory, owners: list[Resource], satellites: list[Resource], prop: str,
           ) -> tuple[dict[str, list[Resource]], dict[str, list[Possible]], dict[str, Possible]]:
    """Satellites (public access blocks, network rules, ...) by the owner their `prop` refers to.

    Returns ({owner address: satellites that belong to it}, {owner address: satellites that may
    belong to it, with the reason it is not decided}, {owner address: the first of more than
    MAX_POSSIBLE satellites that may belong to it, with a reason naming how many}). A reference not
    known at plan time may point at any owner; an ambiguous name at each owner that has it. Rules
    decide from the first two: a verdict that holds whichever satellite is linked must not wait for
    the link. A crowded owner is not compared one by one: its rules report UNKNOWN.
    """
    kinds = tuple({o.kind for o in owners})
    addresses = {o.address for o in owners}
    owned: dict[str, list[Resource]] = {}
    floating: list[tuple[int, Possible]] = []  # a reference not known: any owner
    groups: dict[Any, tuple[list[Resource], list[tuple[int, Possible]]]] = {}  # an ambiguous value: its owners
    resolved: dict[Any, Any] = {}
    for index, satellite in enumerate(satellites):
        value = satellite.get(prop)
        key = _value_key(value, index)
        if key not in resolved:
            resolved[key] = value if isinstance(value, Unknown) else inventory.resolve(value, kinds)
        target = resolved[key]
        if isinstance(target, Resource):
            if target.address in addresses:
                owned.setdefault(target.address, []).append(satellite)
        elif isinstance(target, Unknown):
            entry = (index, (satellite, target))  # rules say which satellite they could not place; the reason why
            if isinstance(value, Unknown):
                floating.append(entry)
            else:
                if key not in groups:
                    groups[key] = (inventory.candidates(value, kinds), [])
                groups[key][1].append(entry)
    reach: dict[str, list[list[tuple[int, Possible]]]] = {}
    for candidates, entries in groups.values():
        for owner in candidates:
            reach.setdefault(owner.address, []).append(entries)
    possible: dict[str, list[Possible]] = {}
    crowded: dict[str, Possible] = {}
    for owner in owners:
        parts = ([floating] if floating else []) + reach.get(owner.address, [])
        count = sum(len(part) for part in parts)
        if count > MAX_POSSIBLE:
            first = min(part[0] for part in parts)[1][0]  # entries start with their unique index
            crowded[owner.address] = (first, Unknown(
                f"{count:,} resources whose link is not decided may belong to it, more than the "
                f"{MAX_POSSIBLE} cicd-guard compares one by one"))
        elif count:
            possible[owner.address] = [p for _, p in sorted(e for part in parts for e in part)]
    return owned, possible, crowded


def addresses(satellites: list[Possible], shown: int = 5) -> str:
    """The addresses of the satellites that may belong to an owner, the first `shown` of them: a message
    stays short however many a stack declares."""
    names = [satellite.address for satellite, _ in satellites]
    more = f", ... ({len(names)} in all)" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def _value_key(value: Any, index: int) -> tuple:
    """A hashable key under which equal references resolve alike (a Linked value also by its targets);
    any other value is a key of its own (its satellite's index)."""
    if isinstance(value, Linked):
        return ("linked", str(value), value.targets)
    if isinstance(value, str):
        return ("name", value)
    if isinstance(value, Ref):
        return ("ref", value.address, value.attribute)
    return ("satellite", index)
