"""What every engine's adapter decides the same way when it translates a resource into the model.

The Terraform (HCL and plan) and Pulumi adapters differ in shapes (snake_case blocks vs camelCase
objects) but not in these decisions: which tags count, how a policy argument becomes a document,
and which literal values a resource carries. One function each, so the engines cannot drift apart.
"""

from __future__ import annotations

from typing import Any, Iterator

from .model import Ref
from .policy import PolicyDocument, parse_policy_or_unknown
from .unknown import Unknown


def effective_tags(tags: Any, tags_all: Any) -> dict[str, Any] | Unknown:
    """The tags the resource ends up with: `tags_all`/`tagsAll` (provider default tags included) when
    known, else its own tags; Unknown when that is all there is."""
    if isinstance(tags_all, dict):
        return dict(tags_all)
    if isinstance(tags, dict):
        return dict(tags)
    if isinstance(tags, Unknown):
        return tags
    if isinstance(tags_all, Unknown) and tags is None:
        return tags_all
    return {}


def policy_argument(value: Any, where: str, origin: str, notes: list[str]) -> PolicyDocument | Unknown | None:
    """A policy argument as a document; None when unset; Unknown with the reason when it cannot be read
    (a malformed document is also noted, so it is reported and never dropped)."""
    if value is None or value == "":
        return None
    if isinstance(value, Ref):
        return Unknown(f"policy document is {value}, not known before apply")
    doc, problem = parse_policy_or_unknown(value, origin=origin)
    if problem:
        notes.append(f"{where}: {problem}")
    return doc


class SecretText(str):
    """A string the engine marks secret (a Pulumi secret): encrypted by the engine, not a plain-text
    literal of the program. Reads as the string it is everywhere else."""

    __slots__ = ()


def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every known scalar (str, number, bool) inside a nested value, with its path (`a.b[0].c`).

    Unknown, Ref and None are not literal values and are skipped, and so are values the engine marks
    secret (SecretText): `Resource.values` is what secret scans read."""
    if isinstance(value, SecretText):
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            yield from leaves(item, f"{path}[{index}]")
    elif isinstance(value, (str, int, float, bool)):
        yield path, value


def joined(*values: Any) -> list[Any] | Unknown:
    """A rule's single and plural forms as one list (cidr_ipv4 + cidr_ipv6, cidr_blocks +
    ipv6_cidr_blocks, destination_port_range + destination_port_ranges): unset and empty values left
    out, the first Unknown makes the whole list Unknown."""
    out: list[Any] = []
    for value in values:
        if isinstance(value, Unknown):
            return value
        items = list(value) if isinstance(value, (list, tuple)) else [value]
        for item in items:
            if isinstance(item, Unknown):
                return item
            if item is not None and item != "":
                out.append(item)
    return out
