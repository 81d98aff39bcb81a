"""IDF-002: a trust on a CI OIDC issuer pins the token audience. A semantics table over model resources
(AWS trust statements, Azure federated credentials), then exact (rule, status, resource, line) rows
through the Terraform scanner (jsonencode, heredoc, aws_iam_policy_document with static and dynamic
condition blocks, azurerm and azuread credentials), a plan, and the Pulumi gate (aws, azure-native)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builders import make
from hcl_scanner.plan import read_plan
from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.model import Inventory, Ref
from rulebook.rules import REGISTRY
from rulebook.unknown import Unknown
from test_bkt_rules import gate_rows, tf_rows

RULE = ["IDF-002"]
GH = "token.actions.githubusercontent.com"
GH_ARN = f"arn:aws:iam::111122223333:oidc-provider/{GH}"
AZ = "api://AzureADTokenExchange"


def _trust(principal, condition=None, effect="Allow"):
    statement = {"Effect": effect, "Action": "sts:AssumeRoleWithWebIdentity", "Principal": principal}
    if condition is not None:
        statement["Condition"] = condition
    return {"Version": "2012-10-17", "Statement": [statement]}


def _statuses(*resources, **config) -> list[tuple[str, str]]:
    findings = evaluate(Inventory(list(resources)), Config(**config), rules=[REGISTRY["IDF-002"]])
    return [(f.status.value, f.resource) for f in findings]


SUB = {f"{GH}:sub": "repo:acme/app:environment:prod"}


@pytest.mark.parametrize("principal, condition, config, expected", [
    ({"Federated": GH_ARN}, {"StringEquals": SUB}, {}, "failed"),  # aud missing
    ({"Federated": GH_ARN}, None, {}, "failed"),
    ({"Federated": GH_ARN}, {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com", **SUB}}, {}, None),
    ({"Federated": GH_ARN}, {"StringEquals": {f"{GH}:aud": ["sts.amazonaws.com"]}}, {}, None),
    ({"Federated": GH_ARN}, {"StringLike": {f"{GH}:aud": "*"}}, {}, "failed"),
    ({"Federated": GH_ARN}, {"StringLike": {f"{GH}:aud": "sts.*"}}, {}, "failed"),
    ({"Federated": GH_ARN}, {"StringLike": {f"{GH}:aud": "sts.amazonaws.com"}}, {}, None),  # exact under Like
    ({"Federated": GH_ARN}, {"StringNotEquals": {f"{GH}:aud": "other"}}, {}, "failed"),
    # every token STS accepts carries `aud` (one of the provider's client IDs): IfExists and ForAllValues
    # entries bound it like StringEquals
    ({"Federated": GH_ARN}, {"StringEqualsIfExists": {f"{GH}:aud": "sts.amazonaws.com"}}, {}, None),
    ({"Federated": GH_ARN}, {"ForAllValues:StringEquals": {f"{GH}:aud": ["sts.amazonaws.com"]}}, {}, None),
    ({"Federated": GH_ARN}, {"ForAllValues:StringLike": {f"{GH}:aud": ["*"]}}, {}, "failed"),
    ({"Federated": GH_ARN}, {"Null": {f"{GH}:aud": "false"}}, {}, "failed"),
    # keys compare case-insensitively
    ({"Federated": GH_ARN}, {"StringEquals": {"Token.Actions.GithubUserContent.com:AUD": "sts.amazonaws.com"}},
     {}, None),
    ({"Federated": GH_ARN}, {"stringequals": {"Token.Actions.GithubUserContent.com:SUB": "repo:acme/app:ref:x"}},
     {}, "failed"),
    # configured audiences: admitted audiences must lie within them
    ({"Federated": GH_ARN}, {"StringEquals": {f"{GH}:aud": "https://github.com/acme"}}, {}, None),
    ({"Federated": GH_ARN}, {"StringEquals": {f"{GH}:aud": "https://github.com/acme"}},
     {"oidc_audiences": ("sts.amazonaws.com",)}, "failed"),
    ({"Federated": GH_ARN}, {"StringEquals": {f"{GH}:aud": "https://github.com/acme"}},
     {"oidc_audiences": ("sts.amazonaws.com", "https://github.com/acme")}, None),
    ({"Federated": GH_ARN}, {"StringEquals": {f"{GH}:aud": ["sts.amazonaws.com", "other"]}},
     {"oidc_audiences": ("sts.amazonaws.com",)}, "failed"),
    ({"Federated": GH_ARN}, {"StringLike": {f"{GH}:aud": "sts.amazonaws.co?"}},
     {"oidc_audiences": ("sts.amazonaws.com",)}, "failed"),
    # two entries on the key AND: the narrower one pins it
    ({"Federated": GH_ARN}, {"StringLike": {f"{GH}:aud": "sts.*"}, "StringEquals": {f"{GH}:aud": "sts.amazonaws.com"}},
     {"oidc_audiences": ("sts.amazonaws.com",)}, None),
    # GitHub Enterprise issuer: its keys carry the enterprise's path
    ({"Federated": f"{GH_ARN}/acme"}, {"StringEquals": {f"{GH}/acme:aud": "sts.amazonaws.com"}}, {}, None),
    # the shared issuer's key is absent from enterprise tokens: IAM refuses them all, nothing to pin
    ({"Federated": f"{GH_ARN}/acme"}, {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com"}}, {}, None),
    ({"Federated": f"{GH_ARN}/acme"}, {"StringEquals": {f"{GH}/acme:sub": "repo:acme/app:ref:refs/heads/main"}},
     {}, "failed"),
    # GitLab and Terraform Cloud: the audience is the one configured there
    ({"Federated": "arn:aws:iam::111122223333:oidc-provider/gitlab.com"},
     {"StringEquals": {"gitlab.com:aud": "https://gitlab.com"}}, {}, None),
    ({"Federated": "arn:aws:iam::111122223333:oidc-provider/gitlab.com"},
     {"StringLike": {"gitlab.com:sub": "project_path:acme/app:*"}}, {}, "failed"),
    ({"Federated": "arn:aws:iam::111122223333:oidc-provider/app.terraform.io"},
     {"StringEquals": {"app.terraform.io:aud": "aws.workload.identity"}},
     {"oidc_audiences": ("aws.workload.identity", "sts.amazonaws.com")}, None),
    ({"Federated": "arn:aws:iam::111122223333:oidc-provider/app.terraform.io"},
     {"StringLike": {"app.terraform.io:aud": "aws.*"}}, {}, "failed"),
    # a configured issuer (self-managed GitLab)
    ({"Federated": "arn:aws:iam::111122223333:oidc-provider/gitlab.acme.internal"}, None,
     {"oidc_issuers": ("https://gitlab.acme.internal",)}, "failed"),
    ({"Federated": "arn:aws:iam::111122223333:oidc-provider/gitlab.acme.internal"}, None, {}, None),  # not CI
    # not a CI issuer, not federated, denied
    ({"Federated": "arn:aws:iam::111122223333:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"}, None,
     {}, None),
    ({"Service": "codebuild.amazonaws.com"}, None, {}, None),
    # unknown at plan time: never a pass
    ({"Federated": GH_ARN}, {"StringEquals": {f"{GH}:aud": Unknown("known after apply")}}, {}, "unknown"),
    ({"Federated": Unknown("provider ARN known after apply")}, None, {}, "unknown"),
    # a stack value rendered into the text (`sts.${data.aws_partition.x.dns_suffix}`): one value, not known yet
    ({"Federated": GH_ARN}, {"StringEquals": {f"{GH}:aud": "sts.${data.aws_partition.this.dns_suffix}"}}, {},
     "unknown"),
    ({"Federated": GH_ARN}, {"StringEquals": {f"{GH}:aud": "${aws:username}"}}, {}, "failed"),  # any request's
    ({"Federated": Unknown("provider ARN known after apply")}, {"StringEquals": SUB}, {}, "failed"),
    ({"Federated": Unknown("provider ARN known after apply")},
     {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com", **SUB}}, {}, None),
])
def test_aws_semantics(principal, condition, config, expected):
    role = make("aws.iam.role", "role", name="ci", assume_role_policy=_trust(principal, condition))
    assert _statuses(role, **config) == ([(expected, "role")] if expected else [])


def test_aws_provider_declared_in_the_stack():
    enterprise = make("aws.iam.oidc_provider", "gh", url=f"https://{GH}/acme", client_id_list=["sts.amazonaws.com"])
    later = make("aws.iam.oidc_provider", "later", url=Unknown("url known after apply"))
    pinned = make("aws.iam.role", "pinned", name="pinned", assume_role_policy=_trust(
        {"Federated": Ref("gh", "arn")}, {"StringEquals": {f"{GH}/acme:aud": "sts.amazonaws.com"}}))
    loose = make("aws.iam.role", "loose", name="loose", assume_role_policy=_trust({"Federated": Ref("gh", "arn")}))
    unknown = make("aws.iam.role", "unknown", name="unknown",
                   assume_role_policy=_trust({"Federated": Ref("later", "arn")}))
    assert _statuses(enterprise, later, pinned, loose, unknown) == [("failed", "loose"), ("unknown", "unknown")]


def test_aws_messages():
    loose = make("aws.iam.role", "loose", name="ci", assume_role_policy=_trust(
        {"Federated": GH_ARN}, {"StringLike": {f"{GH}:aud": "*"}}))
    other = make("aws.iam.role", "other", name="ci2", assume_role_policy=_trust(
        {"Federated": GH_ARN}, {"StringEquals": {f"{GH}:aud": "https://github.com/acme"}}))
    later = make("aws.iam.role", "later", name="ci3", assume_role_policy=Unknown("policy known after apply"))
    findings = evaluate(Inventory([loose, other, later]), Config(oidc_audiences=("sts.amazonaws.com",)),
                        rules=[REGISTRY["IDF-002"]])
    assert sorted((f.resource, f.severity.value, f.message) for f in findings) == [
        ("later", "high", "cannot decide whether the trust policy of later pins the token audience: trust policy "
                          "of later: policy known after apply"),
        ("loose", "high", f"statement #1 of the trust policy of loose does not pin the audience of {GH} tokens "
                          f"({GH}:aud): StringLike on {GH}:aud admits '*'"),
        ("other", "high", f"statement #1 of the trust policy of other does not pin the audience of {GH} tokens "
                          f"({GH}:aud): admits 'https://github.com/acme', not only the configured audiences "
                          f"(sts.amazonaws.com)"),
    ]


UNDECIDED_TF = '''
variable "effect" {}
variable "stmts" {}
variable "extra" {}

resource "aws_iam_openid_connect_provider" "gh" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "effect" {
  name = "effect"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{
    Effect    = var.effect
    Action    = "sts:AssumeRoleWithWebIdentity"
    Principal = { Federated = aws_iam_openid_connect_provider.gh.arn }
  }] })
}

resource "aws_iam_role" "list" {
  name               = "list"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = var.stmts })
}

resource "aws_iam_role" "one" {
  name = "one"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [var.extra, {
    Effect = "Allow", Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" }
  }] })
}

resource "aws_iam_role" "service" {
  name = "service"
  assume_role_policy = jsonencode({ Version = "2012-10-17", Statement = [{
    Effect = var.effect, Action = "sts:AssumeRole", Principal = { Service = "ec2.amazonaws.com" }
  }] })
}
'''


def test_statements_not_known_may_be_a_ci_trust(tmp_path):
    """A trust statement whose Effect, body or list is not known may be an unpinned CI trust: UNKNOWN for
    IDF-002/003 (and IDF-005 where the principal is not known either), never a silent pass. A statement
    that names only a service cannot be a CI trust whatever its Effect."""
    (tmp_path / "main.tf").write_text(UNDECIDED_TF)
    from hcl_scanner import scan

    result = scan([str(tmp_path)])
    rules = [REGISTRY[r] for r in ("IDF-002", "IDF-003", "IDF-005")]
    found = [(f.rule_id, f.status.value, f.resource, f.line, f.message)
             for inv in result.inventories for f in evaluate(inv, Config(), rules=rules)]
    var = "variable {0} has no value (no default, not set in tfvars, --var-file or TF_VAR_{0})".format
    pins = {"IDF-002": "pins the token audience", "IDF-003": "pins one repository"}
    assert sorted(found) == sorted([
        *[(rule, "unknown", "aws_iam_role.effect", 11,
           f"cannot decide whether statement #1 of the trust policy of aws_iam_role.effect {what}: the Effect of "
           f"statement #1 is not known: {var('effect')}") for rule, what in pins.items()],
        *[(rule, "unknown", "aws_iam_role.list", 20,
           f"cannot decide whether the trust policy of aws_iam_role.list {what}: its statements are not known: "
           f"{var('stmts')}") for rule, what in pins.items()],
        ("IDF-005", "unknown", "aws_iam_role.list", 20,
         f"cannot decide whether the trust policy lets any principal assume the role: {var('stmts')}"),
        *[(rule, "unknown", "aws_iam_role.one", 25,
           f"cannot decide whether statement #1 of the trust policy of aws_iam_role.one {what}: the statement is "
           f"not known: {var('extra')}") for rule, what in pins.items()],
        ("IDF-005", "unknown", "aws_iam_role.one", 25,
         f"cannot decide whether statement #1 of the trust policy names every principal: {var('extra')}"),
    ])


@pytest.mark.parametrize("issuer, audiences, expected", [
    (f"https://{GH}", [AZ], None),
    (f"https://{GH}", ["api://azureadtokenexchange"], "failed"),
    (f"https://{GH}", ["https://github.com/acme"], "failed"),
    (f"https://{GH}", [AZ, "https://github.com/acme"], "failed"),
    (f"https://{GH}", [], "failed"),
    (f"https://{GH}/acme", ["sts.amazonaws.com"], "failed"),  # enterprise issuer
    ("https://gitlab.com", [AZ], None),
    ("https://app.terraform.io", ["api://tfc"], "failed"),
    ("https://westeurope.oic.prod-aks.azure.com/tenant/guid/", ["other"], None),  # AKS workloads: not CI
    (f"https://{GH}", Unknown("audiences known after apply"), "unknown"),
    (f"https://{GH}", [AZ, Unknown("second audience known after apply")], "unknown"),
    (Unknown("issuer known after apply"), ["other"], "unknown"),
])
def test_azure_semantics(issuer, audiences, expected):
    cred = make("azure.federated_credential", "cred", issuer=issuer, subject="repo:acme/app:environment:prod",
                audiences=audiences)
    assert _statuses(cred) == ([(expected, "cred")] if expected else [])


def test_azure_message():
    cred = make("azure.federated_credential", "cred", issuer=f"https://{GH}", audiences=[AZ, "extra"])
    findings = evaluate(Inventory([cred]), Config(), rules=[REGISTRY["IDF-002"]])
    assert [f.message for f in findings] == [
        f"federated credential cred on {GH} accepts audiences 'api://AzureADTokenExchange', "
        f"'extra' instead of exactly api://AzureADTokenExchange"]


# --- Terraform sources --------------------------------------------------------------------------------

TF = '''
variable "audiences" {
  type    = list(string)
  default = ["sts.amazonaws.com"]
}

variable "later_audience" {
  type = string
}

resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}

resource "aws_iam_role" "json_pinned" {
  name = "json-pinned"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = {
        StringEquals = { "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com" }
      }
    }]
  })
}

resource "aws_iam_role" "json_no_aud" {
  name = "json-no-aud"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Condition = {
        StringLike = { "token.actions.githubusercontent.com:sub" = "repo:acme/app:*" }
      }
    }]
  })
}

resource "aws_iam_role" "heredoc_star" {
  name               = "heredoc-star"
  assume_role_policy = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{
    "Effect": "Allow",
    "Action": "sts:AssumeRoleWithWebIdentity",
    "Principal": {"Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"},
    "Condition": {"StringLike": {"Token.Actions.GithubUserContent.com:AUD": "*"}}
  }]
}
EOF
}

data "aws_iam_policy_document" "enterprise" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com/acme"]
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com/acme:aud"
      values   = var.audiences
    }
  }
}

resource "aws_iam_role" "doc_enterprise" {
  name               = "doc-enterprise"
  assume_role_policy = data.aws_iam_policy_document.enterprise.json
}

data "aws_iam_policy_document" "dynamic" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::111122223333:oidc-provider/app.terraform.io"]
    }
    dynamic "condition" {
      for_each = { "app.terraform.io:aud" = ["aws.*"], "app.terraform.io:sub" = ["organization:acme:*"] }
      content {
        test     = "StringLike"
        variable = condition.key
        values   = condition.value
      }
    }
  }
}

resource "aws_iam_role" "doc_dynamic" {
  name               = "doc-dynamic"
  assume_role_policy = data.aws_iam_policy_document.dynamic.json
}

resource "aws_iam_role" "later" {
  name = "later"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/gitlab.com" }
      Condition = { StringEquals = { "gitlab.com:aud" = var.later_audience } }
    }]
  })
}

resource "azurerm_user_assigned_identity" "deploy" {
  name                = "id-deploy"
  resource_group_name = "rg-ci"
  location            = "westeurope"
}

resource "azurerm_federated_identity_credential" "exact" {
  name                = "github-exact"
  resource_group_name = "rg-ci"
  parent_id           = azurerm_user_assigned_identity.deploy.id
  issuer              = "https://token.actions.githubusercontent.com"
  subject             = "repo:acme/app:environment:prod"
  audience            = ["api://AzureADTokenExchange"]
}

resource "azurerm_federated_identity_credential" "extra" {
  name                = "github-extra"
  resource_group_name = "rg-ci"
  parent_id           = azurerm_user_assigned_identity.deploy.id
  issuer              = "https://token.actions.githubusercontent.com"
  subject             = "repo:acme/app:environment:prod"
  audience            = ["api://AzureADTokenExchange", "https://github.com/acme"]
}

resource "azuread_application_federated_identity_credential" "app_other" {
  application_id = "/applications/00000000-0000-0000-0000-000000000000"
  display_name   = "gitlab"
  issuer         = "https://gitlab.com"
  subject        = "project_path:acme/app:ref_type:branch:ref:main"
  audiences      = ["https://gitlab.com"]
}

resource "azuread_application_federated_identity_credential" "app_exact" {
  application_id = "/applications/00000000-0000-0000-0000-000000000000"
  display_name   = "gitlab-exact"
  issuer         = "https://gitlab.com"
  subject        = "project_path:acme/app:ref_type:branch:ref:main"
  audiences      = ["api://AzureADTokenExchange"]
}
'''


def test_terraform(tmp_path):
    assert tf_rows(tmp_path, TF, RULE) == [
        ("IDF-002", "failed", "aws_iam_role.json_no_aud", 31),
        ("IDF-002", "failed", "aws_iam_role.heredoc_star", 46),
        ("IDF-002", "failed", "aws_iam_role.doc_dynamic", 99),
        ("IDF-002", "unknown", "aws_iam_role.later", 104),
        ("IDF-002", "failed", "azurerm_federated_identity_credential.extra", 132),
        ("IDF-002", "failed", "azuread_application_federated_identity_credential.app_other", 141),
    ]


def test_terraform_configured_audiences(tmp_path):
    rows = tf_rows(tmp_path, TF, RULE, oidc_audiences=("aws.workload.identity",))
    assert [r[2] for r in rows if r[1] == "failed"] == [
        "aws_iam_role.json_pinned", "aws_iam_role.json_no_aud", "aws_iam_role.heredoc_star",
        "aws_iam_role.doc_enterprise", "aws_iam_role.doc_dynamic",
        "azurerm_federated_identity_credential.extra",
        "azuread_application_federated_identity_credential.app_other"]


# --- plan JSON -----------------------------------------------------------------------------------------

def _plan(tmp_path: Path, changes: list[dict]) -> Inventory:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "terraform_version": "1.6.6",
                                "planned_values": {"root_module": {}}, "resource_changes": changes}))
    inventory, errors = read_plan(path, None)
    assert errors == []
    return inventory


def _change(rtype: str, name: str, provider: str, after: dict, after_unknown: dict | None = None) -> dict:
    return {"address": f"{rtype}.{name}", "mode": "managed", "type": rtype, "name": name,
            "provider_name": f"registry.terraform.io/hashicorp/{provider}",
            "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": after_unknown or {},
                       "before_sensitive": False, "after_sensitive": {}}}


def test_plan(tmp_path):
    pinned = json.dumps(_trust({"Federated": GH_ARN}, {"StringEquals": {f"{GH}:aud": "sts.amazonaws.com"}}))
    loose = json.dumps(_trust({"Federated": GH_ARN}, {"StringLike": {f"{GH}:aud": "*"}}))
    inventory = _plan(tmp_path, [
        _change("aws_iam_role", "pinned", "aws", {"name": "pinned", "assume_role_policy": pinned}),
        _change("aws_iam_role", "loose", "aws", {"name": "loose", "assume_role_policy": loose}),
        _change("aws_iam_role", "later", "aws", {"name": "later"}, {"assume_role_policy": True}),
        _change("azurerm_federated_identity_credential", "exact", "azurerm",
                {"name": "exact", "parent_id": "/x", "issuer": f"https://{GH}", "subject": "repo:acme/app:ref:x",
                 "audience": [AZ]}),
        _change("azurerm_federated_identity_credential", "other", "azurerm",
                {"name": "other", "parent_id": "/x", "issuer": f"https://{GH}", "subject": "repo:acme/app:ref:x",
                 "audience": ["api://other"]}),
        _change("azuread_application_federated_identity_credential", "app", "azuread",
                {"display_name": "app", "application_id": "/applications/x", "issuer": "https://gitlab.com",
                 "subject": "project_path:acme/app:ref_type:branch:ref:main"}, {"audiences": True}),
    ])
    findings = evaluate(inventory, Config(), rules=[REGISTRY["IDF-002"]])
    assert sorted((f.status.value, f.resource) for f in findings) == [
        ("failed", "aws_iam_role.loose"),
        ("failed", "azurerm_federated_identity_credential.other"),
        ("unknown", "aws_iam_role.later"),
        ("unknown", "azuread_application_federated_identity_credential.app"),
    ]


# --- Pulumi, through the gate ---------------------------------------------------------------------------

PULUMI_AWS = '''
import json
import pulumi_aws as aws

gh = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
aws.iam.Role("pinned", name="pinned", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": gh},
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}}}]}))
aws.iam.Role("no-aud", name="no-aud", assume_role_policy={"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": gh},
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:acme/app:ref:x"}}}]})
aws.iam.Role("star", name="star", assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": gh + "/acme"},
    "Condition": {"StringLike": {"Token.Actions.GithubUserContent.com/acme:AUD": "*"}}}]}))
doc = aws.iam.get_policy_document(statements=[aws.iam.GetPolicyDocumentStatementArgs(
    actions=["sts:AssumeRoleWithWebIdentity"],
    principals=[aws.iam.GetPolicyDocumentStatementPrincipalArgs(
        type="Federated", identifiers=["arn:aws:iam::111122223333:oidc-provider/app.terraform.io"])],
    conditions=[aws.iam.GetPolicyDocumentStatementConditionArgs(
        test="StringEquals", variable="app.terraform.io:aud", values=["aws.workload.identity"])])])
aws.iam.Role("tfc", name="tfc", assume_role_policy=doc.json)
'''


def test_pulumi_aws(tmp_path):
    assert gate_rows(tmp_path, PULUMI_AWS, "pulumi_aws", RULE) == [
        ("IDF-002", "failed", "no-aud", 8),
        ("IDF-002", "failed", "star", 11),
    ]


def test_pulumi_aws_configured_audiences(tmp_path):
    rows = gate_rows(tmp_path, PULUMI_AWS, "pulumi_aws", RULE, config={"oidc": {"audiences": ["sts.amazonaws.com"]}})
    assert rows == [
        ("IDF-002", "failed", "no-aud", 8),
        ("IDF-002", "failed", "star", 11),
        ("IDF-002", "failed", "tfc", 20),
    ]


PULUMI_NATIVE = '''
import pulumi_azure_native as azure_native

identity = azure_native.managedidentity.UserAssignedIdentity("deploy", resource_group_name="rg-ci",
    resource_name_="id-ci-deploy")
for name, audiences in (("exact", ["api://AzureADTokenExchange"]), ("extra", ["api://AzureADTokenExchange", "x"]),
                        ("other", ["api://other"])):
    azure_native.managedidentity.FederatedIdentityCredential(name, resource_group_name="rg-ci",
        resource_name_=identity.name, federated_identity_credential_resource_name=name,
        issuer="https://token.actions.githubusercontent.com", subject="repo:acme/app:environment:prod",
        audiences=audiences)
'''


def test_pulumi_azure_native(tmp_path):
    assert gate_rows(tmp_path, PULUMI_NATIVE, "pulumi_azure_native", RULE) == [
        ("IDF-002", "failed", "extra", 7),
        ("IDF-002", "failed", "other", 7),
    ]


def test_pulumi_preview_is_unknown_never_a_pass(tmp_path):
    """Under --preview a trust built from a provider's ARN is unknown as a whole: UNKNOWN, not a pass."""
    pytest.importorskip("pulumi_aws")
    from preview_gate import run_gate

    (tmp_path / "__main__.py").write_text(PREVIEW.lstrip("\n"))
    (tmp_path / "Pulumi.yaml").write_text("name: idf-cases\nruntime: python\n")
    others = {r: "disabled" for r in REGISTRY if r != "IDF-002"}
    report = run_gate(tmp_path, config={"enforcement": others}, preview=True)
    assert report.errors == []
    assert sorted((f.rule_id, f.status.value, f.resource, f.line) for f in report.findings) == [
        ("IDF-002", "unknown", "no-aud", 6), ("IDF-002", "unknown", "unnamed", 10)]


PREVIEW = '''
import json
import pulumi_aws as aws

provider = aws.iam.OpenIdConnectProvider("gh", url="https://token.actions.githubusercontent.com",
    client_id_lists=["sts.amazonaws.com"])
aws.iam.Role("no-aud", name="no-aud", assume_role_policy=provider.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
    "Principal": {"Federated": arn},
    "Condition": {"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:acme/app:ref:x"}}}]})))
aws.iam.Role("unnamed", name="unnamed", assume_role_policy=provider.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
    "Principal": {"Federated": arn}}]})))
'''
