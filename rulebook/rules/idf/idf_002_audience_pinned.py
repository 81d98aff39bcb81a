"""IDF-002: a trust on a CI OIDC issuer pins the token's audience."""

from __future__ import annotations

from typing import Any, Iterator

from ...conditions import ClaimValues, Pattern
from ...findings import Severity
from ...oidc_trust import Trust, ci_trusts
from ...unknown import Unknown
from ..base import Context, Example, Result, rule

AZURE_AUDIENCE = "api://AzureADTokenExchange"


def audience_verdict(claim: ClaimValues, accepted: tuple[str, ...]) -> tuple[bool | Unknown, str]:
    """(pinned, why not): every admitted audience is exact and, when audiences are configured, one of them."""
    if claim.anything is True:
        return False, claim.why
    if isinstance(claim.anything, Unknown):
        return claim.anything, ""
    if accepted:
        pinned = claim.all(lambda p: not p.wildcard and any(p.matches(a) for a in accepted))
        why = f"admits {_shown(claim.patterns)}, not only the configured audiences ({', '.join(accepted)})"
    else:
        pinned = claim.all(lambda p: not p.wildcard)
        why = f"admits {_shown(claim.patterns)}, a pattern instead of an exact audience"
    return pinned, why if pinned is False else ""


def _shown(patterns: tuple[Pattern, ...]) -> str:
    return ", ".join(repr(p.text) for p in patterns)


def credential_audiences(value: Any) -> tuple[bool | Unknown, str]:
    """(exactly the Entra ID token exchange audience, what it is instead) for a federated credential."""
    if isinstance(value, Unknown):
        return value, ""
    items = list(value) if isinstance(value, (list, tuple)) else [] if value is None else [value]
    unknown = next((v for v in items if isinstance(v, Unknown)), None)
    if unknown is not None:
        return unknown, ""
    if items == [AZURE_AUDIENCE]:
        return True, ""
    return False, "no audience" if not items else ", ".join(repr(str(v)) for v in items)


def pins_audience(trust: Trust, accepted: tuple[str, ...]) -> Result | None:
    """A failure or UNKNOWN when the trust admits tokens minted for another audience, else None."""
    if trust.unknown is not None:
        return Result.undecided(trust.resource, trust.unknown, f"whether {trust.where} pins the token audience")
    if trust.resource.kind == "azure.federated_credential":
        return _credential_audience(trust)
    key = f"{trust.issuer}:aud"
    pinned, why = audience_verdict(trust.claims("aud"), accepted)
    if isinstance(pinned, Unknown):
        return Result.undecided(trust.resource, pinned, f"whether {trust.where} pins {key}")
    if pinned is False:
        return Result.fail(trust.resource, f"{trust.where} does not pin the audience of {trust.issuer} tokens "
                                           f"({key}): {why}")
    return None


def _credential_audience(trust: Trust) -> Result | None:
    exact, instead = credential_audiences(trust.resource.get("audiences"))
    if isinstance(exact, Unknown):
        return Result.undecided(trust.resource, exact, f"whether {trust.where} accepts exactly {AZURE_AUDIENCE}")
    if exact is False:
        return Result.fail(trust.resource, f"{trust.where} on {trust.issuer} accepts audiences {instead} instead "
                                           f"of exactly {AZURE_AUDIENCE}")
    return None


@rule(
    id="IDF-002",
    title="Federated trusts pin the token audience",
    severity=Severity.HIGH,
    practice="P6",
    scope="inventory",
    kinds=("aws.iam.role", "azure.federated_credential"),
    rationale="""
A CI OIDC issuer signs tokens for many audiences: GitHub mints one for any `audience` a workflow
asks for, and other services accept the same issuer. A trust that does not pin the audience
accepts a token minted for something else (another cloud, a third-party service that received it
and replays it). AWS: the trust must bound `<issuer>:aud` (GitHub: `sts.amazonaws.com`; GitLab and
Terraform Cloud: the audience configured there) with exact values, within the configured
`oidc.audiences` when set; a `*`, a pattern, a negated operator or `...IfExists` bounds nothing.
Azure federated credentials must accept exactly `api://AzureADTokenExchange`.
""",
    remediation="""
Add `StringEquals` on `<issuer>:aud` to the trust statement (GitHub: `token.actions.githubusercontent.com:aud`
= `sts.amazonaws.com`; an enterprise issuer's key carries its path,
`token.actions.githubusercontent.com/<enterprise>:aud`). On Azure federated identity credentials set
`audiences = ["api://AzureADTokenExchange"]` and nothing else.
""",
    examples=(
        Example("terraform", False, '''
resource "aws_iam_role" "deploy" {
  name = "ci-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:sub" = "repo:acme/app:environment:prod" }
      }
    }]
  })
}
''', resource="aws_iam_role.deploy"),
        Example("terraform", True, '''
resource "aws_iam_role" "deploy" {
  name = "ci-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = "repo:acme/app:environment:prod"
        }
      }
    }]
  })
}
'''),
        Example("pulumi", False, '''
import pulumi_azure_native as azure_native

identity = azure_native.managedidentity.UserAssignedIdentity("deploy", resource_group_name="rg-ci",
    resource_name_="id-ci-deploy")
azure_native.managedidentity.FederatedIdentityCredential("github", resource_group_name="rg-ci",
    resource_name_=identity.name, federated_identity_credential_resource_name="github",
    issuer="https://token.actions.githubusercontent.com", subject="repo:acme/app:environment:prod",
    audiences=["api://AzureADTokenExchange", "https://github.com/acme"])
''', resource="github"),
        Example("pulumi", True, '''
import pulumi_azure_native as azure_native

identity = azure_native.managedidentity.UserAssignedIdentity("deploy", resource_group_name="rg-ci",
    resource_name_="id-ci-deploy")
azure_native.managedidentity.FederatedIdentityCredential("github", resource_group_name="rg-ci",
    resource_name_=identity.name, federated_identity_credential_resource_name="github",
    issuer="https://token.actions.githubusercontent.com", subject="repo:acme/app:environment:prod",
    audiences=["api://AzureADTokenExchange"])
'''),
    ),
)
def idf_002(ctx: Context) -> Iterator[Result]:
    accepted = tuple(getattr(ctx.config, "oidc_audiences", ()) or ())
    for trust in ci_trusts(ctx):
        result = pins_audience(trust, accepted)
        if result is not None:
            yield result
