"""IDF-001: every long-lived key resource fails, per engine: AWS access keys (with or without pgp_key,
for a user declared here or named by a string), Entra ID application and service-principal
passwords, ACR token passwords (azurerm, classic Pulumi, azure-native Token credentials)."""

from __future__ import annotations

import json

import pytest

from builders import make
from hcl_scanner.plan import read_plan
from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.model import Inventory
from rulebook.rules import REGISTRY
from rulebook.unknown import Unknown
from test_bkt_rules import gate_rows, tf_rows

RULE = ["IDF-001"]

TF = '''
resource "aws_iam_user" "ci" {
  name = "ci-bot"
}

resource "aws_iam_access_key" "plain" {
  user = aws_iam_user.ci.name
}

resource "aws_iam_access_key" "encrypted" {
  user    = aws_iam_user.ci.name
  pgp_key = "keybase:acme_ops"
}

resource "aws_iam_access_key" "elsewhere" {
  user = "legacy-deployer"
}

resource "azuread_application_password" "app" {
  application_id = "/applications/00000000-0000-0000-0000-000000000000"
  display_name   = "ci"
}

resource "azuread_service_principal_password" "sp" {
  service_principal_id = "/servicePrincipals/00000000-0000-0000-0000-000000000001"
}

resource "azurerm_container_registry_token_password" "token" {
  container_registry_token_id = "/subscriptions/x/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/r/tokens/ci"
  password1 {}
}

resource "azurerm_user_assigned_identity" "deploy" {
  name                = "id-deploy"
  resource_group_name = "rg-ci"
  location            = "westeurope"
}
'''


def test_terraform(tmp_path):
    assert tf_rows(tmp_path, TF, RULE) == [
        ("IDF-001", "failed", "aws_iam_access_key.plain", 6),
        ("IDF-001", "failed", "aws_iam_access_key.encrypted", 10),
        ("IDF-001", "failed", "aws_iam_access_key.elsewhere", 15),
        ("IDF-001", "failed", "azuread_application_password.app", 19),
        ("IDF-001", "failed", "azuread_service_principal_password.sp", 24),
        ("IDF-001", "failed", "azurerm_container_registry_token_password.token", 28),
    ]


def test_plan(tmp_path):
    def change(rtype: str, name: str, provider: str, after: dict) -> dict:
        return {"address": f"{rtype}.{name}", "mode": "managed", "type": rtype, "name": name,
                "provider_name": f"registry.terraform.io/hashicorp/{provider}",
                "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": {"id": True},
                           "before_sensitive": False, "after_sensitive": {}}}

    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "terraform_version": "1.6.6",
                                "planned_values": {"root_module": {}}, "resource_changes": [
        change("aws_iam_access_key", "plain", "aws", {"user": "ci-bot"}),
        change("aws_iam_access_key", "encrypted", "aws", {"user": "ci-bot", "pgp_key": "keybase:acme_ops"}),
        change("azuread_application_password", "app", "azuread", {"application_id": "/applications/x"}),
        change("azuread_service_principal_password", "sp", "azuread", {"service_principal_id": "/sp/x"}),
        change("azurerm_container_registry_token_password", "token", "azurerm",
               {"container_registry_token_id": "/tokens/ci"}),
        change("azurerm_user_assigned_identity", "deploy", "azurerm", {"name": "id-deploy"}),
    ]}))
    inventory, errors = read_plan(path, None)
    assert errors == []
    findings = evaluate(inventory, Config(), rules=[REGISTRY["IDF-001"]])
    assert sorted((f.status.value, f.resource) for f in findings) == [
        ("failed", "aws_iam_access_key.encrypted"), ("failed", "aws_iam_access_key.plain"),
        ("failed", "azuread_application_password.app"), ("failed", "azuread_service_principal_password.sp"),
        ("failed", "azurerm_container_registry_token_password.token")]


PULUMI_AWS = '''
import pulumi_aws as aws

ci = aws.iam.User("ci", name="ci-bot")
aws.iam.AccessKey("plain", user=ci.name)
aws.iam.AccessKey("encrypted", user=ci.name, pgp_key="keybase:acme_ops")
aws.iam.AccessKey("elsewhere", user="legacy-deployer")
'''


def test_pulumi_aws(tmp_path):
    assert gate_rows(tmp_path, PULUMI_AWS, "pulumi_aws", RULE) == [
        ("IDF-001", "failed", "plain", 4),
        ("IDF-001", "failed", "encrypted", 5),
        ("IDF-001", "failed", "elsewhere", 6),
    ]


PULUMI_NATIVE = '''
import pulumi_azure_native as azure_native

azure_native.containerregistry.Token("with-password", registry_name="acmeci", resource_group_name="rg-ci",
    token_name="ci-pull", scope_map_id="/scopeMaps/_repositories_pull",
    credentials={"passwords": [{"name": "password1"}]})
azure_native.containerregistry.Token("no-password", registry_name="acmeci", resource_group_name="rg-ci",
    token_name="ci-cert", scope_map_id="/scopeMaps/_repositories_pull")
'''


def test_pulumi_azure_native(tmp_path):
    assert gate_rows(tmp_path, PULUMI_NATIVE, "pulumi_azure_native", RULE) == [
        ("IDF-001", "failed", "with-password", 3),
    ]


@pytest.mark.parametrize("tf_type, props, kind", [
    ("azuread:index/applicationPassword:ApplicationPassword", {"applicationId": "/applications/x"},
     "azure.ad.password"),
    ("azuread:index/servicePrincipalPassword:ServicePrincipalPassword", {"servicePrincipalId": "/sp/x"},
     "azure.ad.password"),
    ("azure:containerservice/tokenPassword:TokenPassword", {"containerRegistryTokenId": "/tokens/ci"},
     "azure.acr.token_password"),
    ("aws:iam/accessKey:AccessKey", {"user": "ci-bot", "pgpKey": "keybase:acme_ops"}, "aws.iam.access_key"),
])
def test_pulumi_sdks_not_installed_here_fail_through_the_adapter(tf_type, props, kind):
    from policypack.adapter import to_resource

    resource = to_resource(tf_type, "key", props)
    assert resource.kind == kind
    findings = evaluate(Inventory([resource]), Config(), rules=[REGISTRY["IDF-001"]])
    assert [(f.status.value, f.resource) for f in findings] == [("failed", "key")]


@pytest.mark.parametrize("passwords, expected", [
    ([{"name": "password1"}], "failed"),
    ([{"name": "password1"}, {"name": "password2"}], "failed"),
    ([], None),
    (None, None),
    (Unknown("credentials known after apply"), "unknown"),
])
def test_token_semantics(passwords, expected):
    token = make("azure.acr.token", "token", name="ci-pull", passwords=passwords)
    findings = evaluate(Inventory([token]), Config(), rules=[REGISTRY["IDF-001"]])
    assert [(f.status.value, f.message) for f in findings] == (
        [] if expected is None else
        [("failed", "a long-lived registry token password is created for ci-pull; use OIDC federation instead")]
        if expected == "failed" else
        [("unknown", "cannot decide whether ci-pull declares a registry token password: credentials known after "
                     "apply")])
