"""BKT-004: Artifact buckets refuse object reads and writes from outside the CI network."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterator

from ...conditions import Allowed
from ...findings import Severity
from ...model import Ref, Resource
from ...networks import open_to_internet, within
from ...policy import PolicyDocument, Statement
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ._common import READ, WRITE, artifact_store, bucket_policies, label, network_deny



@dataclass
class _Verdict:
    """What the bucket's Deny statements refuse from outside the CI network."""

    covered: set[str]  # of READ / WRITE
    outside: list[str]  # values that lie outside the configured CI network
    undecided: Unknown | None = None


def _first(*values: Unknown | None) -> Unknown | None:
    """The first reason given (an Unknown has no truth value: never `a or b`)."""
    return next((v for v in values if v is not None), None)


def _endpoint_vpc(value: Any, ctx: Context) -> Any:
    """The VPC of a VPC endpoint declared in the stack, by Ref or by ID; None when it is not declared."""
    endpoint = ctx.inventory.resolve(value, ("aws.ec2.vpc_endpoint",))
    return endpoint.get("vpc_id") if endpoint is not None else None


def _outside(allowed: Allowed, ctx: Context) -> tuple[list[str], Unknown | None]:
    """The values of one key that lie outside the configured CI network (or are patterns)."""
    config = ctx.config
    key = allowed.key.lower()
    configured = bool(config.aws_vpc_endpoint_ids or config.aws_vpc_ids or config.cidrs)
    wide: list[str] = []
    undecided: Unknown | None = None
    for value in allowed.values:
        shown = str(value)
        if isinstance(value, str) and allowed.wildcards and ("*" in value or "?" in value):
            wide.append(f"{allowed.key} pattern {value!r}")
        elif key == "aws:sourceip":
            if isinstance(value, str) and open_to_internet(value):
                wide.append(f"{allowed.key} {value}")
            elif config.cidrs and isinstance(value, str) and not within(value, config.cidrs):
                wide.append(f"{allowed.key} {value}")
            elif config.cidrs and isinstance(value, Ref):
                undecided = _first(undecided, Unknown(f"{allowed.key} {value} is only known after apply"))
        elif not configured:
            continue
        elif key == "aws:sourcevpce":
            verdict = _vpce_allowed(value, ctx)
            if isinstance(verdict, Unknown):
                undecided = _first(undecided, verdict)
            elif verdict is False:
                wide.append(f"{allowed.key} {shown}")
        elif key == "aws:sourcevpc":
            verdict = _vpc_allowed(value, config)
            if isinstance(verdict, Unknown):
                undecided = _first(undecided, verdict)
            elif verdict is False:
                wide.append(f"{allowed.key} {shown}")
    return wide, undecided


def _vpc_allowed(value: Any, config: Any) -> bool | Unknown:
    if not config.aws_vpc_ids:
        return False
    if isinstance(value, (Ref, Unknown)):
        return Unknown(f"VPC {value} is only known after apply and cannot be compared with ci_network.aws_vpc_ids")
    return isinstance(value, str) and value in config.aws_vpc_ids


def _vpce_allowed(value: Any, ctx: Context) -> bool | Unknown:
    config = ctx.config
    if isinstance(value, str) and value in config.aws_vpc_endpoint_ids:
        return True
    vpc = _endpoint_vpc(value, ctx)
    if vpc is not None and config.aws_vpc_ids:
        return _vpc_allowed(vpc, config)
    if isinstance(value, (Ref, Unknown)) and config.aws_vpc_endpoint_ids:
        return Unknown(f"VPC endpoint {value} is only known after apply and cannot be compared with "
                       f"ci_network.aws_vpc_endpoint_ids")
    if vpc is None and config.aws_vpc_ids and not config.aws_vpc_endpoint_ids:
        if isinstance(ctx.inventory.resolve(value), Resource):
            return Unknown(f"aws:SourceVpce value {value} is not a VPC endpoint's ID: there is no endpoint VPC to "
                           f"compare with ci_network.aws_vpc_ids")
        return Unknown(f"VPC endpoint {value} is not declared here: its VPC cannot be compared with "
                       f"ci_network.aws_vpc_ids")
    return False


def _network_deny(statement: Statement, ctx: Context) -> tuple[set[str], list[str], Unknown | None] | None:
    """(actions covered, values outside the CI network, undecided) of a Deny that refuses every caller
    outside a set of networks; None when the statement is not such a Deny."""
    found = network_deny(statement)
    if found is None:
        return None
    outside: list[str] = []
    undecided = found.undecided
    for allowed in found.allowed:
        wide, unknown = _outside(allowed, ctx)
        outside += wide
        undecided = _first(undecided, unknown)
    return (set() if undecided is not None else set(found.covered)), outside, undecided


def _verdict(docs: list[tuple[Resource, PolicyDocument | Unknown]], ctx: Context) -> _Verdict:
    verdict = _Verdict(set(), [])
    for _, doc in docs:
        if isinstance(doc, Unknown):
            verdict.undecided = _first(verdict.undecided, doc)
            continue
        for statement in doc.statements:
            if isinstance(statement.effect, Unknown):
                verdict.undecided = _first(verdict.undecided, statement.effect)
                continue
            if statement.effect != "Deny":
                continue
            found = _network_deny(statement, ctx)
            if found is None:
                continue
            covered, outside, undecided = found
            verdict.covered |= covered
            verdict.outside += [f"{v} ({statement.label})" for v in outside]
            verdict.undecided = _first(verdict.undecided, undecided)
    return verdict


def _link_matters(docs: list[tuple[Resource, PolicyDocument | Unknown]],
                  possible: list[tuple[Resource, PolicyDocument | Unknown, Unknown]], verdict: _Verdict,
                  ctx: Context) -> Unknown | None:
    """Why the verdict waits for a policy that may govern the bucket; None when that policy changes
    nothing (a Deny only ever adds refusals: a bucket failing with it fails without it too)."""
    for holder, doc, reason in possible:
        with_it = _verdict(docs + [(holder, doc)], ctx)
        if with_it.undecided is not None or with_it.covered != verdict.covered or with_it.outside != verdict.outside:
            return reason
    return None


@rule(
    id="BKT-004",
    title="Artifact buckets refuse access from outside the CI network",
    severity=Severity.HIGH,
    practice="P5",
    scope="inventory",
    kinds=("aws.s3.bucket", "aws.s3.bucket_policy", "aws.ec2.vpc_endpoint"),
    rationale="""
Build artifacts are only as trustworthy as the bucket they sit in. IAM alone lets any holder of a
leaked CI credential read or replace artifacts from anywhere; a bucket policy that denies object
reads and writes unless the request comes through the CI network's VPC endpoint (or VPC, or
address ranges) makes stolen credentials useless outside it, and a replaced artifact impossible
from a laptop. Both directions matter: a Deny that covers only reads leaves uploads open.
""",
    remediation="""
Add a Deny statement to the bucket policy with Principal `*`, actions covering s3:GetObject and
s3:PutObject (e.g. `s3:*`), the bucket's objects as Resource and `StringNotEquals {
"aws:SourceVpce": <CI endpoint> }` (or aws:SourceVpc, or `NotIpAddress { "aws:SourceIp": [CI
ranges] }`). With `ci_network` configured, the values must be the endpoints, VPCs and ranges listed
there. `artifact_buckets` limits the rule to the buckets that hold artifacts.
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
      Sid       = "ReadsOnlyFromCi"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "arn:aws:s3:::acme-build-artifacts/*"
      Condition = { StringNotEquals = { "aws:SourceVpce" = "vpce-0a1b2c3d4e5f67890" } }
    }]
  })
}
''', resource="aws_s3_bucket.artifacts"),
        Example("terraform", True, '''
resource "aws_vpc_endpoint" "s3" {
  vpc_id       = "vpc-0123456789abcdef0"
  service_name = "com.amazonaws.eu-west-1.s3"
}

resource "aws_s3_bucket" "artifacts" {
  bucket = "acme-build-artifacts"
}

resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OnlyFromCi"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["arn:aws:s3:::acme-build-artifacts", "arn:aws:s3:::acme-build-artifacts/*"]
      Condition = { StringNotEquals = { "aws:sourcevpce" = aws_vpc_endpoint.s3.id } }
    }]
  })
}
'''),
        Example("pulumi", False, '''
import pulumi_aws as aws

aws.s3.Bucket("artifacts", bucket="acme-build-artifacts")
''', resource="artifacts"),
        Example("pulumi", True, '''
import json
import pulumi_aws as aws

artifacts = aws.s3.Bucket("artifacts", bucket="acme-build-artifacts")
aws.s3.BucketPolicy("artifacts", bucket=artifacts.id, policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Sid": "OnlyFromCi", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                   "Resource": "arn:aws:s3:::acme-build-artifacts/*",
                   "Condition": {"NotIpAddress": {"aws:SourceIp": ["10.42.0.0/16"]}}}]}))
'''),
    ),
)
def bkt_004(ctx: Context) -> Iterator[Result]:
    return _ci_network_only(ctx)


def _ci_network_only(ctx: Context) -> Iterator[Result]:
    """The decision of BKT-004, kept out of the decorated function so it can be mutation tested."""
    for bucket in ctx.inventory.of_kind("aws.s3.bucket"):
        chosen = artifact_store(bucket, ctx.config)
        if isinstance(chosen, Unknown):
            yield Result.undecided(bucket, chosen, "whether it is an artifact bucket (artifact_buckets)")
            continue
        if chosen is False:
            continue
        docs, possible = bucket_policies(ctx, bucket)
        verdict = _verdict(docs, ctx)
        name = label(bucket)
        missing = [what for action, what in ((READ, "reads"), (WRITE, "writes")) if action not in verdict.covered]
        dangling = _link_matters(docs, possible, verdict, ctx)
        if verdict.outside:
            yield Result.fail(bucket, f"bucket {name} admits {', '.join(dict.fromkeys(verdict.outside))}, outside the "
                                      f"configured CI network")
        elif not missing:
            continue
        elif verdict.undecided is not None or dangling is not None:
            yield Result.undecided(bucket, verdict.undecided if verdict.undecided is not None else dangling,
                                   "whether its policy refuses access from outside the CI network")
        elif len(missing) == 2:
            yield Result.fail(bucket, f"bucket {name} has no Deny refusing object reads and writes from outside the "
                                      f"CI network (StringNotEquals aws:SourceVpce / aws:SourceVpc, or NotIpAddress "
                                      f"aws:SourceIp)")
        else:
            yield Result.fail(bucket, f"bucket {name} refuses only object {'writes' if missing == ['reads'] else 'reads'}"
                                      f" from outside the CI network: {missing[0]} stay open")
