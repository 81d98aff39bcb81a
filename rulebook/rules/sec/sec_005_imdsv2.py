"""SEC-005: build agents require IMDSv2 (session tokens) for the instance metadata service."""

from __future__ import annotations

from typing import Iterator

from ...findings import Severity
from ...model import Resource
from ...unknown import Unknown
from ..base import Context, Example, Result, rule


@rule(
    id="SEC-005",
    title="Instances require IMDSv2",
    severity=Severity.MEDIUM,
    practice="P1",
    kinds=("aws.ec2.instance", "aws.ec2.launch_template"),
    rationale="""
IMDSv1 answers any GET request from the instance, so a server-side request forgery in a build job,
a malicious dependency making an HTTP call, or a container that can reach the host network reads
the instance role's credentials with one request. IMDSv2 requires a session token obtained by a PUT
with a hop limit, which those requests cannot produce.
""",
    remediation="""
Keep `http_put_response_hop_limit` at 1 (2 only for containers that need the role). The provider
default is "optional", which allows IMDSv1.
""",
    fixes={
        "terraform": """
Set `metadata_options { http_tokens = "required" }` on the instance or launch template.
""",
        "pulumi": """
Set `metadata_options={"http_tokens": "required"}` on the instance or launch template.
""",
    },
    examples=(
        Example("terraform", False, '''
resource "aws_instance" "runner" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "m7i.large"
}
''', resource="aws_instance.runner"),
        Example("terraform", True, '''
resource "aws_instance" "runner" {
  ami           = "ami-0123456789abcdef0"
  instance_type = "m7i.large"
  metadata_options {
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }
}
'''),
        Example("pulumi", False, '''
import pulumi_aws as aws

aws.ec2.LaunchTemplate("runner", image_id="ami-0123456789abcdef0", instance_type="m7i.large",
                       metadata_options={"http_tokens": "optional"})
''', resource="runner"),
        Example("pulumi", True, '''
import pulumi_aws as aws

aws.ec2.LaunchTemplate("runner", image_id="ami-0123456789abcdef0", instance_type="m7i.large",
                       metadata_options={"http_tokens": "required", "http_put_response_hop_limit": 1})
'''),
    ),
)
def sec_005(resource: Resource, ctx: Context) -> Iterator[Result]:
    return _imdsv2(resource, ctx)


def _imdsv2(resource: Resource, ctx: Context) -> Iterator[Result]:
    """The decision of SEC-005, kept out of the decorated function so it can be mutation tested."""
    endpoint, tokens = resource.get("metadata_http_endpoint"), resource.get("metadata_http_tokens")
    if isinstance(endpoint, str) and endpoint.lower() == "disabled":
        return
    if isinstance(tokens, Unknown):
        yield Result.undecided(resource, tokens, "whether IMDSv2 is required")
        return
    if isinstance(tokens, str) and tokens.lower() == "required":
        return
    setting = f'http_tokens is "{tokens}"' if isinstance(tokens, str) else "metadata_options http_tokens is not set"
    yield Result.fail(resource, f"{setting}: the instance metadata service answers IMDSv1 requests; "
                                'require session tokens (http_tokens = "required")')
