"""The shared settings (cicd-guard.yaml's keys) as Pulumi policy configuration.

Pulumi configures each policy separately (`--policy-pack-config`, keyed by policy name) and lets a
policy see only its own config, so every policy's config schema holds the same settings, with the
same snake_case keys as cicd-guard.yaml. Enforcement is Pulumi's own `enforcementLevel` per policy
(or "all"), so the `enforcement` key is not part of the schema. Values are validated by
rulebook.config, exactly like the scanner's settings.
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Mapping
from typing import Any

from rulebook import config as rb_config
from rulebook.config import Config, ConfigError

from .adapter.values import plain

ENGINE_MANAGED = ("enforcement",)  # handled by Pulumi's enforcementLevel
STANDARD_FORMATS = {"date", "date-time", "email", "uri", "ipv4", "ipv6", "hostname"}


def _portable(schema: Any) -> Any:
    """The JSON Schema without formats the Pulumi CLI's validator does not know (cidr)."""
    if isinstance(schema, dict):
        return {k: _portable(v) for k, v in schema.items()
                if not (k == "format" and v not in STANDARD_FORMATS)}
    if isinstance(schema, list):
        return [_portable(v) for v in schema]
    return schema


def shared_properties() -> dict[str, dict[str, Any]]:
    """The config schema properties every policy carries (copies; callers may keep them)."""
    props = rb_config.schema()["properties"]
    return {k: _portable(copy.deepcopy(v)) for k, v in props.items() if k not in ENGINE_MANAGED}


_cache: dict[str, Config] = {}
_lock = threading.Lock()


def config_from(policy_config: Mapping[str, Any] | None, policy_name: str) -> Config:
    """The rulebook Config of one policy's configuration; raises ConfigError when it is invalid."""
    data = plain(policy_config) if policy_config else {}
    if not isinstance(data, dict):
        raise ConfigError(f"policy config of {policy_name}: must be an object")
    data = {k: v for k, v in data.items() if k != "enforcementLevel"}
    key = json.dumps(data, sort_keys=True, default=str)
    with _lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    built = Config.from_dict(data, source=f"policy config of {policy_name}")
    with _lock:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = built
    return built
