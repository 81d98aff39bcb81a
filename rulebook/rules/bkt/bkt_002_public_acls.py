"""BKT-002: No public ACLs or grants on S3 buckets; ACLs disabled by ownership controls."""

from __future__ import annotations

from typing import Any, Iterator

from ...findings import Severity
from ...model import Resource
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ._common import label

PUBLIC_ACLS = {"public-read": "everyone may list and read objects",
               "public-read-write": "everyone may list, read and write objects",
               "authenticated-read": "every AWS account may list and read objects"}
PUBLIC_GROUPS = {"http://acs.amazonaws.com/groups/global/AllUsers": "AllUsers (everyone)",
                 "http://acs.amazonaws.com/groups/global/AuthenticatedUsers": "AuthenticatedUsers (every AWS account)"}
ENFORCED = "BucketOwnerEnforced"


def _public_grants(grants: Any) -> tuple[list[str], Unknown | None]:
    """Grants to the AllUsers / AuthenticatedUsers groups, as text, and the first grant not known."""
    if isinstance(grants, Unknown):
        return [], grants
    out: list[str] = []
    undecided: Unknown | None = None
    for grant in grants or ():
        if isinstance(grant, Unknown):
            undecided = undecided if undecided is not None else grant
            continue
        uri = grant.get("uri") if isinstance(grant, dict) else None
        if isinstance(uri, Unknown):
            undecided = undecided if undecided is not None else uri
        group = uri.strip().rstrip("/").replace("https://", "http://") if isinstance(uri, str) else None
        if group in PUBLIC_GROUPS:
            perms = grant.get("permissions")
            shown = ", ".join(str(p) for p in perms) if isinstance(perms, list) and perms else "access"
            out.append(f"{shown} to {PUBLIC_GROUPS[group]}")
    return out, undecided


def _acl_results(resource: Resource, what: str) -> Iterator[Result]:
    acl = resource.get("acl")
    problems: list[str] = []
    undecided: Unknown | None = None
    if isinstance(acl, Unknown):
        undecided = acl
    elif isinstance(acl, str) and acl.strip().lower() in PUBLIC_ACLS:
        problems.append(f"canned ACL {acl.strip()} ({PUBLIC_ACLS[acl.strip().lower()]})")
    grants, unknown_grant = _public_grants(resource.get("grants"))
    problems += [f"grants {g}" for g in dict.fromkeys(grants)]
    if problems:
        yield Result.fail(resource, f"{what} is public: {'; '.join(problems)}")
    elif undecided is not None or unknown_grant is not None:
        yield Result.undecided(resource, undecided if undecided is not None else unknown_grant,
                               f"whether {what} is public")


def _ownership(resource: Resource) -> Iterator[Result]:
    owner = resource.get("object_ownership")
    if isinstance(owner, Unknown):
        yield Result.undecided(resource, owner, "whether ownership controls disable ACLs")
    elif owner != ENFORCED:
        shown = owner if isinstance(owner, str) else "not set"
        yield Result.fail(resource, f"object ownership is {shown}, not {ENFORCED}: ACLs stay enabled and "
                                    f"objects written by other accounts stay theirs", Severity.MEDIUM)


@rule(
    id="BKT-002",
    title="No public ACLs on S3 buckets",
    severity=Severity.HIGH,
    severities=(Severity.HIGH, Severity.MEDIUM),
    practice="P8",
    kinds=("aws.s3.bucket", "aws.s3.bucket_acl", "aws.s3.ownership_controls"),
    rationale="""
An ACL is a second, older way to share a bucket, next to its policy: a canned ACL such as
public-read or authenticated-read, or a grant to the AllUsers or AuthenticatedUsers group, hands
build artifacts to everyone (AuthenticatedUsers means any AWS account, not yours). Ownership
controls set to BucketOwnerEnforced switch ACLs off entirely, so only policies decide access and
every object belongs to the bucket owner (medium severity when they are not).
""",
    remediation="""
Share artifacts through a bucket policy naming the reading roles instead of ACLs.
""",
    fixes={
        "terraform": """
Remove the public canned ACL and the grants to the AllUsers/AuthenticatedUsers groups (`acl =
"private"` or no ACL at all), and add `aws_s3_bucket_ownership_controls` with `object_ownership =
"BucketOwnerEnforced"`.
""",
        "pulumi": """
Remove the public canned ACL and the grants to the AllUsers/AuthenticatedUsers groups
(`acl="private"` or no ACL at all), and add `aws.s3.BucketOwnershipControls` with
`rule={"object_ownership": "BucketOwnerEnforced"}`.
""",
    },
    examples=(
        Example("terraform", False, '''
resource "aws_s3_bucket" "artifacts" {
  bucket = "acme-build-artifacts"
}

resource "aws_s3_bucket_acl" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  acl    = "public-read"
}
''', resource="aws_s3_bucket_acl.artifacts"),
        Example("terraform", True, '''
resource "aws_s3_bucket" "artifacts" {
  bucket = "acme-build-artifacts"
}

resource "aws_s3_bucket_ownership_controls" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}
'''),
        Example("pulumi", False, '''
import pulumi_aws as aws

aws.s3.Bucket("artifacts", bucket="acme-build-artifacts", acl="authenticated-read")
''', resource="artifacts"),
        Example("pulumi", True, '''
import pulumi_aws as aws

artifacts = aws.s3.Bucket("artifacts", bucket="acme-build-artifacts")
aws.s3.BucketOwnershipControls("artifacts", bucket=artifacts.id,
    rule={"object_ownership": "BucketOwnerEnforced"})
'''),
    ),
)
def bkt_002(resource: Resource, ctx: Context) -> Iterator[Result]:
    return _public_acls(resource, ctx)


def _public_acls(resource: Resource, ctx: Context) -> Iterator[Result]:
    """The decision of BKT-002, kept out of the decorated function so it can be mutation tested."""
    if resource.kind == "aws.s3.ownership_controls":
        yield from _ownership(resource)
    elif resource.kind == "aws.s3.bucket":
        yield from _acl_results(resource, f"the ACL of bucket {label(resource)}")
    else:  # judged alone: a resource policy sees no other resource, and the message must not differ
        yield from _acl_results(resource, "the bucket ACL")
