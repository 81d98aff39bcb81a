"""Small readers shared by rules: three-valued booleans."""

from __future__ import annotations

from typing import Any

from ..model import Resource
from ..unknown import Unknown


def flag(resource: Resource, prop: str) -> bool | Unknown | None:
    """A boolean prop as True/False, Unknown when not known at plan time, None when not set."""
    value: Any = resource.get(prop)
    if value is None or isinstance(value, (bool, Unknown)):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return Unknown(f"{prop} has a non-boolean value {value!r}")
