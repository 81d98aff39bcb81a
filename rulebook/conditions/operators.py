"""One condition entry evaluated as IAM does: operators, qualifiers, IfExists, wildcards, variables."""

from __future__ import annotations

import base64
import datetime as dt
import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Iterable

import re2

from ..model import Ref
from ..policy import Condition, Statement
from ..unknown import Unknown, UnknownKey
from .keys import canonical

ESCAPES = {"*": "\x01", "?": "\x02", "$": "$"}  # ${*} ${?} ${$}: literal characters
VARIABLE = re.compile(r"\$\{([^}]*)\}")
UNKNOWN_KEY = "<unknown>"

_FAMILIES = {  # base operator (lower case) -> (family, negated, wildcards, ignore case)
    "stringequals": ("string", False, False, False), "stringnotequals": ("string", True, False, False),
    "stringequalsignorecase": ("string", False, False, True),
    "stringnotequalsignorecase": ("string", True, False, True),
    "stringlike": ("string", False, True, False), "stringnotlike": ("string", True, True, False),
    "arnequals": ("arn", False, True, False), "arnlike": ("arn", False, True, False),
    "arnnotequals": ("arn", True, True, False), "arnnotlike": ("arn", True, True, False),
    "ipaddress": ("ip", False, False, False), "notipaddress": ("ip", True, False, False),
    "bool": ("bool", False, False, True), "binaryequals": ("binary", False, False, False),
    "null": ("null", False, False, True),
    **{f"numeric{c}": ("numeric", c == "notequals", False, False) for c in
       ("equals", "notequals", "lessthan", "lessthanequals", "greaterthan", "greaterthanequals")},
    **{f"date{c}": ("date", c == "notequals", False, False) for c in
       ("equals", "notequals", "lessthan", "lessthanequals", "greaterthan", "greaterthanequals")},
}


@dataclass(frozen=True)
class Entry:
    """One (operator, key) entry of a Condition block, with its values."""

    condition: Condition
    family: str | None  # string | arn | ip | bool | null | numeric | date | binary; None: unknown operator
    negated: bool = False
    wildcards: bool = False  # `*` and `?` are wildcards in the values
    ignore_case: bool = False
    if_exists: bool = False
    qualifier: str | None = None  # forallvalues | foranyvalue

    @property
    def key(self) -> str:
        return canonical(self.condition.key)

    @property
    def key_lc(self) -> str:
        return self.condition.key_lc

    @property
    def operator(self) -> str:
        return self.condition.operator

    @property
    def values(self) -> tuple[Any, ...]:
        return self.condition.values

    @property
    def unknown(self) -> Unknown | None:
        """Why this entry cannot be evaluated: an unknown key, operator, block or value."""
        if isinstance(self.condition.key, UnknownKey):
            return self.condition.key.unknown
        if self.family is None:
            if self.key_lc == UNKNOWN_KEY:
                return next((v for v in self.values if isinstance(v, Unknown)), Unknown("condition not known"))
            return Unknown(f"{self.operator} is not an IAM condition operator")
        return next((v for v in self.values if isinstance(v, Unknown)), None)

    def when_absent(self) -> bool:
        """Does a request without the key satisfy this entry?"""
        if self.family == "null":
            return any(_truth(v) is True for v in self.values)
        if self.if_exists or self.qualifier == "forallvalues":
            return True
        if self.qualifier == "foranyvalue":
            return False
        return self.negated

    def holds(self, request: str | Iterable[str] | None, variables: dict[str, str] | None = None) -> bool | Unknown:
        """Does a request whose key has `request` (None: absent; a list: a multivalued key) satisfy it?"""
        if self.family is None:
            return self.unknown  # type: ignore[return-value]
        if request is None or (self.qualifier == "forallvalues" and not isinstance(request, str) and not request):
            return self.when_absent()
        if self.family == "null":
            return any(_truth(v) is False for v in self.values)
        values = (request,) if isinstance(request, str) else tuple(request)
        if self.qualifier == "forallvalues":
            return all_of(self._one(v, variables) for v in values)
        return any_of(self._one(v, variables) for v in values)

    def _one(self, value: str, variables: dict[str, str] | None) -> bool | Unknown:
        hit = any_of(self._match(p, value, variables) for p in self.values)
        if isinstance(hit, Unknown):
            return hit
        return not hit if self.negated else hit

    def _match(self, policy_value: Any, value: str, variables: dict[str, str] | None) -> bool | Unknown:
        if isinstance(policy_value, Unknown):
            return policy_value
        if isinstance(policy_value, Ref):
            return Unknown(f"{self.key} value {policy_value} is only known after apply")
        text = text_of(policy_value)
        substituted = _substitute(text, variables or {})
        if isinstance(substituted, Unknown):
            return substituted
        return _MATCHERS[self.family](self, substituted, value)  # type: ignore[index]


def parse(condition: Condition) -> Entry:
    """Read an operator name: qualifier, base operator, IfExists (as IAM does, case-insensitively)."""
    op = condition.op
    qualifier = None
    if ":" in op:
        qualifier, op = op.split(":", 1)
        if qualifier not in ("forallvalues", "foranyvalue"):
            return Entry(condition, None)
    if_exists = op.endswith("ifexists") and op != "ifexists"
    base = op[: -len("ifexists")] if if_exists else op
    spec = _FAMILIES.get(base)
    if spec is None or (if_exists and base == "null"):
        return Entry(condition, None)
    family, negated, wildcards, ignore_case = spec
    return Entry(condition, family, negated, wildcards, ignore_case, if_exists, qualifier)


def entries(statement: Statement) -> tuple[Entry, ...]:
    return tuple(parse(c) for c in statement.conditions)


def holds(statement: Statement, request: dict[str, Any], variables: dict[str, str] | None = None) -> bool | Unknown:
    """Do all of a statement's conditions hold for a request context {key: value | [values]}?"""
    context = {k.lower(): v for k, v in request.items()}
    return all_of(t.holds(context.get(t.key_lc), variables) for t in entries(statement))


# --------------------------------------------------------------------------------------------------
# value matching


def text_of(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _truth(value: Any) -> bool | None:
    text = text_of(value).strip().lower()
    return True if text == "true" else False if text == "false" else None


def variables_in(text: str) -> list[str]:
    return [m.group(1) for m in VARIABLE.finditer(text) if m.group(1) not in ESCAPES]


def _substitute(text: str, variables: dict[str, str]) -> str | Unknown:
    """Fill policy variables; `${*}`/`${?}` become placeholders that match only themselves."""
    lowered = {k.lower(): v for k, v in variables.items()}

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in ESCAPES:
            return ESCAPES[name]
        base = name.split(",", 1)[0].strip().lower()  # ${aws:username, 'default'}
        if base in lowered:
            return lowered[base]
        raise LookupError(name)

    try:
        return VARIABLE.sub(one, text)
    except LookupError as exc:
        return Unknown(f"value {text!r} uses the policy variable ${{{exc.args[0]}}}, filled in from each request")


@lru_cache(maxsize=4096)
def glob(pattern: str, ignore_case: bool = False) -> Any:
    """An IAM wildcard pattern (`*`, `?`) as a compiled matcher with `.fullmatch`. RE2 runs in time linear in
    the text whatever the pattern: a policy written by a pull request (`*a*a*a...b`) cannot make Python's
    backtracking engine hang the scan."""
    body = "".join(".*" if c == "*" else "." if c == "?" else re.escape({"\x01": "*", "\x02": "?"}.get(c, c))
                   for c in pattern)
    return re2.compile(("(?si)" if ignore_case else "(?s)") + body)


def _string(test: Entry, pattern: str, value: str) -> bool:
    if test.wildcards:
        return glob(pattern).fullmatch(value) is not None  # no *Like operator ignores case
    literal = pattern.replace("\x01", "*").replace("\x02", "?")
    return literal.casefold() == value.casefold() if test.ignore_case else literal == value


def _arn(test: Entry, pattern: str, value: str) -> bool:
    parts, values = pattern.split(":", 5), value.split(":", 5)
    if len(parts) != len(values):
        return False
    return all(glob(p).fullmatch(v) is not None for p, v in zip(parts, values))


def _ip(test: Entry, pattern: str, value: str) -> bool:
    try:
        network = ipaddress.ip_network(pattern.strip(), strict=False)
        address = ipaddress.ip_address(value.strip())
    except ValueError:
        return False
    return address.version == network.version and address in network


def _bool(test: Entry, pattern: str, value: str) -> bool:
    return pattern.strip().lower() == value.strip().lower()


def _number(text: str) -> float | None:
    try:
        return float(text)
    except ValueError:
        return None


def _date(text: str) -> float | None:
    number = _number(text)
    if number is not None:
        return number
    try:
        moment = dt.datetime.fromisoformat(text.strip())  # Python 3.11 reads a trailing Z
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.timestamp()


def _numeric(test: Entry, pattern: str, value: str) -> bool:
    return _compare(test, _number(value), _number(pattern))


def _dates(test: Entry, pattern: str, value: str) -> bool:
    return _compare(test, _date(value), _date(pattern))


def _compare(test: Entry, left: float | None, right: float | None) -> bool:
    """The request's value (left) against the policy's (right); an unreadable one matches nothing."""
    if left is None or right is None:
        return False
    how = test.condition.base_op.removeprefix(test.family or "")
    return {"equals": left == right, "notequals": left == right,  # negation applied by the caller
            "lessthan": left < right, "lessthanequals": left <= right,
            "greaterthan": left > right, "greaterthanequals": left >= right}[how]


def _binary(test: Entry, pattern: str, value: str) -> bool:
    try:
        return base64.b64decode(pattern, validate=True) == base64.b64decode(value, validate=True)
    except ValueError:
        return False


_MATCHERS: dict[str, Callable[[Entry, str, str], bool | Unknown]] = {
    "string": _string, "arn": _arn, "ip": _ip, "bool": _bool, "binary": _binary,
    "numeric": _numeric, "date": _dates,
}


def any_of(results: Iterable[bool | Unknown]) -> bool | Unknown:
    unknown = None
    for r in results:
        if r is True:
            return True
        if isinstance(r, Unknown) and unknown is None:
            unknown = r
    return unknown if unknown is not None else False


def all_of(results: Iterable[bool | Unknown]) -> bool | Unknown:
    unknown = None
    for r in results:
        if r is False:
            return False
        if isinstance(r, Unknown) and unknown is None:
            unknown = r
    return unknown if unknown is not None else True


def wild(text: str, test: Entry) -> bool:
    """Does a value use wildcards under this entry's operator (*Like, Arn*)?"""
    return test.wildcards and ("*" in text or "?" in text)
