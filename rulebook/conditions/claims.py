"""Trust statements: which values of an OIDC claim (`<issuer>:sub`, `<issuer>:aud`) are admitted."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from ..model import Ref
from ..policy import Statement
from ..unknown import Unknown
from .operators import ESCAPES, UNKNOWN_KEY, VARIABLE, Entry, entries, glob, text_of


@dataclass(frozen=True)
class Pattern:
    """One admitted value of a claim: literal, or a glob when `wildcard`."""

    text: str
    wildcard: bool
    ignore_case: bool = False

    def matches(self, value: str) -> bool:
        if self.wildcard:
            return glob(self.text, self.ignore_case).fullmatch(value) is not None
        return self.text.casefold() == value.casefold() if self.ignore_case else self.text == value


@dataclass(frozen=True)
class ClaimValues:
    key: str
    anything: bool | Unknown  # True: nothing bounds the claim; Unknown: the bounding values are unknown
    conjuncts: tuple[tuple[Pattern, ...], ...] = ()  # each bounding entry's admitted values (AND of ORs)
    why: str = ""  # when anything is True: why (no condition, negated operator, IfExists, `*`, ...)
    unknown: Unknown | None = None  # an entry whose values are not known (others may still decide)

    @property
    def patterns(self) -> tuple[Pattern, ...]:
        return self.conjuncts[0] if self.conjuncts else ()

    @property
    def wildcards(self) -> bool:
        return any(p.wildcard for p in self.patterns)

    def all(self, predicate: Callable[[Pattern], bool]) -> bool | Unknown:
        """Does every admitted value satisfy `predicate`? (True when some conjunct's patterns all do.)"""
        if any(all(predicate(p) for p in conjunct) for conjunct in self.conjuncts):
            return True
        if self.unknown is not None:
            return self.unknown
        return False


def claim_values(statement: Statement, key: str, always_present: bool = False) -> ClaimValues:
    """The values of `key` (an OIDC claim such as `<issuer>:sub`) this trust statement admits.

    `always_present`: every token STS accepts carries the claim (`aud`, checked against the provider's
    client IDs), so an entry that only lets requests without it through (IfExists, ForAllValues) bounds it."""
    wanted = key.lower()
    conjuncts: list[tuple[Pattern, ...]] = []
    whys: list[str] = []
    unknown: Unknown | None = None
    for test in entries(statement):
        if test.key_lc == UNKNOWN_KEY:
            unknown = unknown if unknown is not None else test.unknown
            continue
        if test.key_lc != wanted:
            continue
        what = f"{test.operator} on {test.condition.key}"
        if test.family is None:
            unknown = unknown if unknown is not None else test.unknown
        elif test.negated or test.family == "null" or (test.when_absent() and not always_present):
            whys.append(f"{what} does not bound it" if test.negated or test.family == "null"
                        else f"{what} admits tokens without the claim")
        elif test.unknown is not None:
            unknown = unknown if unknown is not None else Unknown(f"{what}: {test.unknown.reason}")
        elif any(isinstance(v, Ref) or _rendered(v) for v in test.values):
            unknown = unknown if unknown is not None else Unknown(f"{what} uses a value known only after apply")
        else:
            patterns = tuple(_pattern(test, v) for v in test.values)
            if any(p.wildcard and not p.text.replace("*", "") for p in patterns):
                whys.append(f"{what} admits '*'")
            else:  # an empty value list matches no token: it bounds the claim to nothing
                conjuncts.append(patterns)
    if conjuncts:
        anything: bool | Unknown = False
    elif unknown is not None:
        anything = unknown
    else:
        anything = True
    why = ("; ".join(whys) or f"no condition on {key}") if anything is True else ""
    return ClaimValues(key, anything, tuple(conjuncts), why, unknown)


def deny_bound(statement: Statement, key: str) -> tuple[Pattern, ...] | None:
    """The values of `key` a Deny statement leaves through. A Deny whose only condition is a negated
    string entry on the claim (`StringNotLike {"<issuer>:sub": [...]}`) refuses every token whose claim
    matches none of its values, so it bounds the claim as an Allow's StringLike would. None when the
    statement is no such Deny (another condition, a set qualifier, a value not known, a bare `*`); the
    caller checks that it covers the action and the issuer."""
    tests = entries(statement)
    if statement.effect != "Deny" or len(tests) != 1:
        return None
    test = tests[0]
    if test.key_lc != key.lower() or test.family != "string" or not test.negated or test.qualifier \
            or test.unknown is not None or any(isinstance(v, Ref) or _rendered(v) for v in test.values):
        return None
    patterns = tuple(_pattern(test, v) for v in test.values)
    return None if any(p.wildcard and not p.text.replace("*", "") for p in patterns) else patterns


def bounded_by(values: ClaimValues, bounds: list[tuple[Pattern, ...]]) -> ClaimValues:
    """An Allow's admitted values with the bounds the trust's Deny statements add (AND of ORs)."""
    if not bounds:
        return values
    return ClaimValues(values.key, False, values.conjuncts + tuple(bounds), "", values.unknown)


def _rendered(value: Any) -> bool:
    """A value holding `${...}` without a namespace: a stack value known only at apply, rendered into the
    text by the scanner (IAM's own variables are `namespace:key`)."""
    return isinstance(value, str) and any(":" not in m.group(1) and m.group(1) not in ESCAPES
                                          for m in VARIABLE.finditer(value))


def _pattern(test: Entry, value: Any) -> Pattern:
    """A value as a Pattern: wildcards only under *Like/Arn*; a request-filled variable matches anything."""
    out: list[str] = []
    wild = False
    for i, piece in enumerate(VARIABLE.split(text_of(value))):  # even: text, odd: a variable's name
        if i % 2 == 0:
            wild = wild or (test.wildcards and ("*" in piece or "?" in piece))
            out.append(piece if test.wildcards else piece.replace("*", "\x01").replace("?", "\x02"))
        elif piece in ESCAPES:
            out.append(ESCAPES[piece])
        else:
            wild = True
            out.append("*")
    text = "".join(out)
    if not wild:
        text = text.replace("\x01", "*").replace("\x02", "?")
    return Pattern(text, wild, test.ignore_case)


