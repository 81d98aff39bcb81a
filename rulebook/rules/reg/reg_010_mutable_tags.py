"""REG-010: ECR image tags are immutable."""

from __future__ import annotations

from typing import Iterator

from ...findings import Severity
from ...model import Resource
from ...unknown import Unknown
from ..base import Context, Example, Result, rule
from ._common import _IMMUTABLE


@rule(
    id="REG-010",
    title="ECR image tags are immutable",
    severity=Severity.MEDIUM,
    practice="P4",
    kinds=("aws.ecr.repository",),
    rationale="""
With mutable tags, anyone who can push can silently replace the image behind `v1.4.2` or a digest
already approved for release; deployments that pull by tag then run the replacement, and the
audit trail shows the old tag. Immutable tags make every published image permanent: a release
can only be superseded by a new tag.
""",
    remediation="""
Set `image_tag_mutability = "IMMUTABLE"` (Pulumi: `image_tag_mutability="IMMUTABLE"`) on the
repository; the provider default is MUTABLE. `IMMUTABLE_WITH_EXCLUSION` is accepted for floating
tags such as `latest` kept outside the release tags.
""",
    examples=(
        Example("terraform", False, '''
resource "aws_ecr_repository" "app" {
  name = "acme/app"
}
''', resource="aws_ecr_repository.app"),
        Example("terraform", True, '''
resource "aws_ecr_repository" "app" {
  name                 = "acme/app"
  image_tag_mutability = "IMMUTABLE"
}
'''),
        Example("pulumi", False, '''
import pulumi_aws as aws

aws.ecr.Repository("app", name="acme/app", image_tag_mutability="MUTABLE")
''', resource="app"),
        Example("pulumi", True, '''
import pulumi_aws as aws

aws.ecr.Repository("app", name="acme/app", image_tag_mutability="IMMUTABLE")
'''),
    ),
)
def reg_010(resource: Resource, ctx: Context) -> Iterator[Result]:
    return _mutable_tags(resource, ctx)


def _mutable_tags(resource: Resource, ctx: Context) -> Iterator[Result]:
    """The decision of REG-010, kept out of the decorated function so it can be mutation tested."""
    if resource.get("public") is True:
        return
    value = resource.get("image_tag_mutability")
    if isinstance(value, Unknown):
        yield Result.undecided(resource, value, "whether image tags are immutable")
        return
    label = resource.label()
    if value is None:
        yield Result.fail(resource, f"repository {label} keeps the default MUTABLE image tags; pushed tags can be "
                                    f"overwritten")
    elif not (isinstance(value, str) and value.strip().upper() in _IMMUTABLE):
        yield Result.fail(resource, f"repository {label} has image_tag_mutability {value}; pushed tags can be "
                                    f"overwritten")

