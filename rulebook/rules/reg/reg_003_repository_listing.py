"""REG-003: Automation cannot list registry repositories."""

from __future__ import annotations

from typing import Iterable, Iterator

from ...access import Grant, azure_grants, grants_of
from ...findings import Severity
from ...identities import identities
from ...model import Resource
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ._common import (
    AWS_KINDS,
    AZURE_KINDS,
    A,
    C,
    _az_admin,
    _az_relevant,
    _az_where,
    _az_who,
    _first_known,
    _first_unknown,
    _orphan_results,
    _outsiders,
    _repository_scoped,
    _Tally,
    _who,
)


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

A role or user that a repository or registry policy names by ARN without the stack declaring it
is judged on what that policy grants it, and reported on the policy.
""",
    remediation="",
    fixes={
        "aws": """
Remove ecr:DescribeRepositories, ecr:DescribeRegistry and wildcards that include them (`ecr:Describe*`,
`ecr:*`) and replace AmazonEC2ContainerRegistryReadOnly/PowerUser with explicit pull or push actions
on named repositories (AmazonEC2ContainerRegistryPullOnly contains no listing).
""",
        "azure": """
Do not assign Reader, Container Registry Repository Catalog Lister or another role that reads the
registry catalog to automation; AcrPull and AcrPush on the registry are enough to pull and push.
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
    return _repository_listing(ctx)


def _repository_listing(ctx: Context) -> Iterator[Result]:
    """The decision of REG-003, kept out of the decorated function so it can be mutation tested."""
    for ident in identities(ctx):
        if ident.is_aws and not ident.admin:
            yield from _judge(ident.resource, _who(ident), grants_of(ctx, ident))
    for outsider in _outsiders(ctx):
        if not ctx.config.is_admin_identity(outsider.name):
            yield from _judge(outsider.resource, outsider.who, outsider.grants)
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


def _judge(resource: Resource, who: str, grants: Iterable[Grant]) -> Iterator[Result]:
    """Listing on every repository (high) or on named ones (low), for one identity or outside principal."""
    grants = list(grants)
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
        yield Result.fail(resource, f"{who} may list registry repositories or images {wide.text()}")
    elif undecided is not None:
        yield Result.undecided(resource, undecided, f"whether {who} may list registry repositories")
    elif narrow:
        yield Result.fail(resource, f"{who} may describe named repositories or list their images {narrow.text()}",
                          severity=Severity.LOW)
