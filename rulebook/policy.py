"""IAM policy documents, normalised whatever form they arrive in.

Accepted forms: a JSON string (also heredoc text), a mapping (Terraform jsonencode/data source
output, Pulumi dict or PolicyDocumentArgs), with single values or lists in every field. Condition
operators and keys compare case-insensitively, as IAM does. Unknown parts stay Unknown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

from .unknown import Unknown, UnknownKey, find_unknown

Value = Any  # str | Ref | Unknown


@dataclass(frozen=True, slots=True)
class Condition:
    operator: str  # as written, e.g. StringLike, ForAnyValue:StringEquals, StringEqualsIfExists
    key: str  # as written, e.g. token.actions.githubusercontent.com:sub
    values: tuple[Value, ...]

    @property
    def op(self) -> str:
        return self.operator.lower()

    @property
    def key_lc(self) -> str:
        return self.key.lower() if isinstance(self.key, str) else ""

    @property
    def base_op(self) -> str:
        """Operator without set qualifier or IfExists, lower case: `ForAnyValue:StringLikeIfExists` -> `stringlike`."""
        op = self.op.split(":", 1)[-1]
        return op[: -len("ifexists")] if op.endswith("ifexists") else op


@dataclass(frozen=True, slots=True)
class Statement:
    effect: str | Unknown  # "Allow" | "Deny" (normalised capitalisation); Unknown when not known at plan time
    actions: tuple[Value, ...] = ()
    not_actions: tuple[Value, ...] = ()
    resources: tuple[Value, ...] = ()
    not_resources: tuple[Value, ...] = ()
    principals: Mapping[str, tuple[Value, ...]] | None = None  # {"AWS": (...), "Service": (...), ...}
    not_principals: Mapping[str, tuple[Value, ...]] | None = None
    conditions: tuple[Condition, ...] = ()
    sid: str | None = None
    index: int = 0  # position in the document, for messages

    @property
    def label(self) -> str:
        return f"statement {self.sid!r}" if self.sid else f"statement #{self.index + 1}"

    def conditions_on(self, key: str) -> list[Condition]:
        """Conditions whose key equals `key` (case-insensitive)."""
        wanted = key.lower()
        return [c for c in self.conditions if c.key_lc == wanted]


@dataclass(frozen=True, slots=True)
class PolicyDocument:
    statements: tuple[Statement, ...] = ()
    unknowns: tuple[Unknown, ...] = field(default=())  # parts that could not be decided
    origin: str = ""  # what it came from (address / managed policy name), for messages

    def allows(self) -> Iterable[Statement]:
        return (s for s in self.statements if s.effect == "Allow")

    def denies(self) -> Iterable[Statement]:
        return (s for s in self.statements if s.effect == "Deny")

    def undecided(self) -> Iterable[Statement]:
        """Statements whose Effect (or whole body) is unknown at plan time."""
        return (s for s in self.statements if isinstance(s.effect, Unknown))


class PolicyParseError(ValueError):
    """A policy document that is not valid JSON or not a policy."""


def _as_tuple(value: Any) -> tuple[Value, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(value)
    return (value,)


_PRINCIPAL_TYPES = {"aws": "AWS", "service": "Service", "federated": "Federated", "canonicaluser": "CanonicalUser"}


def _principals(value: Any) -> Mapping[str, tuple[Value, ...]] | None:
    if value is None:
        return None
    if isinstance(value, Mapping):
        return {_PRINCIPAL_TYPES.get(str(k).lower(), str(k)): _as_tuple(v) for k, v in value.items()}
    if isinstance(value, (str, Unknown)) or not isinstance(value, (list, tuple, int, float, bool)):
        return {"AWS": (value,)}  # "Principal": "*" is the same as {"AWS": "*"}; a Ref stands for an ARN
    raise PolicyParseError(f"Principal must be a string or a mapping, got {type(value).__name__}")


def names_everyone(statement: Statement, principal_type: str | None = None) -> bool | Unknown:
    """Whether a statement names every principal: Principal "*", {"AWS": "*"} or {"AWS": ["*"]}, or
    NotPrincipal (everyone but the few it names). `principal_type` ("AWS") limits which principals count:
    in a trust, a Federated or Service principal names one issuer or service, and its unknown value
    never makes the trust public."""
    if statement.not_principals is not None:
        return True
    undecided: Unknown | None = None
    for ptype, values in (statement.principals or {}).items():
        if principal_type is not None and (not isinstance(ptype, str) or ptype.upper() != principal_type.upper()):
            continue
        for value in values:
            if isinstance(value, Unknown):
                undecided = undecided if undecided is not None else value
            elif isinstance(value, str) and value.strip() == "*":
                return True
    return undecided if undecided is not None else False


def _conditions(value: Any) -> tuple[Condition, ...]:
    if value is None:
        return ()
    if isinstance(value, Unknown):  # a condition exists but is not known: keep it, unknown
        return (Condition("<unknown>", "<unknown>", (value,)),)
    if not isinstance(value, Mapping):
        raise PolicyParseError("Condition must be a mapping of operator to {key: values}")
    out: list[Condition] = []
    for operator, block in value.items():
        if isinstance(block, Unknown):
            out.append(Condition(str(operator), "<unknown>", (block,)))
            continue
        if not isinstance(block, Mapping):
            raise PolicyParseError(f"Condition operator {operator!r} must map keys to values")
        for key, values in block.items():
            out.append(Condition(str(operator), key if isinstance(key, UnknownKey) else str(key), _as_tuple(values)))
    return tuple(out)


def _field(raw: Mapping[str, Any], name: str) -> Any:
    """IAM element names are case-sensitive in AWS, but tools emit variants; accept any case."""
    if name in raw:
        return raw[name]
    lower = name.lower()
    for key, value in raw.items():
        if isinstance(key, str) and key.lower() == lower:
            return value
    return None


def _statement(raw: Any, index: int) -> Statement:
    if isinstance(raw, Unknown):  # a whole statement unknown at plan time (e.g. a dynamic block)
        return Statement(effect=raw, index=index)
    if not isinstance(raw, Mapping):
        raise PolicyParseError(f"statement #{index + 1} is not an object")
    effect = _field(raw, "Effect")
    if isinstance(effect, str):
        effect = effect.capitalize()
    if not isinstance(effect, Unknown) and effect not in ("Allow", "Deny"):
        raise PolicyParseError(f"statement #{index + 1} has Effect {effect!r} (Allow or Deny expected)")
    sid = _field(raw, "Sid")
    return Statement(
        effect=effect,
        actions=_as_tuple(_field(raw, "Action")),
        not_actions=_as_tuple(_field(raw, "NotAction")),
        resources=_as_tuple(_field(raw, "Resource")),
        not_resources=_as_tuple(_field(raw, "NotResource")),
        principals=_principals(_field(raw, "Principal")),
        not_principals=_principals(_field(raw, "NotPrincipal")),
        conditions=_conditions(_field(raw, "Condition")),
        sid=sid if isinstance(sid, str) and sid else None,
        index=index,
    )


def parse_policy_or_unknown(raw: Any, origin: str = "") -> tuple[PolicyDocument | Unknown, str | None]:
    """Like parse_policy, but a malformed document becomes Unknown: (value, the problem to note or None).

    Adapters use it so a broken policy is reported (as a note and an UNKNOWN result), never dropped.
    """
    try:
        return parse_policy(raw, origin), None
    except PolicyParseError as exc:
        text = str(exc)
        prefix = "policy is not valid JSON: "
        reason = (f"policy document is not valid JSON: {text[len(prefix):]}" if text.startswith(prefix)
                  else f"policy document is malformed: {text}")
    except (UnicodeDecodeError, RecursionError) as exc:
        reason = f"policy document is not valid JSON: {type(exc).__name__}"
    return Unknown(reason), reason


def parse_policy(raw: Any, origin: str = "") -> PolicyDocument | Unknown:
    """Normalise a policy in any accepted form. Raises PolicyParseError on malformed input.

    An Unknown document (the whole value unknown at plan time) is returned as is; unknown parts
    inside a known document are kept in place and listed in `unknowns`.
    """
    if isinstance(raw, PolicyDocument):
        return raw
    if isinstance(raw, Unknown):
        return raw
    if isinstance(raw, (bytes, bytearray)):
        raw = raw.decode("utf-8")
    if isinstance(raw, str):
        text = raw.strip()
        if not text:
            raise PolicyParseError("empty policy document")
        try:
            raw = json.loads(text)
            if isinstance(raw, str):  # JSON text encoded once more (jsonencode of a JSON string)
                raw = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise PolicyParseError(f"policy is not valid JSON: {exc.msg} at line {exc.lineno}") from None
    if not isinstance(raw, Mapping):
        raise PolicyParseError(f"policy must be a JSON object, got {type(raw).__name__}")
    statements = _field(raw, "Statement")
    if isinstance(statements, Unknown):
        return PolicyDocument((), (statements,), origin)
    parsed = tuple(_statement(s, i) for i, s in enumerate(_as_tuple(statements)))
    unknowns: list[Unknown] = []
    for statement in parsed:
        found = find_unknown([statement.effect, statement.actions, statement.not_actions, statement.resources,
                              statement.not_resources, [c.values for c in statement.conditions],
                              list((statement.principals or {}).values()),
                              list((statement.not_principals or {}).values())])
        if found is not None:
            unknowns.append(found)
    return PolicyDocument(parsed, tuple(unknowns), origin)
