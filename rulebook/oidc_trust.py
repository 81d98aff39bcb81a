"""Every way a CI OIDC issuer reaches an identity: AWS trust statements and Azure federated credentials.

`ci_trusts(ctx)` lists one `Trust` per (role trust statement, CI issuer) and per Azure federated credential
of a CI issuer, with the issuer spelled as its claim keys are (`token.actions.githubusercontent.com/acme`
for a GitHub enterprise issuer) and `claims(name)`: the values of claim `name` it admits, with IAM's
semantics for AWS (rulebook.conditions.claim_values) and the credential's subject or flexible claims
expression for Azure. IDF-002..IDF-004 and the access map read trusts from here, never the raw policy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any, Callable

from .ci_principals import CI_OIDC_ISSUERS, is_saml_provider
from .actions import matches as action_matches
from .conditions import ClaimValues, Pattern, bounded_by, claim_values, deny_bound, entries
from .identities import Identity, identities, issuer_of, unresolved
from .model import Inventory, Ref, Resource
from .oidc_subjects import host_path
from .policy import PolicyDocument, Statement, names_everyone
from .unknown import Unknown


@dataclass(frozen=True)
class Trust:
    """One CI issuer's way in: a role's trust statement or a federated credential."""

    resource: Resource  # where it is written: the role, or the federated credential
    identity: Identity | None  # who it reaches (None: a credential whose owner is not declared here)
    issuer: str  # host[/path] as the claim keys spell it; "" when not known
    where: str  # "statement 'GitHub' of the trust policy of aws_iam_role.x", "federated credential ..."
    claims: Callable[[str], ClaimValues]  # claim name (sub, aud, job_workflow_ref) -> admitted values
    unknown: Unknown | None = None  # the issuer itself is not known at plan time


def ci_trusts(ctx: Any) -> list[Trust]:
    """Every CI OIDC trust of the stack (memoised per run)."""
    return ctx.derived("rulebook.oidc_trust", _build)


def _build(ctx: Any) -> list[Trust]:
    issuers = CI_OIDC_ISSUERS + tuple(getattr(ctx.config, "oidc_issuers", ()) or ())
    out: list[Trust] = []
    for ident in identities(ctx):
        if ident.type == "role" and isinstance(ident.trust_policy, Unknown):
            out.append(Trust(ident.resource, ident, "", f"the trust policy of {ident.address}", _no_claims,
                             Unknown(f"trust policy of {ident.address}: {ident.trust_policy.reason}")))
        elif ident.type == "role" and ident.trust_policy is not None:
            trust = ident.trust_policy
            bounds = _DenyBounds(trust, ctx.inventory, issuers)
            for statement in trust.allows():
                out.extend(_statement_trusts(ident, statement, ctx.inventory, issuers, bounds))
            for statement in trust.undecided():
                out.extend(_undecided_trusts(ident, statement, ctx.inventory, issuers, bounds))
            if not trust.statements and trust.unknowns:
                out.append(Trust(ident.resource, ident, "", f"the trust policy of {ident.address}", _no_claims,
                                 Unknown(f"its statements are not known: {trust.unknowns[0].reason}")))
        for cred in ident.federated_credentials:
            out.extend(_credential_trusts(cred, ident, issuers))
    for item in unresolved(ctx):
        if item.resource.kind == "azure.federated_credential":
            out.extend(_credential_trusts(item.resource, None, issuers))
    return out


# --------------------------------------------------------------------------------------------------
# AWS

WEB_IDENTITY = "sts:AssumeRoleWithWebIdentity"


def _statement_trusts(ident: Identity, statement: Statement, inventory: Inventory, issuers: tuple[str, ...],
                      bounds: "_DenyBounds") -> list[Trust]:
    where = f"{statement.label} of the trust policy of {ident.address}"
    found: dict[str, Trust] = {}
    undecided: Unknown | None = None
    for ptype, values in (statement.principals or {}).items():
        if ptype.lower() != "federated":
            continue
        for value in values:
            issuer = _federated_issuer(value, inventory, issuers)
            if isinstance(issuer, Unknown):
                undecided = undecided or issuer
            elif issuer is not None:
                found.setdefault(issuer.lower(), _aws_trust(ident, statement, issuer, where, bounds))
    for key in [k for k in found if k and _requires_another_issuer(statement, k, issuers)]:
        del found[key]  # its tokens lack a key the statement requires: it admits none of them
    if undecided is not None:  # the condition keys (`<issuer>:sub`) say which issuer an unknown principal is
        named = _issuers_in_conditions(statement, issuers)
        for issuer in named:
            found.setdefault(issuer.lower(), _aws_trust(ident, statement, issuer, where, bounds))
        if not named and not _saml_conditions(statement) and not _service_account_conditions(statement):
            found.setdefault("", Trust(ident.resource, ident, "", where, _no_claims, undecided))
    return list(found.values())


def _undecided_trusts(ident: Identity, statement: Statement, inventory: Inventory, issuers: tuple[str, ...],
                      bounds: "_DenyBounds") -> list[Trust]:
    """A statement whose Effect is not known may be an Allow: each CI issuer it names is a way in
    that cannot be judged; a statement not known at all may name any issuer."""
    effect: Any = statement.effect  # an Unknown: PolicyDocument.undecided() gives no other
    where = f"{statement.label} of the trust policy of {ident.address}"
    if statement.principals is None and statement.not_principals is None:
        return [Trust(ident.resource, ident, "", where, _no_claims,
                      Unknown(f"the statement is not known: {effect.reason}"))]
    why = Unknown(f"the Effect of {statement.label} is not known: {effect.reason}")
    return [replace(t, unknown=t.unknown if t.unknown is not None else why)
            for t in _statement_trusts(ident, statement, inventory, issuers, bounds)]


def _aws_trust(ident: Identity, statement: Statement, issuer: str, where: str, bounds: "_DenyBounds") -> Trust:
    def claims(name: str) -> ClaimValues:
        key = f"{issuer}:{name}"
        # STS refuses a token whose `aud` is not one of the provider's client IDs: every token it accepts has one
        allowed = claim_values(statement, key, always_present=name.lower() == "aud")
        return bounded_by(allowed, bounds.of(issuer, key))

    return Trust(ident.resource, ident, issuer, where, claims)


class _DenyBounds:
    """What a trust's Deny statements leave of each issuer's claims. The Denies that refuse web identity
    tokens (every principal, or an issuer's provider; an action covering sts:AssumeRoleWithWebIdentity)
    are read once per trust, and each (issuer, claim) bound once: many Allow and Deny statements cost
    their sum, not their product."""

    def __init__(self, trust: PolicyDocument, inventory: Inventory, issuers: tuple[str, ...]) -> None:
        self._denies: list[tuple[Statement, frozenset[str] | None]] = []  # None: every issuer
        for deny in trust.denies():
            if deny.not_actions or deny.not_principals is not None or not any(
                    isinstance(a, str) and action_matches(a, WEB_IDENTITY) for a in deny.actions):
                continue
            if names_everyone(deny, "AWS") is True:
                self._denies.append((deny, None))
                continue
            federated = [v for t, vs in (deny.principals or {}).items() if t.lower() == "federated" for v in vs]
            named = {i.lower() for v in federated if isinstance(i := _federated_issuer(v, inventory, issuers), str)}
            if named:
                self._denies.append((deny, frozenset(named)))
        self._bounds: dict[str, list[tuple[Pattern, ...]]] = {}

    def of(self, issuer: str, key: str) -> list[tuple[Pattern, ...]]:
        """The sets of values the Denies leave for claim `key` of `issuer`, in the order they are written."""
        if key.lower() not in self._bounds:
            self._bounds[key.lower()] = [b for deny, named in self._denies
                                         if (named is None or issuer.lower() in named)
                                         and (b := deny_bound(deny, key)) is not None]
        return self._bounds[key.lower()]


def _federated_issuer(value: Any, inventory: Inventory, issuers: tuple[str, ...]) -> str | Unknown | None:
    """The CI issuer (host[/path]) a Federated principal names; None when it is not a CI issuer."""
    if isinstance(value, Unknown):
        return Unknown(f"federated principal: {value.reason}")
    if isinstance(value, Ref):
        provider = inventory.resolve(value, ("aws.iam.oidc_provider", "aws.iam.saml_provider"))
        if isinstance(provider, Unknown):
            return provider
        if provider is None:
            return Unknown(f"federated principal {value} is not in this stack/module")
        if provider.kind == "aws.iam.saml_provider":
            return None
        value = provider.props.get("url")
        if isinstance(value, Unknown):
            return Unknown(f"url of {provider.address}: {value.reason}")
    if not isinstance(value, str) or is_saml_provider(value):
        return None
    return host_path(value) if issuer_of(value, issuers) else None


def _issuers_in_conditions(statement: Statement, issuers: tuple[str, ...]) -> list[str]:
    """CI issuers the condition keys name (`<issuer>:sub`): they say which issuer a statement is for."""
    out: list[str] = []
    for condition in statement.conditions:
        prefix = condition.key.rsplit(":", 1)[0] if ":" in condition.key else ""
        if prefix and not prefix.lower().startswith("aws") and issuer_of(prefix, issuers):
            if prefix.lower() not in (p.lower() for p in out):
                out.append(prefix)
    return out


def _requires_another_issuer(statement: Statement, issuer: str, issuers: tuple[str, ...]) -> bool:
    """Does the statement require a claim of another CI issuer (`<other>:sub` under a positive operator, no
    IfExists)? Tokens of `issuer` carry no such key, so IAM refuses them all."""
    for entry in entries(statement):
        prefix = entry.key.rsplit(":", 1)[0] if ":" in entry.key else ""
        if not prefix or prefix.lower() == issuer or prefix.lower().startswith("aws") or not issuer_of(prefix, issuers):
            continue
        if entry.family is not None and not entry.when_absent():
            return True
    return False


def _saml_conditions(statement: Statement) -> bool:
    return any(c.key_lc.startswith("saml:") for c in statement.conditions)


def _service_account_conditions(statement: Statement) -> bool:
    """Conditions admitting only Kubernetes service accounts (`system:serviceaccount:NS:NAME`): an EKS
    cluster's issuer (IRSA), whose provider is often an output of another module, is not a CI issuer."""
    for condition in statement.conditions:
        values = condition.values
        if values and all(isinstance(v, str) and v.startswith("system:serviceaccount:") for v in values):
            return True
    return False


def _no_claims(name: str) -> ClaimValues:
    return ClaimValues(name, Unknown("the issuer is not known"))


# --------------------------------------------------------------------------------------------------
# Azure federated credentials


_CLAUSE = re.compile(r"""\s*claims\[\s*(['"])(?P<claim>[^'"]+)\1\s*\]\s+(?P<op>matches|eq)\s+"""
                     r"""(['"])(?P<value>[^'"]*)\4\s*""", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
MAX_EXPRESSION = 4096  # longer than any expression a real credential needs


def flexible_claims(expression: str) -> dict[str, list[Pattern]] | Unknown:
    """A flexible federated credential's claims matching expression as {claim: [admitted pattern, AND-ed]}."""
    if len(expression) > MAX_EXPRESSION:  # the split below backtracks on long runs of blanks
        return Unknown(f"claims matching expression of {len(expression)} characters is longer than cicd-guard "
                       f"reads ({MAX_EXPRESSION})")
    out: dict[str, list[Pattern]] = {}
    for clause in _AND.split(expression.strip()):
        match = _CLAUSE.fullmatch(clause)
        if match is None:
            return Unknown(f"claims matching expression {expression!r} is not one cicd-guard can read "
                           f"(only `claims['name'] matches|eq 'value'` joined by `and`)")
        value = match.group("value")
        wildcard = match.group("op").lower() == "matches" and any(c in value for c in "*?")
        out.setdefault(match.group("claim").lower(), []).append(Pattern(value, wildcard))
    return out


def _credential_trusts(cred: Resource, ident: Identity | None, issuers: tuple[str, ...]) -> list[Trust]:
    issuer = cred.props.get("issuer")
    where = f"federated credential {cred.address}"
    if isinstance(issuer, Unknown):
        return [Trust(cred, ident, "", where, _no_claims, Unknown(f"issuer of {cred.address}: {issuer.reason}"))]
    if not isinstance(issuer, str) or not issuer_of(issuer, issuers):
        return []
    claims = _credential_claims(cred)
    return [Trust(cred, ident, host_path(issuer), where, lambda name: _claim(claims, name, cred))]


def _credential_claims(cred: Resource) -> dict[str, list[Pattern]] | Unknown:
    subject, expression = cred.props.get("subject"), cred.props.get("claims_matching_expression")
    if isinstance(subject, Unknown):
        return Unknown(f"subject of {cred.address}: {subject.reason}")
    if isinstance(subject, str) and subject:
        return {"sub": [Pattern(subject, any(c in subject for c in "*?"))]}
    if isinstance(expression, Unknown):
        return Unknown(f"claims matching expression of {cred.address}: {expression.reason}")
    if isinstance(expression, str) and expression.strip():
        return flexible_claims(expression)
    return {}


def _claim(claims: dict[str, list[Pattern]] | Unknown, name: str, cred: Resource) -> ClaimValues:
    if isinstance(claims, Unknown):
        return ClaimValues(name, claims)
    patterns = claims.get(name.lower())
    if not patterns:
        return ClaimValues(name, True, why=f"{cred.address} sets no subject and no expression on claim {name!r}")
    for p in patterns:
        if p.wildcard and not p.text.replace("*", ""):
            return ClaimValues(name, True, why=f"{cred.address} admits '*' for claim {name!r}")
    return ClaimValues(name, False, tuple((p,) for p in patterns))


__all__ = ["Trust", "ci_trusts", "flexible_claims"]
