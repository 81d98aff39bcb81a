"""Settings shared by the scanner and the Pulumi pack, validated against one JSON Schema.

The scanner reads them from cicd-guard.yaml; the pack from its policy config. Both end in Config.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import ipaddress
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from .findings import Enforcement, Severity

DEFAULT_FILENAME = "cicd-guard.yaml"


class ConfigError(ValueError):
    """A configuration that does not validate; the message names the file and key."""


@dataclass(frozen=True, slots=True)
class ConfigSuppression:
    rule: str
    resource: str  # glob over resource addresses / names
    reason: str
    expires: dt.date | None = None

    def matches(self, rule_id: str, address: str) -> bool:
        return (self.rule in ("*", rule_id)) and fnmatch.fnmatchcase(address, self.resource)


@dataclass(frozen=True)
class Config:
    deploy_identities: tuple[str, ...] = ()
    admin_identities: tuple[str, ...] = ()
    aws_vpc_endpoint_ids: tuple[str, ...] = ()
    aws_vpc_ids: tuple[str, ...] = ()
    cidrs: tuple[str, ...] = ()
    azure_subnet_ids: tuple[str, ...] = ()
    oidc_issuers: tuple[str, ...] = ()
    oidc_audiences: tuple[str, ...] = ()
    deploy_subject_patterns: tuple[str, ...] = ()
    artifact_bucket_names: tuple[str, ...] = ()
    artifact_bucket_tags: dict[str, str] = field(default_factory=dict)
    aws_accounts: tuple[str, ...] = ()  # the stack's own AWS accounts (rulebook/accounts.py)
    enforcement: dict[str, Enforcement] = field(default_factory=dict)
    suppressions: tuple[ConfigSuppression, ...] = ()
    suppression_horizon_days: int = 365  # --strict-suppressions refuses expiry dates further out
    source: str = "<defaults>"

    def enforcement_for(self, rule_id: str, severity: Severity) -> Enforcement:
        return self.enforcement.get(rule_id, severity.default_enforcement)

    @staticmethod
    def _matches(patterns: tuple[str, ...], *names: Any) -> bool:
        return any(isinstance(n, str) and fnmatch.fnmatchcase(n, p) for p in patterns for n in names)

    def is_deploy_identity(self, *names: Any) -> bool:
        return self._matches(self.deploy_identities, *names)

    def is_admin_identity(self, *names: Any) -> bool:
        return self._matches(self.admin_identities, *names)

    @classmethod
    def from_dict(cls, data: Any, source: str = "<config>") -> "Config":
        validate(data, source)
        data = data or {}
        _check_rule_ids(data, source)
        net = data.get("ci_network", {})
        oidc = data.get("oidc", {})
        buckets = data.get("artifact_buckets", {})
        return cls(
            deploy_identities=tuple(data.get("deploy_identities", ())),
            admin_identities=tuple(data.get("admin_identities", ())),
            aws_vpc_endpoint_ids=tuple(net.get("aws_vpc_endpoint_ids", ())),
            aws_vpc_ids=tuple(net.get("aws_vpc_ids", ())),
            cidrs=tuple(net.get("cidrs", ())),
            azure_subnet_ids=tuple(net.get("azure_subnet_ids", ())),
            oidc_issuers=tuple(oidc.get("issuers", ())),
            oidc_audiences=tuple(oidc.get("audiences", ())),
            deploy_subject_patterns=tuple(oidc.get("deploy_subject_patterns", ())),
            artifact_bucket_names=tuple(buckets.get("names", ())),
            artifact_bucket_tags=dict(buckets.get("tags", {})),
            aws_accounts=tuple(data.get("aws_accounts", ())),
            enforcement={k: Enforcement(v) for k, v in data.get("enforcement", {}).items()},
            suppressions=tuple(
                ConfigSuppression(s["rule"], s["resource"], s["reason"],
                                  dt.date.fromisoformat(s["expires"]) if s.get("expires") else None)
                for s in data.get("suppressions", ())),
            suppression_horizon_days=data.get("suppression_horizon_days", 365),
            source=source,
        )


def _check_rule_ids(data: dict, source: str) -> None:
    """A typo in a rule ID would silently enforce or suppress nothing: refuse it."""
    from .rules import REGISTRY

    named = [(f"enforcement.{rule_id}", rule_id) for rule_id in data.get("enforcement", {})]
    named += [(f"suppressions[{i}].rule", s["rule"]) for i, s in enumerate(data.get("suppressions", ()))]
    for path, rule_id in named:
        if rule_id != "*" and rule_id not in REGISTRY:
            raise ConfigError(f"{source}: {path}: unknown rule {rule_id!r} (see `cicd-guard rules`)")


@lru_cache(maxsize=1)
def schema() -> dict:
    return json.loads(resources.files("rulebook").joinpath("schemas/config.schema.json").read_text("utf-8"))


def _is_cidr(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        ipaddress.ip_network(value, strict=False)
    except ValueError:
        return False
    return True


def _is_date(value: object) -> bool:
    if not isinstance(value, str):
        return True
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


@lru_cache(maxsize=1)
def _validator() -> Any:
    """Built on first use: a scan without a config file never pays for importing jsonschema."""
    import jsonschema

    formats = jsonschema.FormatChecker(formats=())
    formats.checks("cidr")(_is_cidr)
    formats.checks("date")(_is_date)
    return jsonschema.Draft202012Validator(schema(), format_checker=formats)


def validate(data: Any, source: str = "<config>") -> None:
    """Raise ConfigError naming the first offending key path, e.g. `ci_network.cidrs[1]`."""
    if data is None:
        return
    validator = _validator()
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if not errors:
        return
    error = errors[0]
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        path = ".".join(filter(None, [path, extra[0] if extra else ""]))
        message = f"unknown key {extra[0]!r}" if extra else error.message
    else:
        message = error.message
    raise ConfigError(f"{source}: {path or '<top level>'}: {message}")


def read_document(path: str | Path) -> Any:
    """A YAML (or JSON) settings file as data; ConfigError naming the file and line when unreadable
    (safe_yaml bounds what a hostile file can cost)."""
    from . import safe_yaml  # imported here: a scan without a config file does not load a YAML parser

    try:
        return safe_yaml.read(path, noun="config")
    except safe_yaml.YamlError as exc:
        where = f":{exc.line}" if exc.line else ""
        raise ConfigError(f"{path}{where}: {exc}") from None


def load(path: str | Path | None = None, search_from: str | Path | None = None) -> Config:
    """Load the config file given, or cicd-guard.yaml found in `search_from`, or the defaults."""
    if path is None and search_from is not None:
        candidate = Path(search_from) / DEFAULT_FILENAME
        path = candidate if candidate.is_file() else None
    if path is None:
        return Config()
    path = Path(path)
    data = read_document(path)
    if data is not None and not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping")
    return Config.from_dict(data, str(path))
