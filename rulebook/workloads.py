"""Shapes both adapters read the same way: environment variables and bootstrap scripts of workloads.

Terraform and Pulumi spell a container's environment or an instance's user data differently, but
what they hold is one thing: a list of {name, value} entries (some pointing into a secret store)
and a script, often base64-encoded. These helpers build the model's form (kinds.ENVIRONMENT) from
plain values; they decide nothing about policy.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from typing import Any

from .model import Ref
from .unknown import Unknown

_BASE64 = re.compile(r"[A-Za-z0-9+/\r\n]+={0,2}")
MAX_SCRIPT = 1 << 20


def entry(name: Any, value: Any, path: str, from_store: bool = False, secret: bool = False) -> dict[str, Any]:
    return {"name": name, "value": value, "path": path, "from_store": from_store, "secret": secret}


def mapping_entries(variables: Any, path: str, secret_keys: frozenset[str] = frozenset()) -> list[dict] | Unknown:
    """{NAME: value} (Lambda variables, app settings) as entries; `secret_keys` are marked secret."""
    if isinstance(variables, Unknown):
        return variables
    if not isinstance(variables, dict):
        return []
    return [entry(k, v, f"{path}.{k}", secret=k in secret_keys) for k, v in variables.items()]


def script(value: Any, encoded: bool = False) -> Any:
    """A bootstrap script as the host runs it: base64 decoded when `encoded` (or when it decodes to
    text that looks like a script); Ref/Unknown stay as they are."""
    if not isinstance(value, str) or not value:
        return value if isinstance(value, (Unknown, Ref)) else None
    value = value[:MAX_SCRIPT]
    compact = value.strip()
    if (encoded or len(compact) >= 16) and _BASE64.fullmatch(compact):
        try:
            decoded = base64.b64decode("".join(compact.split()), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return value
        if encoded or decoded.startswith(("#!", "#cloud-config", "<powershell>", "<script>")) or "\n" in decoded:
            return decoded
    return value


def container_entries(definitions: Any, path: str, secret: bool = False) -> list[dict] | Unknown:
    """ECS container definitions (a JSON string, or already a list) -> entries named CONTAINER/VAR:
    `environment` values, and `secrets` (valueFrom) as secret-store references."""
    if isinstance(definitions, (Unknown, Ref)):
        return Unknown(f"container definitions are {definitions}, not known before apply") \
            if isinstance(definitions, Ref) else definitions
    if isinstance(definitions, str):
        try:
            definitions = json.loads(definitions)
        except ValueError:
            return Unknown("container definitions are not valid JSON")
    if isinstance(definitions, dict):
        definitions = [definitions]
    if not isinstance(definitions, list):
        return []
    out: list[dict] = []
    for i, container in enumerate(definitions):
        if not isinstance(container, dict):
            continue
        label = container.get("name") if isinstance(container.get("name"), str) else f"container[{i}]"
        for key, store in (("environment", False), ("secrets", True)):
            items = container.get(key)
            if isinstance(items, Unknown):
                return items
            for item in items if isinstance(items, list) else []:
                if isinstance(item, dict):
                    value = item.get("valueFrom", item.get("value_from")) if store else item.get("value")
                    out.append(entry(f"{label}/{item.get('name')}", value, path, from_store=store, secret=secret))
    return out


def command_lines(lines: Any, what: str) -> Any:
    """Commands run one after another (remote-exec inline lines, script files) as one script text:
    joined by newlines; an Unknown item makes the whole script Unknown (its reason kept)."""
    if lines is None or isinstance(lines, Unknown):
        return lines
    if not isinstance(lines, list):
        return Unknown(f"{what} is not a list")
    for line in lines:
        if isinstance(line, Unknown):
            return line
        if isinstance(line, Ref):
            return Unknown(f"{what} holds {line}, known only after apply")
        if not isinstance(line, str):
            return Unknown(f"{what} holds a {type(line).__name__}, not a command")
    return "\n".join(lines)
