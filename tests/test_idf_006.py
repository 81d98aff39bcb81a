"""IDF-006: shared-key access on Azure storage accounts, as exact (rule, status, resource, line) rows
through the Terraform scanner (sources and a plan), the real Pulumi pack (azure-native and classic),
and a semantics table over model resources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from builders import make
from hcl_scanner.plan import read_plan
from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.model import Inventory
from rulebook.rules import REGISTRY
from rulebook.unknown import Unknown
from test_bkt_rules import gate_rows, tf_rows

RULE = ["IDF-006"]


@pytest.mark.parametrize("value, expected", [
    (True, "failed"),
    ("true", "failed"),
    (None, "failed"),  # not set: Azure allows shared keys
    (False, None),
    ("false", None),
    (Unknown("known after apply"), "unknown"),
    ("maybe", "unknown"),
])
def test_semantics(value, expected):
    account = make("azure.storage.account", "acct", name="acmeci", shared_key_access_enabled=value)
    findings = evaluate(Inventory([account]), Config(), rules=[REGISTRY["IDF-006"]])
    assert [f.status.value for f in findings] == ([expected] if expected else [])


def test_messages():
    failing = make("azure.storage.account", "acct", name="acmeci", shared_key_access_enabled=True)
    unknown = make("azure.storage.account", "later", name="acmelater",
                   shared_key_access_enabled=Unknown("shared_access_key_enabled is known only after apply"))
    findings = evaluate(Inventory([failing, unknown]), Config(), rules=[REGISTRY["IDF-006"]])
    assert sorted((f.resource, f.severity.value, f.message) for f in findings) == [
        ("acct", "medium", "storage account acmeci accepts its shared access keys: anyone holding an account key "
                           "or a SAS token signed with it has full data access without Entra ID"),
        ("later", "medium", "cannot decide whether shared-key access is disabled: shared_access_key_enabled is "
                            "known only after apply"),
    ]


def _account(name: str, setting: str = "") -> str:
    return f'''
resource "azurerm_storage_account" "{name}" {{
  name                     = "acme{name}"
  resource_group_name      = "rg-ci"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "ZRS"
  {setting}
}}
'''


TF = "".join([
    '''
variable "keys_off" {
  type    = bool
  default = false
}

variable "keys_on" {
  type    = bool
  default = true
}

variable "keys_unset" {
  type = bool
}
''',
    _account("unset"),
    _account("on", "shared_access_key_enabled = true"),
    _account("off", "shared_access_key_enabled = false"),
    _account("varoff", "shared_access_key_enabled = var.keys_off"),
    _account("varon", "shared_access_key_enabled = var.keys_on"),
    _account("varunset", "shared_access_key_enabled = var.keys_unset"),
    _account("negated", "shared_access_key_enabled = !var.keys_on"),
])


def test_terraform(tmp_path):
    rows = tf_rows(tmp_path, TF, RULE)
    assert [r[:4] for r in rows] == [
        ("IDF-006", "failed", "azurerm_storage_account.unset", 16),  # azurerm's default: true
        ("IDF-006", "failed", "azurerm_storage_account.on", 25),
        ("IDF-006", "failed", "azurerm_storage_account.varon", 52),
        ("IDF-006", "unknown", "azurerm_storage_account.varunset", 61),
    ]


def _plan(tmp_path: Path, after: dict, after_unknown: dict) -> Inventory:
    change = {"address": "azurerm_storage_account.artifacts", "mode": "managed", "type": "azurerm_storage_account",
              "name": "artifacts", "provider_name": "registry.terraform.io/hashicorp/azurerm",
              "change": {"actions": ["create"], "before": None, "after": after, "after_unknown": after_unknown,
                         "before_sensitive": False, "after_sensitive": {}}}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "terraform_version": "1.6.6",
                                "planned_values": {"root_module": {}}, "resource_changes": [change]}))
    inventory, errors = read_plan(path, None)
    assert errors == []
    return inventory


@pytest.mark.parametrize("after, after_unknown, expected", [
    ({"name": "acmeartifacts", "shared_access_key_enabled": True}, {}, ["failed"]),
    ({"name": "acmeartifacts", "shared_access_key_enabled": False}, {}, []),
    ({"name": "acmeartifacts"}, {"shared_access_key_enabled": True}, ["unknown"]),
])
def test_plan(tmp_path, after, after_unknown, expected):
    inventory = _plan(tmp_path, after, after_unknown)
    findings = evaluate(inventory, Config(), rules=[REGISTRY["IDF-006"]])
    assert [(f.rule_id, f.status.value, f.resource) for f in findings] == [
        ("IDF-006", status, "azurerm_storage_account.artifacts") for status in expected]


PULUMI_NATIVE = '''
import pulumi_azure_native as azure_native

azure_native.storage.StorageAccount("unset", account_name="acmeunset", resource_group_name="rg-ci",
    kind="StorageV2", sku={"name": "Standard_ZRS"})
azure_native.storage.StorageAccount("on", account_name="acmeon", resource_group_name="rg-ci",
    kind="StorageV2", sku={"name": "Standard_ZRS"}, allow_shared_key_access=True)
azure_native.storage.StorageAccount("off", account_name="acmeoff", resource_group_name="rg-ci",
    kind="StorageV2", sku={"name": "Standard_ZRS"}, allow_shared_key_access=False)
'''


def test_pulumi_azure_native(tmp_path):
    assert gate_rows(tmp_path, PULUMI_NATIVE, "pulumi_azure_native", RULE) == [
        ("IDF-006", "failed", "unset", 3),
        ("IDF-006", "failed", "on", 5),
    ]


PULUMI_CLASSIC = '''
import pulumi_azure as azure

azure.storage.Account("unset", name="acmeunset", resource_group_name="rg-ci", location="westeurope",
    account_tier="Standard", account_replication_type="ZRS")
azure.storage.Account("off", name="acmeoff", resource_group_name="rg-ci", location="westeurope",
    account_tier="Standard", account_replication_type="ZRS", shared_access_key_enabled=False)
'''


def test_pulumi_classic(tmp_path):
    assert gate_rows(tmp_path, PULUMI_CLASSIC, "pulumi_azure", RULE) == [
        ("IDF-006", "failed", "unset", 3),
    ]


@pytest.mark.parametrize("tf_type, props, expected", [
    ("azure-native:storage:StorageAccount", {"accountName": "a"}, True),  # Azure allows shared keys when unset
    ("azure-native:storage:StorageAccount", {"accountName": "a", "allowSharedKeyAccess": False}, False),
    ("azure:storage/account:Account", {"name": "a"}, True),  # the classic provider's default
    ("azure:storage/account:Account", {"name": "a", "sharedAccessKeyEnabled": False}, False),
    ("azure:storage/account:Account", {"name": "a", "sharedAccessKeyEnabled": True}, True),
])
def test_pulumi_adapter_fills_the_default(tf_type, props, expected):
    from policypack.adapter import to_resource

    assert to_resource(tf_type, "sa", props).props["shared_key_access_enabled"] is expected


def test_pulumi_adapter_keeps_an_unknown():
    from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, unknown_checking_proxy

    from policypack.adapter import to_resource

    account = to_resource("azure-native:storage:StorageAccount", "sa", unknown_checking_proxy(
        {"accountName": "a", "allowSharedKeyAccess": UNKNOWN_STRING_VALUE}))
    assert isinstance(account.props["shared_key_access_enabled"], Unknown)
