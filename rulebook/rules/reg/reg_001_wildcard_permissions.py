"""REG-001: No wildcard registry permissions."""

from __future__ import annotations

from typing import Iterator

from ...access import azure_grants, identity_grants, resource_policy_grants
from ...azure_roles import Capability
from ...findings import Severity
from ..base import Context, Example, Result, rule
from ._common import (
    AWS_KINDS,
    AZURE_KINDS,
    _az_admin,
    _az_relevant,
    _az_where,
    _az_who,
    _orphan_results,
    _patterns,
    _principal_label,
    _reason,
    _who,
)


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
    remediation="",
    fixes={
        "aws": """
Replace the wildcard with the actions the job needs: `ecr:GetAuthorizationToken` plus the pull
actions (BatchGetImage, GetDownloadUrlForLayer, BatchCheckLayerAvailability) for build and test,
the push actions (InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload, PutImage) for the
deploy role only, on named repository ARNs. The rule applies to every identity and resource policy,
administrators included (no task needs the wildcard; suppress a reviewed break-glass role with a
reason).
""",
        "azure": """
Assign AcrPull or AcrPush on the registry instead of Owner, Contributor or a custom role with
`Microsoft.ContainerRegistry/*`; only identities listed in `admin_identities` may hold Owner or
Contributor for registry administration.
""",
    },
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
    return _wildcard_permissions(ctx)


def _wildcard_permissions(ctx: Context) -> Iterator[Result]:
    """The decision of REG-001, kept out of the decorated function so it can be mutation tested."""
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
    yield from _orphan_results(ctx, (), "holds every registry action", all_actions=True)
    for a in azure_grants(ctx):
        if a.role is not None and not a.all_registry_actions:
            continue  # a role short of every registry action cannot be a wildcard, whatever its scope
        relevant = _az_relevant(a, Capability, f"whether {_az_who(a)} holds every registry action")
        if isinstance(relevant, Result):
            yield relevant
        elif relevant and a.all_registry_actions and not _az_admin(a, ctx):
            assert a.role is not None
            yield Result.fail(a.assignment, f"{_az_who(a)} holds {a.role.label}, every registry action, on "
                                            f"{_az_where(a)} through {a.assignment.address}")

