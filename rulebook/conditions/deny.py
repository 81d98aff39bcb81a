"""Deny statements: which requests escape them, and whether only a known set of networks does."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from ..policy import Statement
from ..unknown import Unknown
from .keys import NETWORK_KEYS
from .operators import UNKNOWN_KEY, Entry, entries, wild


@dataclass(frozen=True)
class Escape:
    """One way out of a Deny: the request fails this entry."""

    test: Entry
    matching: bool  # True: a request escapes when its key matches the values (negated operators); False: when
    #                 it does not match them (positive operators: everything outside the values escapes)
    absent: bool  # a request without the key escapes

    @property
    def key(self) -> str:
        return self.test.key


@dataclass(frozen=True)
class Allowed:
    """The only requests a Deny lets through on one key: those whose value is in `values`."""

    key: str
    values: tuple[Any, ...]  # str (ids, CIDRs, patterns) or Ref
    wildcards: bool  # some value is a pattern


@dataclass(frozen=True)
class DenyExceptions:
    escapes: tuple[Escape, ...]
    unknown: Unknown | None = None  # a part of the condition is not known at plan time

    @property
    def unconditional(self) -> bool:
        return not self.escapes and self.unknown is None

    def only(self, keys: Iterable[str] = NETWORK_KEYS) -> tuple[Allowed, ...] | None | Unknown:
        """The key/value sets outside which every request is refused, if those are the only ways out."""
        if self.unknown is not None:
            return self.unknown
        if not self.escapes:
            return None
        wanted = {k.lower() for k in keys}
        out: list[Allowed] = []
        for escape in self.escapes:
            test = escape.test
            if test.key_lc not in wanted or not escape.matching or escape.absent:  # Null is never `matching`
                return None
            unknown = test.unknown
            if unknown is not None:
                return Unknown(f"{test.key} values of the Deny: {unknown.reason}")
            patterns = any(isinstance(v, str) and wild(v, test) for v in test.values)
            out.append(Allowed(test.key, tuple(test.values), patterns))
        return tuple(out)


def deny_exceptions(statement: Statement) -> DenyExceptions:
    """Which requests escape a Deny statement: one Escape per condition entry (entries AND)."""
    escapes: list[Escape] = []
    unknown: Unknown | None = None
    for test in entries(statement):
        if test.family is None or test.key_lc == UNKNOWN_KEY:
            unknown = unknown if unknown is not None else test.unknown
            continue
        escapes.append(Escape(test, matching=test.negated, absent=not test.when_absent()))
    return DenyExceptions(tuple(escapes), unknown)

