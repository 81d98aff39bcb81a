"""Pulumi property values -> plain Python values of the rulebook model.

The policy SDK hands props over as Mapping/Sequence proxies that raise UnknownValueError when an
unknown (computed) value is read, numbers as floats, secrets unwrapped (or as Secret objects during
remediation) and assets as objects. Each is converted deliberately: proxies to dict/list, unknowns
to rulebook Unknown with the property path as the reason, integral floats to int.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pulumi
from pulumi_policy.proxy import UnknownValueError, _is_unknown
from pulumi_policy.secret import Secret

from rulebook.adapters import SecretText
from rulebook.unknown import Unknown


def has_secret(value: Any) -> bool:
    """Does the value hold a string marked secret (anywhere inside it)?"""
    if isinstance(value, SecretText):
        return True
    if isinstance(value, dict):
        return any(has_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(has_secret(v) for v in value)
    return False


def mark_secrets(value: Any) -> Any:
    """Every string inside a secret as SecretText (other scalars stay: only text can be a credential)."""
    if isinstance(value, str) and not isinstance(value, SecretText):
        return SecretText(value)
    if isinstance(value, dict):
        return {k: mark_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mark_secrets(v) for v in value]
    return value


def unknown_at(path: str) -> Unknown:
    return Unknown(f"{path or 'value'} is not known until the resources it depends on exist (preview)")


def plain(value: Any, path: str = "") -> Any:
    """A deep, plain copy of `value` with every unknown replaced by Unknown(reason)."""
    if value is None or isinstance(value, (bool, int)):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, str):
        return unknown_at(path) if _is_unknown(value) else value
    if isinstance(value, Secret):
        return mark_secrets(plain(value.value, path))
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key in list(value):
            sub = f"{path}.{key}" if path else str(key)
            try:
                item = value[key]
            except UnknownValueError:
                out[key] = unknown_at(sub)
                continue
            out[key] = plain(item, sub)
        return out
    if isinstance(value, Sequence) and not isinstance(value, (bytes, bytearray)):
        items: list[Any] = []
        for index in range(len(value)):
            sub = f"{path}[{index}]"
            try:
                item = value[index]
            except UnknownValueError:
                items.append(unknown_at(sub))
                continue
            items.append(plain(item, sub))
        return items
    if isinstance(value, (pulumi.Asset, pulumi.Archive)):
        return f"<{type(value).__name__}>"
    return value
