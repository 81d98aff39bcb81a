"""BKT-001..BKT-006: every case of the artifact-storage issue as exact (rule, status, resource, line) rows,
through the Terraform scanner and through the real Pulumi pack (the gate), plus the semantics tables
over model resources."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from builders import make
from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.model import Inventory, Ref
from rulebook.rules import REGISTRY
from rulebook.unknown import Unknown

BKT = [f"BKT-00{i}" for i in range(1, 7)]
SUBNET = "/subscriptions/0000/resourceGroups/rg-ci/providers/Microsoft.Network/virtualNetworks/vnet-ci/subnets/build"
CI = {"cidrs": ("10.42.0.0/16",), "azure_subnet_ids": (SUBNET,)}


def rows(findings):
    return [(f.rule_id, f.status.value, f.resource, f.line) for f in findings]


def judge(rule_ids, *resources, **config):
    return [(f.rule_id, f.status.value, f.resource, f.severity.value) for f in
            evaluate(Inventory(list(resources)), Config(**config), rules=[REGISTRY[r] for r in rule_ids])]


def tf_rows(tmp_path: Path, text: str, rule_ids=BKT, **config) -> list[tuple]:
    from hcl_scanner import scan

    root = tmp_path / "root"
    root.mkdir(exist_ok=True)
    (root / "main.tf").write_text(text)
    result = scan([str(root)], repo_root=str(root))
    assert result.errors == []
    rules = [REGISTRY[r] for r in rule_ids]
    findings = [f for inv in result.inventories for f in evaluate(inv, Config(**config), rules=rules)]
    return sorted(rows(findings), key=lambda r: (r[3], r[0]))


def gate_rows(tmp_path: Path, code: str, sdk: str, config: dict | None = None) -> list[tuple]:
    if importlib.util.find_spec(sdk) is None:
        pytest.skip(f"{sdk} is not installed")
    from preview_gate import run_gate

    (tmp_path / "__main__.py").write_text(code.lstrip("\n"))
    (tmp_path / "Pulumi.yaml").write_text("name: bkt-cases\nruntime: python\n")
    others = {r: "disabled" for r in REGISTRY if r not in BKT}
    report = run_gate(tmp_path, config={**(config or {}), "enforcement": others})
    assert report.errors == []
    return sorted(rows(report.findings), key=lambda r: (r[3], r[0]))


# --- BKT-002: ACLs, grants, ownership controls -----------------------------------------------------------

ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTH_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


@pytest.mark.parametrize("props, status", [
    ({"acl": "public-read"}, "failed"),
    ({"acl": "public-read-write"}, "failed"),
    ({"acl": "authenticated-read"}, "failed"),
    ({"acl": "private"}, None),
    ({"acl": "log-delivery-write"}, None),
    ({"grants": [{"type": "Group", "uri": ALL_USERS, "permissions": ["READ"]}]}, "failed"),
    ({"grants": [{"type": "Group", "uri": AUTH_USERS, "permissions": ["READ_ACP"]}]}, "failed"),
    ({"grants": [{"type": "CanonicalUser", "id": "abc", "permissions": ["FULL_CONTROL"]}]}, None),
    ({"acl": Unknown("var.acl has no value")}, "unknown"),
    ({"grants": [Unknown("a dynamic grant block")]}, "unknown"),
])
def test_bkt002_acl_semantics(props, status):
    for kind, address in (("aws.s3.bucket", "aws_s3_bucket.a"), ("aws.s3.bucket_acl", "aws_s3_bucket_acl.a")):
        found = judge(["BKT-002"], make(kind, address, 1, bucket="acme", **props))
        assert [f[1] for f in found] == ([status] if status else [])


@pytest.mark.parametrize("ownership, expected", [
    ("BucketOwnerEnforced", []),
    ("ObjectWriter", [("BKT-002", "failed", "aws_s3_bucket_ownership_controls.a", "medium")]),
    ("BucketOwnerPreferred", [("BKT-002", "failed", "aws_s3_bucket_ownership_controls.a", "medium")]),
    (Unknown("var.ownership has no value"), [("BKT-002", "unknown", "aws_s3_bucket_ownership_controls.a", "high")]),
])
def test_bkt002_ownership_controls(ownership, expected):
    controls = make("aws.s3.ownership_controls", "aws_s3_bucket_ownership_controls.a", 1, bucket="acme",
                    object_ownership=ownership)
    assert judge(["BKT-002"], controls) == expected


TF_ACLS = '''
resource "aws_s3_bucket" "legacy" {
  bucket = "acme-legacy"
  acl    = "public-read"
}

resource "aws_s3_bucket" "artifacts" {
  bucket = "acme-artifacts"
}

resource "aws_s3_bucket_acl" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  acl    = "authenticated-read"
}

resource "aws_s3_bucket_acl" "grants" {
  bucket = aws_s3_bucket.artifacts.id
  access_control_policy {
    grant {
      grantee {
        type = "Group"
        uri  = "http://acs.amazonaws.com/groups/global/AllUsers"
      }
      permission = "READ"
    }
    grant {
      grantee {
        type = "CanonicalUser"
        id   = "0123456789abcdef"
      }
      permission = "FULL_CONTROL"
    }
    owner {
      id = "0123456789abcdef"
    }
  }
}

resource "aws_s3_bucket_ownership_controls" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    object_ownership = "ObjectWriter"
  }
}

resource "aws_s3_bucket_ownership_controls" "legacy" {
  bucket = aws_s3_bucket.legacy.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}
'''


def test_bkt002_terraform(tmp_path):
    assert tf_rows(tmp_path, TF_ACLS, ["BKT-002"]) == [
        ("BKT-002", "failed", "aws_s3_bucket.legacy", 2),
        ("BKT-002", "failed", "aws_s3_bucket_acl.artifacts", 11),
        ("BKT-002", "failed", "aws_s3_bucket_acl.grants", 16),
        ("BKT-002", "failed", "aws_s3_bucket_ownership_controls.artifacts", 39),
    ]


# --- BKT-001 cases through Terraform (the rule itself is tested in the engine and scan tests) ---------------

PAB = '''
  block_public_acls       = true
  block_public_policy     = {policy}
  ignore_public_acls      = true
  restrict_public_buckets = true
'''


@pytest.mark.parametrize("text, expected", [
    ('resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n', [("BKT-001", "failed", "aws_s3_bucket.a", 1)]),
    ('resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n'
     'resource "aws_s3_bucket_public_access_block" "a" {\n  bucket = aws_s3_bucket.a.id\n' +
     PAB.format(policy="false") + '}\n', [("BKT-001", "failed", "aws_s3_bucket.a", 1)]),
    ('resource "aws_s3_bucket" "a" {\n  bucket = "acme-a"\n}\n'
     'resource "aws_s3_account_public_access_block" "account" {\n' + PAB.format(policy="true") + '}\n', []),
    ('resource "aws_s3_bucket" "b" {\n  for_each = toset(["a", "b"])\n  bucket = "acme-${each.key}"\n}\n'
     'resource "aws_s3_bucket_public_access_block" "b" {\n  for_each = toset(["a"])\n'
     '  bucket = aws_s3_bucket.b[each.key].id\n' + PAB.format(policy="true") + '}\n',
     [("BKT-001", "failed", 'aws_s3_bucket.b["b"]', 1)]),
], ids=["no_block", "one_flag_false", "account_level_block", "for_each_one_instance_without"])
def test_bkt001_terraform(tmp_path, text, expected):
    assert tf_rows(tmp_path, text, ["BKT-001"]) == expected


# --- BKT-005: storage account networks --------------------------------------------------------------------

def account(line=1, name="acmeci", **props):
    return make("azure.storage.account", f"azurerm_storage_account.{name}", line, name=name, **props)


@pytest.mark.parametrize("props, config, status", [
    ({}, {}, "failed"),  # no network rules: Allow
    ({"network_default_action": "Allow"}, {}, "failed"),
    ({"network_default_action": "Deny"}, {}, None),
    ({"public_network_access_enabled": False, "network_default_action": "Allow"}, {}, None),
    ({"public_network_access_enabled": True, "network_default_action": "Deny", "ip_rules": ["10.42.1.0/24"]},
     CI, None),
    ({"network_default_action": "Deny", "ip_rules": ["203.0.113.0/24"]}, CI, "failed"),
    ({"network_default_action": "Deny", "ip_rules": ["203.0.113.0/24"]}, {}, None),  # no ranges configured
    ({"network_default_action": "Deny", "subnet_ids": [SUBNET.replace("build", "dev")]}, CI, "failed"),
    ({"network_default_action": "Deny", "subnet_ids": [Ref("azurerm_subnet.build", "id")]}, CI, "unknown"),
    ({"public_network_access_enabled": Unknown("var.public has no value")}, {}, "unknown"),
])
def test_bkt005_semantics(props, config, status):
    assert [f[1] for f in judge(["BKT-005"], account(**props), **config)] == ([status] if status else [])


def test_bkt005_separate_rules_replace_the_account_block():
    own = account(network_default_action="Allow", id="/subscriptions/0/sa/acmeci")
    rules = make("azure.storage.network_rules", "azurerm_storage_account_network_rules.r", 9,
                 account=Ref("azurerm_storage_account.acmeci", "id"), network_default_action="Deny")
    assert judge(["BKT-005"], own, rules) == []
    wide = make("azure.storage.network_rules", "azurerm_storage_account_network_rules.r", 9,
                account="acmeci", network_default_action="Deny", ip_rules=["198.51.100.7"])
    assert judge(["BKT-005"], account(network_default_action="Deny"), wide, **CI) == [
        ("BKT-005", "failed", "azurerm_storage_account.acmeci", "high")]


def test_bkt005_artifact_selector():
    cache = account(name="acmecache", network_default_action="Allow")
    store = account(name="acmeciartifacts", network_default_action="Allow")
    unnamed = account(name="x", network_default_action="Allow")
    unnamed.props["name"] = Unknown("var.name has no value")
    assert judge(["BKT-005"], cache, store, unnamed, artifact_bucket_names=("acmeci*",)) == [
        ("BKT-005", "failed", "azurerm_storage_account.acmeciartifacts", "high"),
        ("BKT-005", "unknown", "azurerm_storage_account.x", "high")]


# --- BKT-006: blob public access ----------------------------------------------------------------------------

@pytest.mark.parametrize("kind, props, status", [
    ("azure.storage.account", {"allow_blob_public_access": True}, "failed"),
    ("azure.storage.account", {"allow_blob_public_access": False}, None),
    ("azure.storage.account", {}, None),  # azure-native: Azure's default is off
    ("azure.storage.container", {"public_access": "blob"}, "failed"),
    ("azure.storage.container", {"public_access": "container"}, "failed"),
    ("azure.storage.container", {"public_access": "none"}, None),
    ("azure.storage.container", {"public_access": Unknown("var.access has no value")}, "unknown"),
])
def test_bkt006_semantics(kind, props, status):
    found = judge(["BKT-006"], make(kind, "x.y", 1, name="acmeci", **props))
    assert [f[1] for f in found] == ([status] if status else [])


TF_AZURE = '''
resource "azurerm_storage_account" "open" {
  name                     = "acmeopen"
  resource_group_name      = "rg-ci"
  location                 = "westeurope"
  account_tier             = "Standard"
  account_replication_type = "ZRS"
}

resource "azurerm_storage_account" "private" {
  name                            = "acmeprivate"
  resource_group_name             = "rg-ci"
  location                        = "westeurope"
  account_tier                    = "Standard"
  account_replication_type        = "ZRS"
  allow_nested_items_to_be_public = false
  public_network_access_enabled   = false
  network_rules {
    default_action = "Allow"
  }
}

resource "azurerm_storage_account" "ranges" {
  name                            = "acmeranges"
  resource_group_name             = "rg-ci"
  location                        = "westeurope"
  account_tier                    = "Standard"
  account_replication_type        = "ZRS"
  allow_nested_items_to_be_public = false
  network_rules {
    default_action = "Deny"
    ip_rules       = ["10.42.7.0/24", "203.0.113.9"]
  }
}

resource "azurerm_storage_account" "separate" {
  name                            = "acmeseparate"
  resource_group_name             = "rg-ci"
  location                        = "westeurope"
  account_tier                    = "Standard"
  account_replication_type        = "ZRS"
  allow_nested_items_to_be_public = false
}

resource "azurerm_storage_account_network_rules" "separate" {
  storage_account_id         = azurerm_storage_account.separate.id
  default_action             = "Deny"
  virtual_network_subnet_ids = ["/subscriptions/0000/resourceGroups/rg-ci/providers/Microsoft.Network/virtualNetworks/vnet-ci/subnets/build"]
}

resource "azurerm_storage_container" "site" {
  name                  = "site"
  storage_account_id    = azurerm_storage_account.open.id
  container_access_type = "blob"
}

resource "azurerm_storage_container" "private" {
  name                  = "artifacts"
  storage_account_id    = azurerm_storage_account.private.id
  container_access_type = "private"
}
'''


def test_bkt005_bkt006_terraform(tmp_path):
    assert tf_rows(tmp_path, TF_AZURE, ["BKT-005", "BKT-006"], **CI) == [
        ("BKT-005", "failed", "azurerm_storage_account.open", 2),
        ("BKT-006", "failed", "azurerm_storage_account.open", 2),  # azurerm's default: true
        ("BKT-005", "failed", "azurerm_storage_account.ranges", 23),
        ("BKT-006", "failed", "azurerm_storage_container.site", 51),
    ]


PULUMI_AZURE = '''
import pulumi_azure_native as azure_native

azure_native.storage.StorageAccount("open", account_name="acmeopen", resource_group_name="rg-ci",
    kind="StorageV2", sku={"name": "Standard_ZRS"}, allow_blob_public_access=True)
azure_native.storage.StorageAccount("private", account_name="acmeprivate", resource_group_name="rg-ci",
    kind="StorageV2", sku={"name": "Standard_ZRS"}, public_network_access="Disabled",
    network_rule_set={"default_action": "Allow"})
azure_native.storage.StorageAccount("ranges", account_name="acmeranges", resource_group_name="rg-ci",
    kind="StorageV2", sku={"name": "Standard_ZRS"}, network_rule_set={"default_action": "Deny",
    "ip_rules": [{"i_p_address_or_range": "10.42.7.0/24"}, {"i_p_address_or_range": "203.0.113.9"}]})
azure_native.storage.BlobContainer("site", account_name="acmeopen", resource_group_name="rg-ci",
    public_access="Blob")
azure_native.storage.BlobContainer("artifacts", account_name="acmeprivate", resource_group_name="rg-ci",
    public_access="None")
'''


def test_bkt005_bkt006_pulumi(tmp_path):
    assert gate_rows(tmp_path, PULUMI_AZURE, "pulumi_azure_native",
                     {"ci_network": {"cidrs": ["10.42.0.0/16"]}}) == [
        ("BKT-005", "failed", "open", 3),
        ("BKT-006", "failed", "open", 3),
        ("BKT-005", "failed", "ranges", 8),
        ("BKT-006", "failed", "site", 11),
    ]


PULUMI_AWS = '''
import pulumi_aws as aws

legacy = aws.s3.Bucket("legacy", bucket="acme-legacy", acl="public-read")
artifacts = aws.s3.Bucket("artifacts", bucket="acme-artifacts")
aws.s3.BucketAcl("artifacts-acl", bucket=artifacts.id, access_control_policy={
    "owner": {"id": "0123456789abcdef"},
    "grants": [{"grantee": {"type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"},
                "permission": "READ"}]})
aws.s3.BucketOwnershipControls("artifacts-ownership", bucket=artifacts.id, rule={"object_ownership": "ObjectWriter"})
aws.s3.BucketPublicAccessBlock("artifacts-block", bucket=artifacts.id, block_public_acls=True,
    block_public_policy=True, ignore_public_acls=True, restrict_public_buckets=False)
'''


def test_bkt001_bkt002_pulumi(tmp_path):
    assert gate_rows(tmp_path, PULUMI_AWS, "pulumi_aws") == [
        ("BKT-001", "failed", "legacy", 3),
        ("BKT-002", "failed", "legacy", 3),
        ("BKT-001", "failed", "artifacts", 4),
        ("BKT-002", "failed", "artifacts-acl", 5),
        ("BKT-002", "failed", "artifacts-ownership", 9),
    ]
