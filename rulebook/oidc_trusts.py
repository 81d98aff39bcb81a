"""Trust statements federated to a CI OIDC issuer, with the prefix their claim keys carry.

AWS names an OIDC provider's claims after the provider's host and path: a trust on GitHub's enterprise
issuer `https://token.actions.githubusercontent.com/acme` is conditioned on
`token.actions.githubusercontent.com/acme:aud`, not on the shared issuer's key. The rules that read
claims (audience, subject) ask here which statements trust a CI issuer and under which key prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from .identities import federated_source, issuer_of
from .model import Inventory
from .policy import PolicyDocument, Statement
from .unknown import Unknown


@dataclass(frozen=True)
class OidcTrust:
    statement: Statement
    issuer: str  # the CI issuer as listed (ci_principals.CI_OIDC_ISSUERS or config.oidc_issuers)
    prefix: str  # the provider's host and path, as condition keys spell it (lower case)

    def claim(self, name: str) -> str:
        """The condition key of one claim of this issuer (`aud`, `sub`)."""
        return f"{self.prefix}:{name}"


def claim_prefix(text: str) -> str:
    """An OIDC provider ARN or URL as the prefix of its condition keys: host and path, no scheme."""
    text = text.strip().lower()
    if "oidc-provider/" in text:
        text = text.split("oidc-provider/", 1)[1]
    for scheme in ("https://", "http://"):
        if text.startswith(scheme):
            text = text[len(scheme):]
    return text.rstrip("/")


def oidc_trusts(inventory: Inventory, trust: PolicyDocument,
                issuers: Iterable[str]) -> list[OidcTrust | Unknown]:
    """One entry per (Allow statement, CI issuer it federates to); an Unknown where the federated
    principal cannot be told and no condition key names a CI issuer instead."""
    issuers = tuple(issuers)
    found: list[OidcTrust | Unknown] = []
    for statement in trust.allows():
        found.extend(statement_trusts(inventory, statement, issuers))
    return found


def statement_trusts(inventory: Inventory, statement: Statement,
                     issuers: Iterable[str]) -> list[OidcTrust | Unknown]:
    """The CI issuers one statement federates to (whatever its Effect)."""
    issuers = tuple(issuers)
    out: list[OidcTrust | Unknown] = []
    unknown: Unknown | None = None
    for key, values in (statement.principals or {}).items():
        if not isinstance(key, str) or key.lower() != "federated":
            continue
        for value in values:
            source = federated_source(inventory, value)
            if isinstance(source, Unknown):
                unknown = unknown if unknown is not None else Unknown(
                    f"federated principal of {statement.label}: {source.reason}")
                continue
            hit = issuer_of(source, issuers) if source is not None else None
            if hit is not None:
                _add(out, OidcTrust(statement, hit, claim_prefix(source)))
    if unknown is not None:
        named = _named_by_conditions(statement, issuers)
        for trust in named:
            _add(out, trust)
        if not named:
            out.append(unknown)
    return out


def _named_by_conditions(statement: Statement, issuers: tuple[str, ...]) -> list[OidcTrust]:
    """The CI issuers a statement's condition keys name (`token.actions.githubusercontent.com:sub`):
    a claim condition can only hold for a token of that issuer."""
    out: list[OidcTrust] = []
    for condition in statement.conditions:
        prefix = condition.key_lc.rsplit(":", 1)[0] if ":" in condition.key_lc else ""
        if not prefix or prefix.startswith("aws") or prefix.startswith("sts"):
            continue
        hit = issuer_of(prefix, issuers)
        if hit is not None:
            _add(out, OidcTrust(statement, hit, claim_prefix(prefix)))
    return out


def _add(items: list[Any], item: OidcTrust) -> None:
    if not any(isinstance(i, OidcTrust) and i.statement is item.statement and i.prefix == item.prefix
               for i in items):
        items.append(item)
