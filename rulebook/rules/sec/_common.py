"""Readers shared by the secret rules: where a value sits, and who reads it."""

from __future__ import annotations

import re

from ...model import Resource

DECLARATIONS = {"terraform.variable": "variable", "terraform.variable_value": "variable",
                "terraform.local": "local value", "terraform.output": "output", "terraform.provider": "provider"}


def last_key(path: str) -> str:
    """The attribute or map key a leaf sits under: `environment[0].variables.DB_PASSWORD` -> DB_PASSWORD."""
    return re.sub(r"\[\d+\]$", "", path).rsplit(".", 1)[-1] if path else ""


def where(resource: Resource, path: str) -> str:
    """How a message names the place of a value: the attribute path, or the variable / local itself."""
    if resource.kind in DECLARATIONS:
        name = resource.get("name", "")
        if resource.kind == "terraform.provider":
            return f'provider "{name}" {path}'.rstrip()
        inner = path[len(name):].lstrip(".") if path.startswith(name) else path
        label = f"{DECLARATIONS[resource.kind]} {name}"
        if resource.get("source") == "tfvars":
            label += " (value from a variables file)"
        return f"{label} ({inner})" if inner else label
    return path or "a value"


def used_by(resource: Resource, limit: int = 5) -> str:
    """`; used by a, b` for variables and locals read elsewhere in their module."""
    uses = resource.get("used_by") or []
    if not uses:
        return ""
    shown = ", ".join(uses[:limit]) + (f" and {len(uses) - limit} more" if len(uses) > limit else "")
    return f"; used by {shown}"
