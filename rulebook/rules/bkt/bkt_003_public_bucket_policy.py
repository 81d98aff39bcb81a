"""BKT-003: No bucket or access point policy allows everyone without a bounding condition."""

from __future__ import annotations

from typing import Iterator

from ...conditions import CALLER_KEYS, caller_bound
from ...findings import Severity
from ...model import Resource
from ...policy import PolicyDocument, Statement
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ._common import POLICY_HOLDERS, policy_of, public_principal

# keys that bound who calls a bucket beyond the analyzer's general list: one caller's unique id or user
# name, the account or organisation owning the VPC endpoint the request comes through
BOUNDING_KEYS = CALLER_KEYS + ("aws:userid", "aws:username", "aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths")
_WHAT = {"aws.s3.bucket": "the bucket's inline policy", "aws.s3.bucket_policy": "the bucket policy",
         "aws.s3.access_point": "the access point's policy", "aws.s3.access_point_policy": "the access point policy"}


def _actions(statement: Statement) -> str:
    if statement.not_actions:
        return "every action except " + ", ".join(str(a) for a in statement.not_actions)
    return ", ".join(str(a) for a in statement.actions) or "nothing"


def _judge(resource: Resource, statement: Statement, what: str) -> Result | None:
    public = public_principal(statement)
    where = f"{statement.label} of {what}"
    if isinstance(public, Unknown):
        return Result.undecided(resource, public, f"whether {where} names everyone")
    if public is False:
        return None
    if isinstance(statement.effect, Unknown):
        return Result.undecided(resource, statement.effect, f"whether {where} allows or denies")
    bound = caller_bound(statement, accept=BOUNDING_KEYS)
    if bound.bounded is True:
        return None
    if isinstance(bound.bounded, Unknown):
        return Result.undecided(resource, bound.bounded, f"whether {where} bounds who may call")
    who = "everyone but the principals it names (NotPrincipal)" if statement.not_principals is not None \
        else "everyone (Principal *)"
    return Result.fail(resource, f"{where} allows {who} {_actions(statement)} without a condition that bounds the "
                                 f"callers (organisation, VPC endpoint, network, account)"
                                 + (f": {bound.why}" if bound.why else ""))


@rule(
    id="BKT-003",
    title="No public bucket policies",
    severity=Severity.CRITICAL,
    practice="P8",
    kinds=POLICY_HOLDERS,
    rationale="""
A bucket policy statement that allows Principal `*` is evaluated for every caller on the internet
and every AWS account: artifacts can be downloaded, and with write actions replaced by anyone, the
classic route to poisoning a build. A condition only helps when it bounds who calls: an
organisation (aws:PrincipalOrgID), a VPC endpoint or VPC, a network range, an account. Negated
operators, `...IfExists`, wildcards and keys the caller sets (aws:UserAgent, aws:SecureTransport)
bound nothing.
""",
    remediation="""
Name the reading and writing roles as principals, or keep Principal `*` only with a condition on
aws:PrincipalOrgID, aws:SourceVpce / aws:SourceVpc or aws:SourceIp (StringEquals / IpAddress, exact
values). Serve public content through CloudFront with origin access control instead of a public
bucket.
""",
    examples=(
        Example("terraform", False, '''
resource "aws_s3_bucket" "artifacts" {
  bucket = "acme-build-artifacts"
}

resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Everyone"
      Effect    = "Allow"
      Principal = { AWS = "*" }
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::acme-build-artifacts/*"
    }]
  })
}
''', resource="aws_s3_bucket_policy.artifacts"),
        Example("terraform", True, '''
resource "aws_s3_bucket" "artifacts" {
  bucket = "acme-build-artifacts"
}

resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "CiNetworkOnly"
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::acme-build-artifacts/*"
      Condition = { StringEquals = { "aws:SourceVpce" = "vpce-0a1b2c3d4e5f67890" } }
    }]
  })
}
'''),
        Example("pulumi", False, '''
import json
import pulumi_aws as aws

artifacts = aws.s3.Bucket("artifacts", bucket="acme-build-artifacts")
aws.s3.BucketPolicy("artifacts-policy", bucket=artifacts.id, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Everyone", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                   "Resource": "arn:aws:s3:::acme-build-artifacts/*"}]}))
''', resource="artifacts-policy"),
        Example("pulumi", True, '''
import json
import pulumi_aws as aws

artifacts = aws.s3.Bucket("artifacts", bucket="acme-build-artifacts")
aws.s3.BucketPolicy("artifacts-policy", bucket=artifacts.id, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "Organisation", "Effect": "Allow", "Principal": {"AWS": ["*"]},
                   "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-build-artifacts/*",
                   "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}]}))
'''),
    ),
)
def bkt_003(resource: Resource, ctx: Context) -> Iterator[Result]:
    return _public_bucket_policy(resource, ctx)


def _public_bucket_policy(resource: Resource, ctx: Context) -> Iterator[Result]:
    """The decision of BKT-003, kept out of the decorated function so it can be mutation tested."""
    doc = policy_of(resource)
    what = _WHAT[resource.kind]
    if doc is None:
        return
    if isinstance(doc, Unknown):
        yield Result.undecided(resource, doc, f"whether {what} is public")
        return
    assert isinstance(doc, PolicyDocument)
    for statement in doc.statements:
        if statement.effect == "Deny":
            continue
        result = _judge(resource, statement, what)
        if result is not None:
            yield result
