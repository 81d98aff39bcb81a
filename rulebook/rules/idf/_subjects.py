"""Judging the subjects a CI trust admits (IDF-003, IDF-004): every admitted value must pass a test."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ...conditions import ClaimValues, Pattern
from ...identities import Identity
from ...oidc_subjects import Reading, read
from ...oidc_trust import Trust
from ...unknown import Unknown

@dataclass(frozen=True)
class Verdict:
    ok: bool | Unknown
    pattern: Pattern | None = None  # the first admitted value that fails the test (only when ok is False)
    reading: Reading | None = None


def judge(values: ClaimValues, issuer: str, test: Callable[[Reading, Pattern], bool]) -> Verdict:
    """True when some bounding entry admits only values that pass (the admitted set lies within each entry)."""
    undecided: Unknown | None = None
    failing: Verdict | None = None
    for conjunct in values.conjuncts:
        outcome: bool | Unknown = True
        for pattern in conjunct:
            reading = read(pattern, issuer)
            if isinstance(reading, Unknown):
                outcome = reading if outcome is True else outcome
            elif not test(reading, pattern):
                outcome = False
                failing = failing or Verdict(False, pattern, reading)
                break
        if outcome is True:
            return Verdict(True)
        if isinstance(outcome, Unknown):
            undecided = undecided or outcome
    if undecided is not None:
        return Verdict(undecided)
    if values.unknown is not None:  # an entry not known may bound what the failing one admits
        return Verdict(values.unknown)
    return failing or Verdict(False)


def shown(pattern: Pattern) -> str:
    return pattern.text.replace("\x01", "*").replace("\x02", "?")


def who(trust: Trust) -> str:
    ident: Identity | None = trust.identity
    if ident is None:
        return f"the owner of {trust.resource.address}"
    return f"identity {ident.name}" if ident.type == "azure" else f"{ident.type} {ident.name}"
