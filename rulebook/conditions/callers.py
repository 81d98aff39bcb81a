"""Allow statements: is the set of callers bounded by a condition on a key a rule accepts?"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Iterable

from ..model import Ref
from ..policy import Statement
from ..unknown import Unknown
from .keys import ARN_KEYS, CALLER_KEYS, FIXED_VARIABLES, ORG_PATH_KEYS, known
from .operators import UNKNOWN_KEY, VARIABLE, Entry, entries, text_of, variables_in, wild


ONE_VALUE = "\x00"  # stands for a value known at apply: an ARN's account or an org path's root built on it bounds


@dataclass(frozen=True)
class CallerBound:
    bounded: bool | Unknown
    keys: tuple[str, ...] = ()  # keys whose conditions bound the callers (canonical spelling)
    why: str = ""  # when not bounded: what the conditions do instead (empty: there are none)


def _value_bounds(test: Entry, value: Any) -> bool | Unknown:
    """Does this one value admit a bounded set of callers or networks?"""
    if isinstance(value, Unknown):
        return Unknown(f"{test.key} value: {value.reason}")
    if isinstance(value, Ref):
        return True  # one value of a resource declared here
    text = text_of(value)
    for name in variables_in(text):
        if ":" not in name:
            continue  # not an IAM variable (those are `namespace:key`): a value of the stack known at apply
        if name.split(",", 1)[0].strip().lower() not in FIXED_VARIABLES:
            return Unknown(f"{test.key} value {text!r} uses the policy variable ${{{name}}}, filled in from "
                           f"each request")
    text = VARIABLE.sub(_one_value, text)
    if test.family == "ip":
        return not _wide_network(text)
    if test.family not in ("string", "arn"):
        return False
    if not wild(text, test):
        return True
    if test.key_lc in ARN_KEYS:
        parts = text.split(":", 5)
        return len(parts) == 6 and (parts[4] == ONE_VALUE or re.fullmatch(r"\d{12}", parts[4]) is not None)
    if test.key_lc in ORG_PATH_KEYS:
        first = text.split("/", 1)[0]
        return first == ONE_VALUE or re.fullmatch(r"o-[a-z0-9]+", first) is not None
    return False


def _one_value(variable: re.Match[str]) -> str:
    """A variable left in a value that bounds: fixed by the resource (a value of its shape), or a stack value
    rendered by the scanner (or `${*}`, `${?}`, `${$}`): one value, no wildcard."""
    return FIXED_VARIABLES.get(variable.group(1).split(",", 1)[0].strip().lower(), ONE_VALUE)


def _wide_network(text: str) -> bool:
    """A CIDR that takes in a large share of the public internet (more than a /8, IPv6 a /32)."""
    try:
        network = ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return False
    limit = 2 ** 24 if network.version == 4 else 2 ** 96
    return network.num_addresses > limit and not network.is_private


def _entry_bounds(test: Entry) -> tuple[bool | Unknown, str]:
    """(bounded, why not) for one entry on a caller key."""
    what = f"{test.operator} on {test.key}"
    if test.family is None:
        return test.unknown, ""  # type: ignore[return-value]
    if test.negated:
        return False, f"{what} admits every caller outside its values"
    if test.family == "null":
        return False, f"{what} only tests whether the key is present"
    if test.when_absent():
        return False, f"{what} admits callers without the key"
    verdicts = [(v, _value_bounds(test, v)) for v in test.values]
    if not verdicts:
        return False, f"{what} has no values"
    loose = [v for v, b in verdicts if b is False]
    if loose:
        return False, f"{what} admits {text_of(loose[0])!r}, which restricts nothing"
    unknown = next((b for _, b in verdicts if isinstance(b, Unknown)), None)
    return (unknown, "") if unknown is not None else (True, "")


def caller_bound(statement: Statement, accept: Iterable[str] = CALLER_KEYS) -> CallerBound:
    """Is the set of callers this (Allow) statement admits bounded by a condition on an accepted key?"""
    wanted = {k.lower() for k in accept}
    keys: list[str] = []
    whys: list[str] = []
    unknown: Unknown | None = None
    unrecognised: list[str] = []
    for test in entries(statement):
        if test.key_lc == UNKNOWN_KEY or test.family is None:
            unknown = unknown if unknown is not None else Unknown(f"conditions of {statement.label}: "
                                                                  f"{test.unknown.reason}")  # type: ignore[union-attr]
            continue
        if test.key_lc not in wanted:
            if not known(test.key_lc) and not _claim_key(test.key_lc) and _could_bound(test):
                unrecognised.append(test.key)
            continue
        verdict, why = _entry_bounds(test)
        if verdict is True:
            if test.key not in keys:
                keys.append(test.key)
        elif isinstance(verdict, Unknown):
            unknown = unknown if unknown is not None else verdict
        elif why:
            whys.append(why)
    if keys:
        return CallerBound(True, tuple(keys))
    why = "; ".join(whys)
    if unknown is not None:
        return CallerBound(unknown, why=why)
    if unrecognised:
        return CallerBound(Unknown(f"{statement.label} has a condition on {', '.join(unrecognised)}, a key whose "
                                   f"callers cicd-guard cannot tell"), why=why)
    return CallerBound(False, why=why)


def _could_bound(test: Entry) -> bool:
    """An entry a caller without the key, or outside its values, cannot satisfy: whatever its key,
    a negated, IfExists, ForAllValues or Null entry bounds no one."""
    return not test.negated and test.family != "null" and not test.when_absent()


def _claim_key(key_lc: str) -> bool:
    """`<issuer>:sub` and the like: an OIDC claim (the issuer is a host name), not a service's key."""
    return ":" in key_lc and "." in key_lc.rsplit(":", 1)[0]
