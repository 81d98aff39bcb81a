"""IDF-002: a trust on a CI OIDC issuer pins the token's audience."""

from __future__ import annotations

from typing import Any, Iterator

from ...conditions import ClaimValues, Pattern, claim_values
from ...findings import Severity
from ...identities import ci_issuers, identity_for, issuer_of
from ...model import Resource
from ...oidc_trusts import OidcTrust, oidc_trusts, statement_trusts
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


def _role_results(resource: Resource, ctx: Context) -> Iterator[Result]:
    ident = identity_for(ctx, resource)
    trust = ident.trust_policy if ident is not None else None
    if trust is None:
        return
    if isinstance(trust, Unknown):
        yield Result.undecided(resource, trust, "whether the trust policy pins the audience of CI tokens")
        return
    accepted = tuple(getattr(ctx.config, "oidc_audiences", ()) or ())
    for found in oidc_trusts(ctx.inventory, trust, ci_issuers(ctx.config)):
        if isinstance(found, Unknown):
            yield Result.undecided(resource, found, "whether the trust is on a CI OIDC issuer")
            continue
        yield from _judge_trust(resource, found, accepted)
    for statement in trust.undecided():
        if statement_trusts(ctx.inventory, statement, ci_issuers(ctx.config)):
            yield Result.undecided(resource, statement.effect, f"whether {statement.label} of the trust policy, "
                                                               f"on a CI OIDC issuer, allows or denies")
    if not trust.statements and trust.unknowns:
        yield Result.undecided(resource, trust.unknowns[0], "whether the trust policy pins the audience of CI tokens")


def _judge_trust(resource: Resource, trust: OidcTrust, accepted: tuple[str, ...]) -> Iterator[Result]:
    key = trust.claim("aud")
    where = f"{trust.statement.label} of the trust policy (CI issuer {trust.prefix})"
    pinned, why = audience_verdict(claim_values(trust.statement, key), accepted)
    if isinstance(pinned, Unknown):
        yield Result.undecided(resource, pinned, f"whether {where} pins {key}")
    elif pinned is False:
        yield Result.fail(resource, f"{where} does not pin the token audience {key}: {why}")


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


def _credential_results(resource: Resource, ctx: Context) -> Iterator[Result]:
    issuer = resource.get("issuer")
    if isinstance(issuer, Unknown):
        yield Result.undecided(resource, issuer, "whether the credential trusts a CI OIDC issuer")
        return
    hit = issuer_of(issuer, ci_issuers(ctx.config)) if isinstance(issuer, str) else None
    if hit is None:
        return
    exact, instead = credential_audiences(resource.get("audiences"))
    if isinstance(exact, Unknown):
        yield Result.undecided(resource, exact, "whether the credential's audiences are exactly "
                                                f"{AZURE_AUDIENCE}")
    elif exact is False:
        yield Result.fail(resource, f"federated credential {resource.label()} on CI issuer {issuer} accepts "
                                    f"audiences {instead} instead of exactly {AZURE_AUDIENCE}")


@rule(
    id="IDF-002",
    title="Federated trusts pin the token audience",
    severity=Severity.HIGH,
    practice="P6",
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
def idf_002(resource: Resource, ctx: Context) -> Iterator[Result]:
    if resource.kind == "azure.federated_credential":
        yield from _credential_results(resource, ctx)
    else:
        yield from _role_results(resource, ctx)
