"""Effective registry privileges: who may pull, push, list or administer which registry, and why.

`registry_grants(ctx)` is every AWS grant on ECR / ECR Public, each one action class with its
concrete actions, the resources it applies to, its conditions and the statement and policy it came
from; explicit Deny statements of the same identity (identity or resource policies) are already
subtracted. Grants come in two flavours:

- identity grants (`grant.identity` set): the identity's own policies plus resource-policy
  statements that name it;
- resource-policy grants (`grant.principal` set): every Allow statement of a repository or registry
  policy, per Principal entry (`*`, an account, an ARN, a service), for REG-001 and REG-007.

A part that cannot be decided gives a grant with `unknown` set (actions unknown: action_class is
None). Azure role assignments are `azure_grants(ctx)`. Everything is computed once per run.

How a REG rule reads (sketches, see rules/registry.py once written):

    @rule(id="REG-003", ..., scope="inventory", kinds=IDENTITY_KINDS)
    def check(ctx):
        for g in identity_grants(ctx):
            if g.identity.admin:
                continue
            if g.action_class is None:
                yield Result.undecided(g.resource, g.unknown, "whether it may list repositories")
            elif g.action_class is ActionClass.ENUMERATE:
                yield Result.fail(g.resource, f"{g.identity.name} may list repositories "
                                  f"({', '.join(sorted(g.actions))}) through {g.origin}")

    # REG-004: CI identities with any registry grant must deny enumeration on every repository
    for ident in identities(ctx):
        if ident.cicd is True and grants_of(ctx, ident):
            verdict = enumeration_deny(ctx, ident)
            if isinstance(verdict.present, Unknown): yield Result.undecided(ident.resource, verdict.present)
            elif verdict.present is False: yield Result.fail(ident.resource, verdict.reason)

    # REG-005: g.action_class is not AUTH and g.on_all_resources is True (Unknown -> undecided)
    # REG-006: g.action_class is PUSH and (g.identity.deploy is not True or g.identity.is_human is True)
    # REG-007: resource_policy_grants(ctx): (g.principal_is_public or g.cross_account() is True) and
    #          conditions.caller_bound(g.statement, keys).bounded is not True; push: PUSH and cross_account()
    # Azure:   for a in azure_grants(ctx): a.capabilities, a.all_registry_actions, a.scope.kind,
    #          a.identity (deploy/admin), a.is_human; a.unknown -> undecided
    # Access map: grants_on(ctx, repository) -> [(grant, True | Unknown)]

Every Unknown here refuses truth testing: compare with `is True` / `is False` or isinstance first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from . import actions as catalogue
from .accounts import arn_account, is_other_account, own_accounts
from .azure_roles import AzureRole, Capability, Scope, classify_scope, role_for_assignment
from .identities import AttachedPolicy, Identity, document, identities, index
from .model import Ref, Resource
from .policy import Condition, PolicyDocument, Statement
from .registry_actions import REGISTRY_SERVICES, ActionClass, by_class
from .unknown import Unknown

REGISTRY_POLICY_KINDS = ("aws.ecr.repository_policy", "aws.ecr.registry_policy")
_PROBE = "\x00every-repository"


@dataclass(frozen=True, eq=False)
class Grant:
    action_class: ActionClass | None  # None: the actions cannot be decided (see `unknown`)
    actions: frozenset[str]
    resources: tuple[Any, ...]  # ARNs / patterns / Refs; ("*",) = everything
    not_resources: tuple[Any, ...] = ()  # NotResource: everything except these
    identity: Identity | None = None
    principal: Any = None  # resource-policy grants: the Principal entry ("*", account, ARN, Ref)
    principal_type: str | None = None  # AWS | Service | Federated | CanonicalUser
    conditions: tuple[Condition, ...] = ()
    statement: Statement | None = None
    source: AttachedPolicy | None = None  # identity grants: the policy that carries the statement
    policy_resource: Resource | None = None  # resource-policy grants: the repository/registry policy
    target: Resource | None = None  # repository a repository policy governs (None: registry-wide)
    unknown: Unknown | None = None
    all_actions: bool = False  # the statement grants every action of a registry service (`*`, `ecr:*`)
    other_account: bool | Unknown = False  # resource-policy grants: principal in another account (accounts.py)
    own_accounts: str = ""  # ... and the stack's own accounts with where they were learned, for messages

    @property
    def resource(self) -> Resource:
        """The resource a finding about this grant is reported on."""
        if self.identity is not None:
            return self.identity.resource
        assert self.policy_resource is not None
        return self.policy_resource

    @property
    def on_all_resources(self) -> bool | Unknown:
        """`*`, every repository (`repository/*`) or NotResource; Unknown when a resource is unknown."""
        return all_resources(self.resources, self.not_resources)

    @property
    def origin(self) -> str:
        where = self.statement.label if self.statement is not None else "policy"
        if self.source is not None:
            return f"{where} of {self.source.label}"
        if self.policy_resource is not None:
            return f"{where} of {self.policy_resource.address}"
        return where

    @property
    def principal_is_public(self) -> bool:
        return self.principal == "*" or (isinstance(self.principal, str) and self.principal.strip() == "*")

    def cross_account(self) -> bool | Unknown:
        """Resource-policy grants: is the principal in another account than the stack's own (accounts.py)?

        False for `*` (see principal_is_public) and for services and federated principals.
        """
        return self.other_account

    def covers(self, repository: Resource) -> bool | Unknown:
        """Does the grant apply to `repository` (an aws.ecr.repository)?"""
        if self.target is not None:
            return self.target.address == repository.address
        return resource_covers(self.resources, self.not_resources, repository)


@dataclass(frozen=True)
class EnumerationDeny:
    """REG-004: an explicit, unconditional Deny of repository listing over every repository."""

    present: bool | Unknown
    statement: Statement | None = None
    source: AttachedPolicy | None = None
    reason: str = ""


@dataclass(frozen=True, eq=False)
class AzureGrant:
    assignment: Resource
    role: AzureRole | None
    capabilities: frozenset[Capability]
    scope: Scope | None
    identity: Identity | None  # the principal, when it is declared here
    principal_type: Any  # assignment's principal_type, else the identity's (str, Unknown or None)
    unknown: Unknown | None = None  # role or scope undecidable
    principal_unknown: Unknown | None = None  # principal not resolvable (assignment still decidable)
    all_registry_actions: bool = False

    @property
    def is_human(self) -> bool | Unknown:
        ptype = self.principal_type
        if isinstance(ptype, Unknown):
            return ptype
        if isinstance(ptype, str):
            return ptype.lower() in ("user", "group")
        if self.identity is not None:
            return self.identity.is_human
        return Unknown(f"principal type of {self.assignment.address} is not known")


# --------------------------------------------------------------------------------------------------
# public API


def registry_grants(ctx: Any) -> list[Grant]:
    """Identity grants and resource-policy grants on ECR / ECR Public."""
    return identity_grants(ctx) + resource_policy_grants(ctx)


def identity_grants(ctx: Any) -> list[Grant]:
    return ctx.derived("rulebook.access.identity", _identity_grants)


def resource_policy_grants(ctx: Any) -> list[Grant]:
    return ctx.derived("rulebook.access.resource_policies", _resource_policy_grants)


def grants_of(ctx: Any, identity: Identity) -> list[Grant]:
    """The registry grants one identity holds (after its explicit denies)."""
    by_ident: dict[str, list[Grant]] = ctx.derived("rulebook.access.by_identity", _by_identity)
    return by_ident.get(identity.address, [])


def grants_on(ctx: Any, repository: Resource) -> list[tuple[Grant, bool | Unknown]]:
    """Grants that reach one aws.ecr.repository (or may: the verdict is Unknown), for the access map."""
    out: list[tuple[Grant, bool | Unknown]] = []
    for grant in registry_grants(ctx):
        if grant.action_class is None:
            continue
        verdict = grant.covers(repository)
        if verdict is True or isinstance(verdict, Unknown):
            out.append((grant, verdict))
    return out


def enumeration_deny(ctx: Any, identity: Identity) -> EnumerationDeny:
    """Does `identity` carry an explicit Deny of ecr:DescribeRepositories on every repository?"""
    undecided: Unknown | None = None
    for attached in identity.policies:
        doc = attached.document
        if isinstance(doc, Unknown):
            undecided = _first(undecided, doc)
            continue
        for statement in doc.undecided():
            reason = f"{statement.label} of {attached.label}: {statement.effect.reason}"
            undecided = _first(undecided, Unknown(reason))
        for statement in doc.denies():
            verdict = _denies_listing_everywhere(statement, attached)
            if verdict is True:
                return EnumerationDeny(True, statement, attached, f"{statement.label} of {attached.label}")
            if isinstance(verdict, Unknown):
                undecided = _first(undecided, verdict)
    if undecided is not None:
        return EnumerationDeny(undecided, reason=undecided.reason)
    return EnumerationDeny(False, reason=f"no policy of {identity.address} denies ecr:DescribeRepositories on all "
                                         f"repositories")


def azure_grants(ctx: Any) -> list[AzureGrant]:
    return ctx.derived("rulebook.access.azure", _azure_grants)


def all_resources(resources: Iterable[Any], not_resources: Iterable[Any] = ()) -> bool | Unknown:
    """Whether a Resource/NotResource pair reaches every repository."""
    if tuple(not_resources):
        return True
    unknown = None
    for value in resources:
        if isinstance(value, Unknown):
            unknown = _first(unknown, value)
        elif isinstance(value, str) and covers_all_repositories(value):
            return True
    return unknown if unknown is not None else False


def covers_all_repositories(pattern: str) -> bool:
    """`*`, `arn:aws:ecr:*:*:repository/*`, `arn:aws:ecr:eu-west-1:123:repository/*`, `...:*`."""
    pattern = pattern.strip()
    parts = pattern.split(":", 5)  # `*` has one part and matches the probe ARN below
    if len(parts) < 6:
        return catalogue.glob_match(pattern, "arn:aws:ecr:region:000000000000:repository/" + _PROBE)
    prefix, partition, service, region, account, rest = parts
    if prefix != "arn" or not catalogue.glob_match(service, "ecr"):
        return False
    return catalogue.glob_match(rest, "repository/" + _PROBE)


def resource_covers(resources: Iterable[Any], not_resources: Iterable[Any], repository: Resource) -> bool | Unknown:
    arn, name = repository.props.get("arn"), repository.props.get("name")
    nots = tuple(not_resources)
    if nots:
        excluded = _matches_repository(nots, repository, arn, name)
        return excluded if isinstance(excluded, Unknown) else not excluded
    return _matches_repository(tuple(resources), repository, arn, name)


# --------------------------------------------------------------------------------------------------
# AWS: statements to grants


@dataclass
class _Deny:
    statement: Statement
    resources: tuple[Any, ...]
    not_resources: tuple[Any, ...]
    principals: Any = None  # resource policies: who the deny applies to


def _statement_resources(statement: Statement, default: tuple[Any, ...]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    if statement.not_resources:
        return ("*",), statement.not_resources
    if statement.resources:
        return statement.resources, ()
    return default, ()


def _policy_default(attached: AttachedPolicy) -> tuple[Any, ...]:
    """Resource of a statement without one: what a resource policy governs; `*` in an identity policy."""
    return _default_resources(attached.target, attached.resource) if attached.is_resource_policy else ("*",)


def _default_resources(target: Resource | None, policy_resource: Resource | None) -> tuple[Any, ...]:
    """Resource of a resource-policy statement without a Resource element: the repository it governs."""
    if target is not None:
        arn = target.props.get("arn")
        # the policy governs this repository even when its ARN is only known after apply
        return (arn if isinstance(arn, str) and arn else Ref(target.address, "arn"),)
    if policy_resource is not None and policy_resource.kind == "aws.ecr.repository_policy":
        repository = policy_resource.props.get("repository")
        return (repository,) if repository is not None else ("*",)
    return ("*",)


def expanded_actions(statement: Statement) -> tuple[frozenset[str], list[Unknown], bool]:
    """Registry actions a statement covers, unknown entries, and whether it covers a whole service."""
    if statement.not_actions:
        unknowns: list[Unknown] = [v for v in statement.not_actions if isinstance(v, Unknown)]
        if unknowns:
            return frozenset(), unknowns, False
        acts = catalogue.expand_not(statement.not_actions, REGISTRY_SERVICES)
    else:
        unknowns = [v for v in statement.actions if isinstance(v, Unknown)]
        acts = catalogue.expand(statement.actions, REGISTRY_SERVICES)
    everything = any(catalogue.service_actions(s) and catalogue.service_actions(s) <= acts for s in REGISTRY_SERVICES)
    return acts, unknowns, everything


def _deny_applies(deny: _Deny, action: str, resource: Any) -> bool:
    s = deny.statement
    if s.conditions:
        return False  # a conditional Deny does not take the grant away everywhere
    if s.not_actions:
        if any(isinstance(v, Unknown) for v in s.not_actions):
            return False
        if any(isinstance(p, str) and catalogue.matches(p, action) for p in s.not_actions):
            return False
    elif not any(isinstance(p, str) and catalogue.matches(p, action) for p in s.actions):
        return False
    if deny.not_resources:
        if not isinstance(resource, str):
            return False
        return all(isinstance(nr, str) and not _overlap(nr, resource) for nr in deny.not_resources)
    return any(_pattern_covers(d, resource) for d in deny.resources)


def _pattern_covers(pattern: Any, resource: Any) -> bool:
    """Does a Deny resource pattern include every resource the allow pattern `resource` names?"""
    if isinstance(pattern, str) and pattern.strip() == "*":
        return True
    if isinstance(pattern, Ref) or isinstance(resource, Ref):
        return pattern == resource
    if isinstance(pattern, str) and isinstance(resource, str):
        return catalogue.glob_match(pattern, resource)
    return False


def _overlap(a: str, b: str) -> bool:
    """Whether two resource patterns may name one resource (`*` matches every string, so it overlaps all)."""
    return catalogue.glob_match(a, b) or catalogue.glob_match(b, a)


def _grants_for_statement(statement: Statement, denies: list[_Deny], resources: tuple[Any, ...],
                          not_resources: tuple[Any, ...], **common: Any) -> list[Grant]:
    acts, unknowns, everything = expanded_actions(statement)
    out: list[Grant] = []
    for unknown in unknowns:
        out.append(Grant(None, frozenset(), resources, not_resources, statement=statement,
                         conditions=statement.conditions, unknown=Unknown(f"actions of {statement.label}: "
                                                                           f"{unknown.reason}"), **common))
    resource_unknown = next((r for r in resources + not_resources if isinstance(r, Unknown)), None)
    condition_unknown = next((v for c in statement.conditions for v in c.values if isinstance(v, Unknown)), None)
    grouped: dict[tuple[ActionClass, tuple[Any, ...]], set[str]] = {}
    for cls, members in by_class(acts).items():
        for action in members:
            remaining = tuple(r for r in resources
                              if not any(_deny_applies(d, action, r) for d in denies))
            if not remaining:
                continue
            grouped.setdefault((cls, remaining), set()).add(action)
    unknown = _first(resource_unknown, condition_unknown)
    if unknown is not None:
        part = "resource" if resource_unknown is not None else "condition"
        unknown = Unknown(f"{part} of {statement.label}: {unknown.reason}")
    for (cls, remaining), members in sorted(grouped.items(), key=lambda kv: (kv[0][0].value, str(kv[0][1]))):
        out.append(Grant(cls, frozenset(members), remaining, not_resources, statement=statement,
                         conditions=statement.conditions, unknown=unknown, all_actions=everything, **common))
    return out


def _identity_grants(ctx: Any) -> list[Grant]:
    out: list[Grant] = []
    for ident in identities(ctx):
        if ident.is_aws:
            out.extend(_grants_of_identity(ident))
    return out


def _grants_of_identity(ident: Identity) -> list[Grant]:
    denies: list[_Deny] = []
    for attached in ident.policies:
        if isinstance(attached.document, PolicyDocument):
            default = _policy_default(attached)
            for s in attached.document.denies():
                res, nres = _statement_resources(s, default)
                denies.append(_Deny(s, res, nres))
    out: list[Grant] = []
    for attached in ident.policies:
        doc = attached.document
        if isinstance(doc, Unknown):
            out.append(Grant(None, frozenset(), (), identity=ident, source=attached, unknown=doc))
            continue
        default = _policy_default(attached)
        for statement in doc.undecided():
            out.append(Grant(None, frozenset(), (), identity=ident, source=attached, statement=statement,
                             unknown=Unknown(f"{statement.label} of {attached.label}: {statement.effect.reason}")))
        for statement in doc.allows():
            res, nres = _statement_resources(statement, default)
            out.extend(_grants_for_statement(statement, denies, res, nres, identity=ident, source=attached,
                                             target=attached.target if attached.is_resource_policy else None))
    return out


def _by_identity(ctx: Any) -> dict[str, list[Grant]]:
    out: dict[str, list[Grant]] = {}
    for grant in identity_grants(ctx):
        if grant.identity is not None:
            out.setdefault(grant.identity.address, []).append(grant)
    return out


def _resource_policy_grants(ctx: Any) -> list[Grant]:
    out: list[Grant] = []
    for res in ctx.inventory.of_kind(*REGISTRY_POLICY_KINDS):
        target = None
        if res.kind == "aws.ecr.repository_policy":
            found = ctx.inventory.resolve(res.props.get("repository"), ("aws.ecr.repository",))
            target = found if isinstance(found, Resource) else None  # undecided: governs the named repository
        doc = document(res.props.get("policy"), res.address)
        if doc is None:
            continue
        if isinstance(doc, Unknown):
            out.append(Grant(None, frozenset(), (), policy_resource=res, target=target, unknown=doc))
            continue
        default = _default_resources(target, res)
        denies = []
        for s in doc.denies():
            r, nr = _statement_resources(s, default)
            denies.append(_Deny(s, r, nr, s.principals))
        for statement in doc.undecided():
            out.append(Grant(None, frozenset(), (), statement=statement, policy_resource=res, target=target,
                             unknown=Unknown(f"{statement.label} of {res.address}: {statement.effect.reason}")))
        for statement in doc.allows():
            principals = statement.principals
            if statement.not_principals is not None:
                principals = {"AWS": ("*",)}  # everyone except a few: as wide as "*" for these rules
            if not principals:
                continue
            res_, nres = _statement_resources(statement, default)
            for ptype, values in principals.items():
                for value in values:
                    applicable = [d for d in denies if _deny_principal_matches(d.principals, value)]
                    if isinstance(value, Unknown):
                        out.append(Grant(None, frozenset(), res_, nres, principal=value, principal_type=ptype,
                                         statement=statement, conditions=statement.conditions, policy_resource=res,
                                         target=target, unknown=Unknown(f"principal of {statement.label} in "
                                                                        f"{res.address}: {value.reason}")))
                        continue
                    governed = _governed_accounts(res_)
                    other = is_other_account(value, ctx, governed) if ptype == "AWS" else False
                    out.extend(_grants_for_statement(statement, applicable, res_, nres, principal=value,
                                                     principal_type=ptype, policy_resource=res, target=target,
                                                     other_account=other,
                                                     own_accounts=own_accounts(ctx).with_sources(governed).describe()))
    return out


def _governed_accounts(resources: tuple[Any, ...]) -> dict[str, str]:
    """Accounts of what a repository policy governs, from the statement's Resource ARNs (the repository's
    own ARN is a declared ARN: own_accounts already knows its account)."""
    out: dict[str, str] = {}
    for value in resources:
        if (account := arn_account(value)) and account not in out:
            out[account] = f"the Resource ARN {value}"
    return out


def _deny_principal_matches(principals: Any, value: Any) -> bool:
    if not principals:
        return False
    for values in principals.values():
        for v in values:
            if v == "*" or v == value:
                return True
    return False


def may_deny_listing(attached: AttachedPolicy) -> bool:
    """Whether a policy denies, or may deny (parts not known), ecr:DescribeRepositories everywhere."""
    doc = attached.document
    if isinstance(doc, Unknown) or any(True for _ in doc.undecided()):
        return True
    return any(_denies_listing_everywhere(s, attached) is not False for s in doc.denies())


def _denies_listing_everywhere(statement: Statement, attached: AttachedPolicy) -> bool | Unknown:
    wanted = "ecr:DescribeRepositories"
    if statement.conditions:
        return False
    if statement.not_actions:
        if any(isinstance(v, Unknown) for v in statement.not_actions):
            return Unknown(f"NotAction of {statement.label} in {attached.label}")
        if any(isinstance(p, str) and catalogue.matches(p, wanted) for p in statement.not_actions):
            return False
    else:
        if not any(isinstance(p, str) and catalogue.matches(p, wanted) for p in statement.actions):
            if any(isinstance(v, Unknown) for v in statement.actions):
                return Unknown(f"actions of {statement.label} in {attached.label} are not known")
            return False
    if attached.is_resource_policy:
        return False  # a repository policy only speaks for its own repository
    if statement.not_resources:
        return False
    resources = statement.resources or ("*",)
    verdict = all_resources(resources)
    return verdict


def _matches_repository(patterns: tuple[Any, ...], repository: Resource, arn: Any, name: Any) -> bool | Unknown:
    unknown = None
    for pattern in patterns:
        if isinstance(pattern, Unknown):
            unknown = _first(unknown, pattern)
        elif isinstance(pattern, Ref):
            if pattern.address == repository.address:
                return True
        elif isinstance(pattern, str):
            if pattern.strip() == "*":
                return True
            if isinstance(arn, str):
                if catalogue.glob_match(pattern, arn):
                    return True
            elif isinstance(name, str):
                tail = pattern.split(":", 5)[-1]
                if tail.startswith("repository/") and catalogue.glob_match(tail[len("repository/"):], name):
                    return True
            else:
                unknown = _first(unknown, Unknown(f"name and arn of {repository.address} are not known"))
    return unknown if unknown is not None else False


# --------------------------------------------------------------------------------------------------
# Azure


def _azure_grants(ctx: Any) -> list[AzureGrant]:
    inventory = ctx.inventory
    idx = index(ctx)
    principal_of = {a.address: i for i in idx.identities for a in i.role_assignments}
    unresolved_of = {u.resource.address: u.unknown for u in idx.unresolved
                     if u.resource.kind == "azure.role_assignment"}
    out: list[AzureGrant] = []
    for assignment in inventory.of_kind("azure.role_assignment"):
        role = role_for_assignment(assignment, inventory)
        scope = classify_scope(assignment.props.get("scope"), inventory)
        identity = principal_of.get(assignment.address)
        principal_unknown = unresolved_of.get(assignment.address) if identity is None else None
        ptype = assignment.props.get("principal_type")
        if ptype is None and identity is not None:
            ptype = identity.principal_type
        unknown = role if isinstance(role, Unknown) else scope if isinstance(scope, Unknown) else None
        resolved_role = role if isinstance(role, AzureRole) else None
        out.append(AzureGrant(
            assignment=assignment, role=resolved_role,
            capabilities=resolved_role.capabilities if resolved_role else frozenset(),
            scope=scope if isinstance(scope, Scope) else None, identity=identity, principal_type=ptype,
            unknown=unknown, principal_unknown=principal_unknown,
            all_registry_actions=bool(resolved_role and resolved_role.all_registry_actions)))
    return out


__all__ = ["Grant", "AzureGrant", "EnumerationDeny", "registry_grants", "identity_grants",
           "resource_policy_grants", "grants_of", "grants_on", "enumeration_deny", "azure_grants", "all_resources",
           "covers_all_repositories", "resource_covers"]


def _first(value: Any, fallback: Any) -> Any:
    """`value` unless it is None (never `or`: an Unknown has no truth value)."""
    return value if value is not None else fallback
