"""Reading one resource's plain camelCase props (Pulumi inputs, ARM bodies): alternative names, nested objects."""

from __future__ import annotations

from typing import Any

from rulebook.adapters import policy_argument
from rulebook.unknown import Unknown

Props = dict[str, Any]


class Reader:
    """One translation: the resource's plain props and the notes collected while reading them."""

    def __init__(self, props: Props, name: str) -> None:
        self.props = props
        self.name = name
        self.notes: list[str] = []

    def get(self, *keys: str) -> Any:
        """The first of several alternative property names that is set (SDK renames, aliases)."""
        for key in keys:
            value = self.props.get(key)
            if value is not None:
                return value
        return None

    def at(self, *path: str) -> Any:
        """A nested value, e.g. at("networkRuleSet", "defaultAction"); Unknown on the way propagates."""
        value: Any = self.props
        for key in path:
            if isinstance(value, Unknown) or value is None:
                return value
            if isinstance(value, list):  # a single nested block given as a one-item list
                value = value[0] if value else None
                if isinstance(value, Unknown) or value is None:
                    return value
            if not isinstance(value, dict):
                return None
            value = value.get(key)
        return value

    def policy(self, value: Any, where: str) -> Any:
        """A PolicyDocument, or Unknown with the reason (malformed documents are also noted)."""
        return policy_argument(value, where, self.name, self.notes)


def as_list(value: Any) -> list[Any] | Unknown | None:
    if value is None or isinstance(value, Unknown):
        return value
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def one(value: Any) -> list[Any] | Unknown | None:
    """A single reference as a one-element list (kinds model memberships as lists)."""
    if value is None or isinstance(value, Unknown):
        return value
    return [value]


def each(blocks: Any, *keys: str) -> list[Any] | Unknown | None:
    """The first of `keys` set in every object of a list (ipRules[].iPAddressOrRange, or `value` as ARM
    names it)."""
    blocks = as_list(blocks)
    if blocks is None or isinstance(blocks, Unknown):
        return blocks
    out: list[Any] = []
    for block in blocks:
        if isinstance(block, Unknown):
            return block
        if isinstance(block, dict):
            value = next((block[k] for k in keys if block.get(k) is not None), None)
            if isinstance(value, Unknown):
                return value
            if value is not None:
                out.append(value)
    return out


def enabled(value: Any) -> Any:
    """Azure's "Enabled"/"Disabled" enums as booleans; anything else unchanged."""
    if isinstance(value, str) and value.lower() in ("enabled", "disabled"):
        return value.lower() == "enabled"
    return value
