"""BKT-001: S3 buckets have a complete public access block."""

from __future__ import annotations

from typing import Iterator

from ...findings import Severity
from ...model import Resource
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ..helpers import flag, linked

PAB_FLAGS = ("block_public_acls", "block_public_policy", "ignore_public_acls", "restrict_public_buckets")


def _pab_gaps(block: Resource) -> tuple[list[str], Unknown | None]:
    """Flags of a public access block that are not true, and the first one not known at plan time."""
    gaps: list[str] = []
    undecided = None
    for name in PAB_FLAGS:
        value = flag(block, name)
        if isinstance(value, Unknown):
            undecided = undecided or value
        elif value is not True:
            gaps.append(name)
    return gaps, undecided


@rule(
    id="BKT-001",
    title="S3 public access block on every bucket",
    severity=Severity.HIGH,
    practice="P8",
    scope="inventory",
    kinds=("aws.s3.bucket", "aws.s3.public_access_block"),
    rationale="""
An artifact bucket that can be made public by one ACL or policy change is one mistake away from
serving build outputs, SBOMs and cached credentials to the internet. The S3 public access block
refuses public ACLs and policies outright, so a later misconfiguration cannot expose the bucket.
""",
    remediation="""
Add an aws_s3_bucket_public_access_block (Pulumi: aws.s3.BucketPublicAccessBlock) for the bucket with
block_public_acls, block_public_policy, ignore_public_acls and restrict_public_buckets all true, or an
account-level block with the four flags true in the same stack.
""",
    examples=(
        Example("terraform", False, '''
resource "aws_s3_bucket" "artifacts" {
  bucket = "acme-build-artifacts"
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = false
  ignore_public_acls      = true
  restrict_public_buckets = true
}
''', resource="aws_s3_bucket.artifacts"),
        Example("terraform", True, '''
resource "aws_s3_bucket" "artifacts" {
  bucket = "acme-build-artifacts"
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}
'''),
        Example("pulumi", False, '''
import pulumi_aws as aws

aws.s3.Bucket("artifacts", bucket="acme-build-artifacts")
''', resource="artifacts"),
        Example("pulumi", True, '''
import pulumi_aws as aws

artifacts = aws.s3.Bucket("artifacts", bucket="acme-build-artifacts")
aws.s3.BucketPublicAccessBlock("artifacts", bucket=artifacts.id,
    block_public_acls=True, block_public_policy=True,
    ignore_public_acls=True, restrict_public_buckets=True)
'''),
    ),
)
def bkt_001(ctx: Context) -> Iterator[Result]:
    inventory = ctx.inventory
    buckets = inventory.of_kind("aws.s3.bucket")
    if not buckets:
        return
    blocks = inventory.of_kind("aws.s3.public_access_block")
    account_blocks = [b for b in blocks if b.get("bucket") is None]
    if any(_pab_gaps(b) == ([], None) for b in account_blocks):
        return
    by_bucket, unresolved = linked(inventory, buckets, [b for b in blocks if b.get("bucket") is not None], "bucket")
    dangling = [b for b in unresolved if isinstance(b.get("bucket"), Unknown)]
    for bucket in buckets:
        own = by_bucket.get(bucket.address, [])
        if not own:
            if dangling:
                yield Result.undecided(bucket, dangling[0].get("bucket"),
                                       f"whether {dangling[0].address} protects this bucket")
            else:
                yield Result.fail(bucket, "bucket has no public access block; public ACLs and policies are not refused")
            continue
        gaps, undecided = _pab_gaps(own[0])
        if gaps:
            yield Result.fail(bucket, f"public access block {own[0].address} does not set {', '.join(gaps)} to true")
        elif undecided is not None:
            yield Result.undecided(bucket, undecided, f"the public access block {own[0].address}")
