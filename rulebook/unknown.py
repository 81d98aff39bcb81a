"""A value not known at plan time.

Unknown is a first-class value that carries the reason it is unknown, so that a rule which meets
one can report UNKNOWN with that reason instead of passing silently.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Unknown:
    """A value that cannot be decided at plan time; `reason` says why (shown to the user)."""

    reason: str

    def __bool__(self) -> bool:  # an Unknown must never be mistaken for a decided falsy/truthy value
        raise TypeError(f"truth value of Unknown({self.reason!r}) is undecidable; test is_unknown() first")

    def __str__(self) -> str:
        return f"(unknown: {self.reason})"


class UnknownKey(str):
    """A condition key not known at plan time (`"${module.eks.oidc_provider}:sub"`), kept with the values
    written under it: the values still say what the condition admits (Kubernetes service accounts, say),
    while every analysis of the key sees `<unknown>` and `unknown` gives the reason."""

    unknown: Unknown

    def __new__(cls, unknown: Unknown) -> "UnknownKey":
        self = super().__new__(cls, "<unknown>")
        self.unknown = unknown
        return self

    def __eq__(self, other: object) -> bool:  # two unknown keys are two conditions: never merged
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __reduce__(self) -> tuple:
        return (UnknownKey, (self.unknown,))


def is_unknown(value: Any) -> bool:
    return isinstance(value, Unknown)


def find_unknown(value: Any) -> Unknown | None:
    """The first Unknown inside a nested value (dicts, lists, tuples), or None when fully known."""
    if isinstance(value, Unknown):
        return value
    if isinstance(value, dict):
        items = value.values()
    elif isinstance(value, (list, tuple, set, frozenset)):
        items = value
    else:
        return None
    for item in items:
        found = find_unknown(item)
        if found is not None:
            return found
    return None


def concat_known(values: list[Any] | Unknown | None) -> list[Any] | Unknown | None:
    """Concatenate list values gathered from several blocks (permissions[].actions and the like);
    the first Unknown met makes the whole result Unknown."""
    if values is None or isinstance(values, Unknown):
        return values
    out: list[Any] = []
    for value in values:
        if isinstance(value, Unknown):
            return value
        out.extend(value if isinstance(value, (list, tuple, set)) else [value])
    return out
