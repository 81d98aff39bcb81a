"""REG-006: Only deploy identities can push images."""

from __future__ import annotations

from typing import Iterator

from ...access import azure_grants, grants_of, resource_policy_grants
from ...accounts import CALLER_KIND
from ...findings import Severity
from ...identities import identities, names_identity
from ...model import Ref
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ._common import (
    AWS_KINDS,
    AZURE_KINDS,
    A,
    C,
    _az_relevant,
    _az_where,
    _az_who,
    _first_unknown,
    _list,
    _orphan_results,
    _principal_label,
    _reason,
    _Tally,
    _who,
)


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
Push belongs to one deploy identity per pipeline (tagged `cicd-stage = deploy` or listed in
`deploy_identities`), reachable only from the protected deploy environment.
""",
    fixes={
        "aws": """
Remove the push actions (PutImage, InitiateLayerUpload, UploadLayerPart, CompleteLayerUpload, or
AmazonEC2ContainerRegistryPowerUser/FullAccess) from build roles, users and groups. Give them to one
deploy role tagged `cicd-stage = deploy` (or listed in `deploy_identities`), assumable only from the
protected deploy environment.
""",
        "azure": """
Assign AcrPush only to the deploy identity (a service principal or managed identity tagged
`cicd-stage = deploy` or listed in `deploy_identities`), never to users or groups; give build
identities AcrPull.
""",
    },
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
    return _push_only_from_deploy(ctx)


def _push_only_from_deploy(ctx: Context) -> Iterator[Result]:
    """The decision of REG-006, kept out of the decorated function so it can be mutation tested."""
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
            yield Result.undecided(g.resource, f"{_not_known(g.principal, who, ctx)}; list it in deploy_identities "
                                               f"if it is a deploy identity", f"whether {who} may push images")
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


def _not_known(principal: object, who: str, ctx: Context) -> str:
    """Why a principal a registry policy names cannot be judged: not declared here, or the identity that runs
    the deployment (`data.aws_caller_identity.current.arn`), which only the run knows."""
    target = ctx.inventory.by_address(principal.address) if isinstance(principal, Ref) else None
    if target is not None and target.kind == CALLER_KIND:
        return f"{who} is the identity that runs the deployment, known only when it runs"
    return f"{who} is not declared here"
