"""IDF-005: no role trust policy lets any principal assume the role without a bounding condition."""

from __future__ import annotations

from typing import Iterator

from ...conditions import caller_bound
from ...findings import Severity
from ...identities import identity_for
from ...model import Resource
from ...policy import Statement, names_everyone
from ...unknown import Unknown
from ..base import Context, Example, Result, rule

# conditions that bound who may assume a role trusted by everyone: the caller's organisation or
# account, an external ID only the intended third party knows, the caller's ARN
BOUNDING_KEYS = ("aws:PrincipalOrgID", "aws:PrincipalAccount", "aws:PrincipalArn", "aws:SourceAccount",
                 "sts:ExternalId")
SHOWN_KEYS = f"{', '.join(BOUNDING_KEYS[:-1])} or {BOUNDING_KEYS[-1]}"


def judge_statement(resource: Resource, statement: Statement) -> Result | None:
    """A failing or undecided result when this trust statement lets anyone assume the role unbounded."""
    where = f"{statement.label} of the trust policy"
    if statement.principals is None and statement.not_principals is None and isinstance(statement.effect, Unknown):
        return Result.undecided(resource, statement.effect, f"whether {where} names every principal")
    public = names_everyone(statement, "AWS")
    if isinstance(public, Unknown):
        return Result.undecided(resource, public, f"whether {where} names every principal")
    if public is False:
        return None
    if isinstance(statement.effect, Unknown):
        return Result.undecided(resource, statement.effect, f"whether {where} allows or denies")
    if statement.effect != "Allow":
        return None
    bound = caller_bound(statement, accept=BOUNDING_KEYS)
    if bound.bounded is True:
        return None
    if isinstance(bound.bounded, Unknown):
        return Result.undecided(resource, bound.bounded, f"whether {where} bounds who may assume the role")
    who = "every principal but those it names (NotPrincipal)" if statement.not_principals is not None \
        else "any principal (Principal *)"
    return Result.fail(resource, f"{where} lets {who} assume the role without a condition on "
                                 f"{SHOWN_KEYS}"
                                 + (f": {bound.why}" if bound.why else ""))


def trust_results(resource: Resource, ctx: Context) -> Iterator[Result]:
    ident = identity_for(ctx, resource)
    trust = ident.trust_policy if ident is not None else None
    if trust is None:
        return
    if isinstance(trust, Unknown):
        yield Result.undecided(resource, trust, "whether the trust policy lets any principal assume the role")
        return
    for statement in trust.statements:
        result = judge_statement(resource, statement)
        if result is not None:
            yield result
    if not trust.statements and trust.unknowns:
        yield Result.undecided(resource, trust.unknowns[0], "whether the trust policy lets any principal assume "
                                                            "the role")


@rule(
    id="IDF-005",
    title="No role assumable by anyone",
    severity=Severity.CRITICAL,
    practice="P6",
    kinds=("aws.iam.role",),
    rationale="""
A trust policy with Principal `*` (or `{"AWS": "*"}`) lets every AWS account in the world call
sts:AssumeRole on the role; whoever learns its ARN (from a pipeline log, a Terraform state, an error
message) acts with its permissions. Pipelines and cross-account tooling need a bounded caller: an
organisation (aws:PrincipalOrgID), an account (aws:SourceAccount, aws:PrincipalAccount), a caller
ARN (aws:PrincipalArn) or an external ID shared with one third party (sts:ExternalId). Negated
operators, `...IfExists` and wildcards bound nothing.
""",
    remediation="""
Name the accounts or roles that may assume the role as principals, or keep Principal `*` only with
a `StringEquals` condition on aws:PrincipalOrgID (your organisation) or sts:ExternalId (a
third-party integration). CI pipelines should assume roles through OIDC federation instead.
""",
    examples=(
        Example("terraform", False, '''
resource "aws_iam_role" "deploy" {
  name = "cross-account-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
    }]
  })
}
''', resource="aws_iam_role.deploy"),
        Example("terraform", True, '''
resource "aws_iam_role" "deploy" {
  name = "cross-account-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
      Condition = { StringEquals = { "aws:PrincipalOrgID" = "o-a1b2c3d4e5" } }
    }]
  })
}
'''),
        Example("pulumi", False, '''
import json
import pulumi_aws as aws

aws.iam.Role("deploy", name="cross-account-deploy", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*"}],
}))
''', resource="deploy"),
        Example("pulumi", True, '''
import json
import pulumi_aws as aws

aws.iam.Role("deploy", name="cross-account-deploy", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": "*"},
                   "Condition": {"StringEquals": {"sts:ExternalId": "acme-ci-7f3e"}}}],
}))
'''),
    ),
)
def idf_005(resource: Resource, ctx: Context) -> Iterator[Result]:
    yield from trust_results(resource, ctx)
