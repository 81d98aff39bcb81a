"""REG-005: Registry permissions name their repositories."""

from __future__ import annotations

from typing import Iterator

from ...access import azure_grants, grants_of
from ...findings import Severity
from ...identities import identities
from ...registry_actions import ActionClass
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ._common import (
    _DATA_CAPS,
    AWS_KINDS,
    AZURE_KINDS,
    A,
    _az_relevant,
    _az_where,
    _az_who,
    _first_known,
    _first_unknown,
    _orphan_results,
    _repository_scoped,
    _Tally,
    _who,
)


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
    remediation="",
    fixes={
        "aws": """
Set Resource to the repository ARNs (`aws_ecr_repository.app.arn`,
`arn:aws:ecr:REGION:ACCOUNT:repository/NAME`) instead of `*` or `repository/*`; keep `*` for
ecr:GetAuthorizationToken only. Replace AmazonEC2ContainerRegistryPullOnly/ReadOnly/PowerUser (all on
`*`) by a policy naming the repositories.
""",
        "azure": """
Assign AcrPull/AcrPush with the registry's id as scope, not its resource group, subscription or
management group.
""",
    },
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
    return _named_repositories(ctx)


def _named_repositories(ctx: Context) -> Iterator[Result]:
    """The decision of REG-005, kept out of the decorated function so it can be mutation tested."""
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

