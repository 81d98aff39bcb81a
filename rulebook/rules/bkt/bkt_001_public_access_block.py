"""BKT-001: S3 buckets have a complete public access block."""

from __future__ import annotations

from typing import Iterator

from ...findings import Severity
from ...model import Resource
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ..helpers import Possible, addresses, flag, linked

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
    remediation="",
    fixes={
        "terraform": """
Add an `aws_s3_bucket_public_access_block` for the bucket with `block_public_acls`,
`block_public_policy`, `ignore_public_acls` and `restrict_public_buckets` all true, or an
`aws_s3_account_public_access_block` with the four flags true in the same stack.
""",
        "pulumi": """
Add an `aws.s3.BucketPublicAccessBlock` for the bucket with `block_public_acls`,
`block_public_policy`, `ignore_public_acls` and `restrict_public_buckets` all True, or an
`aws.s3.AccountPublicAccessBlock` with the four flags True in the same stack.
""",
    },
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
    return _public_access_block(ctx)


def _public_access_block(ctx: Context) -> Iterator[Result]:
    """The decision of BKT-001, kept out of the decorated function so it can be mutation tested."""
    inventory = ctx.inventory
    buckets = inventory.of_kind("aws.s3.bucket")
    if not buckets:
        return
    blocks = inventory.of_kind("aws.s3.public_access_block")
    if any(_pab_gaps(b) == ([], None) for b in blocks if b.get("bucket") is None):
        return  # a complete account-level block protects every bucket; an incomplete one protects none
    owned, possible, crowded = linked(inventory, buckets, [b for b in blocks if b.get("bucket") is not None],
                                      "bucket")
    for bucket in buckets:
        own = owned.get(bucket.address)
        if own:
            yield from _judge(bucket, own)
        elif bucket.address in crowded:
            yield Result.undecided(bucket, crowded[bucket.address][1], "which public access block protects it")
        elif possible.get(bucket.address):
            yield from _judge_undecided(bucket, possible[bucket.address])
        else:
            yield Result.fail(bucket, "bucket has no public access block; public ACLs and policies are not refused")


def _judge(bucket: Resource, own: list[Resource]) -> Iterator[Result]:
    verdicts = [(block, *_pab_gaps(block)) for block in own]
    if any(gaps == [] and undecided is None for _, gaps, undecided in verdicts):
        return
    failing = [(block, gaps) for block, gaps, _ in verdicts if gaps]
    if len(failing) == len(verdicts):
        block, gaps = failing[0]
        yield Result.fail(bucket, f"public access block {block.address} does not set {', '.join(gaps)} to true")
        return
    block, _, undecided = next(v for v in verdicts if not v[1])
    yield Result.undecided(bucket, undecided, f"the public access block {block.address}")


def _judge_undecided(bucket: Resource, possible: list[Possible]) -> Iterator[Result]:
    """Which block protects the bucket is not known: when none of them could be complete, it fails
    whichever it is; otherwise the link decides and the result is UNKNOWN."""
    gaps = [(block, _pab_gaps(block)[0]) for block, _ in possible]
    if all(missing for _, missing in gaps):
        names = addresses(possible)
        unset = sorted({flag for _, missing in gaps for flag in missing}, key=PAB_FLAGS.index)
        yield Result.fail(bucket, f"no public access block that may belong to this bucket ({names}) sets every "
                                  f"flag to true ({', '.join(unset)} not true)")
        return
    block, reason = next(p for p, (_, missing) in zip(possible, gaps) if not missing)
    yield Result.undecided(bucket, reason, f"whether {block.address} protects this bucket")
