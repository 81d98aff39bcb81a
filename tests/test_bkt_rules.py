"""BKT-001..BKT-006: every case of the artifact-storage issue as exact (rule, status, resource, line) rows,
through the Terraform scanner and through the real Pulumi pack (the gate), plus the semantics tables
over model resources."""

from __future__ import annotations

import importlib.util
import json
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


def gate_rows(tmp_path: Path, code: str, sdk: str, rule_ids=BKT, config: dict | None = None) -> list[tuple]:
    if importlib.util.find_spec(sdk) is None:
        pytest.skip(f"{sdk} is not installed")
    from preview_gate import run_gate

    (tmp_path / "__main__.py").write_text(code.lstrip("\n"))
    (tmp_path / "Pulumi.yaml").write_text("name: bkt-cases\nruntime: python\n")
    others = {r: "disabled" for r in REGISTRY if r not in rule_ids}
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
    assert gate_rows(tmp_path, PULUMI_AZURE, "pulumi_azure_native", ["BKT-005", "BKT-006"],
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
    assert gate_rows(tmp_path, PULUMI_AWS, "pulumi_aws", ["BKT-001", "BKT-002"]) == [
        ("BKT-001", "failed", "legacy", 3),
        ("BKT-002", "failed", "legacy", 3),
        ("BKT-001", "failed", "artifacts", 4),
        ("BKT-002", "failed", "artifacts-acl", 5),
        ("BKT-002", "failed", "artifacts-ownership", 9),
    ]


# --- BKT-003: public bucket policies -------------------------------------------------------------------

def statement(effect="Allow", principal="*", action="s3:GetObject", condition=None, **extra):
    out = {"Effect": effect, "Principal": principal, "Action": action, "Resource": "arn:aws:s3:::acme/*", **extra}
    if condition is not None:
        out["Condition"] = condition
    return out


def bucket_policy(*statements, line=5, bucket="acme"):
    return make("aws.s3.bucket_policy", "aws_s3_bucket_policy.p", line, bucket=bucket,
                policy={"Version": "2012-10-17", "Statement": list(statements)})


@pytest.mark.parametrize("stmt, status", [
    (statement(principal="*"), "failed"),
    (statement(principal={"AWS": "*"}), "failed"),
    (statement(principal={"AWS": ["*"]}), "failed"),
    (statement(principal={"AWS": "arn:aws:iam::111122223333:role/ci"}), None),
    (statement(condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}}), None),
    (statement(condition={"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}), None),
    (statement(condition={"IpAddress": {"aws:SourceIp": "10.42.0.0/16"}}), None),
    (statement(condition={"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}), "failed"),  # negated on an Allow
    (statement(condition={"StringEqualsIfExists": {"aws:SourceVpce": "vpce-1"}}), "failed"),
    (statement(condition={"StringLike": {"aws:SourceVpce": "*"}}), "failed"),
    (statement(condition={"Bool": {"aws:SecureTransport": "true"}}), "failed"),
    (statement(condition={"StringEquals": {"aws:VpceAccount": "111122223333"}}), None),
    (statement(condition={"StringLike": {"aws:userid": "AROAEXAMPLE1234567890"}}), None),
    (statement(condition={"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::111122223333:user/x"}}), "failed"),
    (statement(condition={"StringEquals": {"s3:prefix": "builds/"}}), "unknown"),  # a key the analyzer cannot read
    (statement(condition={"StringEquals": {"aws:SourceVpce": Unknown("var.vpce has no value")}}), "unknown"),
    (statement(principal={"AWS": Unknown("var.principal has no value")}), "unknown"),
    (statement(effect="Deny"), None),
])
def test_bkt003_semantics(stmt, status):
    assert [f[1] for f in judge(["BKT-003"], bucket_policy(stmt))] == ([status] if status else [])


def test_bkt003_message_says_why_a_condition_does_not_bound():
    found = evaluate(Inventory([bucket_policy(statement(Sid="Ci", condition={
        "StringNotEquals": {"aws:SourceVpce": "vpce-1"}}))]), Config(), rules=[REGISTRY["BKT-003"]])
    assert [f.message for f in found] == [
        "statement 'Ci' of the bucket policy allows everyone (Principal *) s3:GetObject without a condition that "
        "bounds the callers (organisation, VPC endpoint, network, account): StringNotEquals on aws:SourceVpce admits "
        "every caller outside its values"]


TF_POLICIES = '''
resource "aws_s3_bucket" "a" {
  bucket = "acme-a"
}

resource "aws_s3_bucket_policy" "jsonencode" {
  bucket = aws_s3_bucket.a.id
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "${aws_s3_bucket.a.arn}/*" }]
  })
}

resource "aws_s3_bucket_policy" "heredoc" {
  bucket = aws_s3_bucket.a.id
  policy = <<POLICY
{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::acme-a/*"}]}
POLICY
}

data "aws_iam_policy_document" "public" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::acme-a/*"]
    principals {
      type        = "AWS"
      identifiers = ["*"]
    }
  }
}

resource "aws_s3_bucket_policy" "document" {
  bucket = aws_s3_bucket.a.id
  policy = data.aws_iam_policy_document.public.json
}

data "aws_iam_policy_document" "endpoint" {
  statement {
    actions   = ["s3:GetObject"]
    resources = ["arn:aws:s3:::acme-a/*"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceVpce"
      values   = ["vpce-0a1b2c3d4e5f67890"]
    }
  }
}

resource "aws_s3_bucket_policy" "endpoint" {
  bucket = aws_s3_bucket.a.id
  policy = data.aws_iam_policy_document.endpoint.json
}

resource "aws_s3_bucket" "legacy" {
  bucket = "acme-legacy"
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = { AWS = ["*"] }, Action = "s3:*", Resource = "arn:aws:s3:::acme-legacy/*" }]
  })
}

resource "aws_s3_access_point" "ap" {
  bucket = aws_s3_bucket.a.id
  name   = "ci"
}

resource "aws_s3control_access_point_policy" "ap" {
  access_point_arn = aws_s3_access_point.ap.arn
  policy = jsonencode({
    Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "${aws_s3_access_point.ap.arn}/object/*" }]
  })
}
'''


def test_bkt003_terraform_policy_forms(tmp_path):
    assert tf_rows(tmp_path, TF_POLICIES, ["BKT-003"]) == [
        ("BKT-003", "failed", "aws_s3_bucket_policy.jsonencode", 6),
        ("BKT-003", "failed", "aws_s3_bucket_policy.heredoc", 13),
        ("BKT-003", "failed", "aws_s3_bucket_policy.document", 31),
        ("BKT-003", "failed", "aws_s3_bucket.legacy", 57),
        ("BKT-003", "failed", "aws_s3control_access_point_policy.ap", 69),
    ]


# --- BKT-004: artifact buckets refuse access from outside the CI network --------------------------------

def deny(action="s3:*", condition=None, **extra):
    return statement(effect="Deny", action=action, condition=condition, **extra)


VPCE = {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}
BUCKET = make("aws.s3.bucket", "aws_s3_bucket.a", 1, bucket="acme")
ENDPOINT = make("aws.ec2.vpc_endpoint", "aws_vpc_endpoint.s3", 20, vpc_id="vpc-ci",
                service_name="com.amazonaws.eu-west-1.s3")
ENDPOINT_REF = {"StringNotEquals": {"aws:SourceVpce": Ref("aws_vpc_endpoint.s3", "id")}}


@pytest.mark.parametrize("statements, config, status", [
    ([], {}, "failed"),
    ([deny(condition=VPCE)], {}, None),
    ([deny(condition={"StringNotEquals": {"aws:sourcevpce": "vpce-1"}})], {}, None),  # keys are case-insensitive
    ([deny(action="s3:GetObject", condition=VPCE)], {}, "failed"),  # writes stay open
    ([deny(action="s3:GetObject", condition=VPCE), deny(action="s3:Put*", condition=VPCE)], {}, None),
    ([deny(condition={"StringNotEquals": {"aws:SourceVpc": "vpc-ci"}})], {}, None),
    ([deny(condition={"NotIpAddress": {"aws:SourceIp": ["10.42.0.0/16"]}})], {}, None),
    ([deny(condition={"NotIpAddress": {"aws:SourceIp": ["0.0.0.0/0"]}})], {}, "failed"),
    ([deny(condition={"StringNotEqualsIfExists": {"aws:SourceVpce": "vpce-1"}})], {}, None),
    ([deny(condition={"StringNotLike": {"aws:SourceVpce": "vpce-*"}})], {}, "failed"),  # any endpoint
    ([deny(condition={"StringEquals": {"aws:SourceVpce": "vpce-1"}})], {}, "failed"),  # denies the CI network
    ([deny(condition={**VPCE, "Bool": {"aws:SecureTransport": "false"}})], {}, "failed"),  # TLS callers escape
    ([deny()], {}, "failed"),  # no network exception: denies everyone, still not "the CI network only"
    ([deny(condition=VPCE, principal={"AWS": "arn:aws:iam::111122223333:role/x"})], {}, "failed"),
    ([deny(condition=VPCE, Resource="arn:aws:s3:::acme")], {}, "failed"),  # the bucket, not its objects
    ([statement(condition=VPCE)], {}, "failed"),  # an Allow refuses nothing
    ([deny(condition=VPCE)], {"aws_vpc_endpoint_ids": ("vpce-1",)}, None),
    ([deny(condition=VPCE)], {"aws_vpc_endpoint_ids": ("vpce-2",)}, "failed"),
    ([deny(condition={"NotIpAddress": {"aws:SourceIp": ["198.51.100.0/24"]}})], {"cidrs": ("10.42.0.0/16",)},
     "failed"),
    ([deny(condition={"StringNotEquals": {"aws:SourceVpc": "vpc-dev"}})], {"aws_vpc_ids": ("vpc-ci",)}, "failed"),
    ([deny(condition=ENDPOINT_REF)], {}, None),
    ([deny(condition=ENDPOINT_REF)], {"aws_vpc_ids": ("vpc-ci",)}, None),
    ([deny(condition=ENDPOINT_REF)], {"aws_vpc_ids": ("vpc-dev",)}, "failed"),
    ([deny(condition=ENDPOINT_REF)], {"aws_vpc_endpoint_ids": ("vpce-1",)}, "unknown"),
    ([deny(condition={"StringNotEquals": {"aws:SourceVpce": Unknown("var.vpce has no value")}})], {}, "unknown"),
])
def test_bkt004_semantics(statements, config, status):
    resources = [BUCKET, ENDPOINT] + ([bucket_policy(*statements)] if statements else [])
    assert [f[1] for f in judge(["BKT-004"], *resources, **config)] == ([status] if status else [])


def test_bkt004_messages():
    reads = evaluate(Inventory([BUCKET, bucket_policy(deny(action="s3:GetObject", condition=VPCE))]), Config(),
                     rules=[REGISTRY["BKT-004"]])
    assert [f.message for f in reads] == [
        "bucket acme refuses only object reads from outside the CI network: writes stay open"]
    outside = evaluate(Inventory([BUCKET, bucket_policy(deny(condition=VPCE, Sid="Ci"))]),
                       Config(aws_vpc_endpoint_ids=("vpce-2",)), rules=[REGISTRY["BKT-004"]])
    assert [f.message for f in outside] == [
        "bucket acme admits aws:SourceVpce vpce-1 (statement 'Ci'), outside the configured CI network"]


def test_bkt004_artifact_selector_by_name_and_tag():
    logs = make("aws.s3.bucket", "aws_s3_bucket.logs", 1, bucket="acme-logs")
    ci = make("aws.s3.bucket", "aws_s3_bucket.ci", 5, bucket="acme-ci-artifacts")
    tagged = make("aws.s3.bucket", "aws_s3_bucket.tagged", 9, bucket="other")
    tagged.tags = {"purpose": "artifacts"}
    assert judge(["BKT-004"], logs, ci, tagged, artifact_bucket_names=("acme-ci-*",)) == [
        ("BKT-004", "failed", "aws_s3_bucket.ci", "high")]
    assert judge(["BKT-004"], logs, ci, tagged, artifact_bucket_tags={"purpose": "artifacts"}) == [
        ("BKT-004", "failed", "aws_s3_bucket.tagged", "high")]


TF_NETWORK = '''
resource "aws_vpc_endpoint" "s3" {
  vpc_id       = "vpc-ci"
  service_name = "com.amazonaws.eu-west-1.s3"
}

resource "aws_s3_bucket" "endpoint" {
  bucket = "acme-ci-endpoint"
}

resource "aws_s3_bucket_policy" "endpoint" {
  bucket = aws_s3_bucket.endpoint.id
  policy = jsonencode({
    Statement = [{
      Effect = "Deny", Principal = "*", Action = "s3:*", Resource = "${aws_s3_bucket.endpoint.arn}/*"
      Condition = { StringNotEquals = { "aws:sourcevpce" = aws_vpc_endpoint.s3.id } }
    }]
  })
}

resource "aws_s3_bucket" "reads" {
  bucket = "acme-ci-reads"
}

resource "aws_s3_bucket_policy" "reads" {
  bucket = aws_s3_bucket.reads.id
  policy = jsonencode({
    Statement = [{
      Effect = "Deny", Principal = { AWS = "*" }, Action = "s3:GetObject", Resource = "${aws_s3_bucket.reads.arn}/*"
      Condition = { StringNotEquals = { "aws:SourceVpc" = "vpc-ci" } }
    }]
  })
}

resource "aws_s3_bucket" "ranges" {
  bucket = "acme-ci-ranges"
}

resource "aws_s3_bucket_policy" "ranges" {
  bucket = aws_s3_bucket.ranges.id
  policy = jsonencode({
    Statement = [{
      Effect = "Deny", Principal = "*", Action = ["s3:GetObject", "s3:PutObject"], Resource = "arn:aws:s3:::acme-ci-ranges/*"
      Condition = { NotIpAddress = { "aws:SourceIp" = ["10.42.0.0/16", "198.51.100.0/24"] } }
    }]
  })
}

resource "aws_s3_bucket" "logs" {
  bucket = "acme-logs"
}
'''


def test_bkt004_terraform(tmp_path):
    config = {"aws_vpc_ids": ("vpc-ci",), "cidrs": ("10.42.0.0/16",), "artifact_bucket_names": ("acme-ci-*",)}
    assert tf_rows(tmp_path, TF_NETWORK, ["BKT-004"], **config) == [
        ("BKT-004", "failed", "aws_s3_bucket.reads", 21),
        ("BKT-004", "failed", "aws_s3_bucket.ranges", 35),
    ]
    assert tf_rows(tmp_path, TF_NETWORK, ["BKT-004"], artifact_bucket_names=("acme-ci-*",)) == [
        ("BKT-004", "failed", "aws_s3_bucket.reads", 21),
    ]


PULUMI_POLICIES = '''
import json
import pulumi
import pulumi_aws as aws

endpoint = aws.ec2.VpcEndpoint("s3", vpc_id="vpc-ci", service_name="com.amazonaws.eu-west-1.s3")
ok = aws.s3.Bucket("ok", bucket="acme-ci-ok")
aws.s3.BucketPolicy("ok", bucket=ok.id, policy=pulumi.Output.all(ok.arn, endpoint.id).apply(lambda a: json.dumps({
    "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": f"{a[0]}/*",
                   "Condition": {"StringNotEquals": {"aws:SourceVpce": a[1]}}}]})))
public = aws.s3.Bucket("public", bucket="acme-ci-public")
aws.s3.BucketPolicy("public", bucket=public.id, policy=json.dumps({
    "Statement": [{"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:GetObject",
                   "Resource": "arn:aws:s3:::acme-ci-public/*"}]}))
aws.s3.AccountPublicAccessBlock("account", block_public_acls=True, block_public_policy=True,
    ignore_public_acls=True, restrict_public_buckets=True)
aws.s3.Bucket("legacy", bucket="acme-ci-legacy", policy=json.dumps({
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                   "Resource": "arn:aws:s3:::acme-ci-legacy/*",
                   "Condition": {"StringEquals": {"aws:SourceVpce": "vpce-0a1b2c3d4e5f67890"}}},
                  {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::acme-ci-legacy/*",
                   "Condition": {"NotIpAddress": {"aws:SourceIp": "0.0.0.0/0"}}}]}))
'''


def test_bkt003_bkt004_pulumi(tmp_path):
    """BKT-001 passes every bucket: the account-level block covers them all."""
    assert gate_rows(tmp_path, PULUMI_POLICIES, "pulumi_aws", ["BKT-001", "BKT-003", "BKT-004"],
                     {"ci_network": {"aws_vpc_ids": ["vpc-ci"]}}) == [
        ("BKT-004", "failed", "public", 10),
        ("BKT-003", "failed", "public (aws:s3/bucketPolicy:BucketPolicy)", 11),
        ("BKT-004", "failed", "legacy", 16),
    ]


# --- a `terraform show -json` plan: the same adapter table, values as the plan gives them ------------------

def _plan_resource(tf_type: str, name: str, values: dict) -> tuple[dict, dict]:
    address = f"{tf_type}.{name}"
    planned = {"address": address, "mode": "managed", "type": tf_type, "name": name,
               "provider_name": "registry.terraform.io/hashicorp/aws", "schema_version": 0, "values": values}
    change = {"address": address, "mode": "managed", "type": tf_type, "name": name,
              "provider_name": "registry.terraform.io/hashicorp/aws",
              "change": {"actions": ["create"], "before": None, "after": values, "after_unknown": {}}}
    return planned, change


PLAN_RESOURCES = [
    ("aws_s3_bucket", "art", {"bucket": "acme-ci-art", "acl": None, "grant": [], "policy": None}),
    ("aws_s3_bucket_policy", "art", {"bucket": "acme-ci-art", "policy": json.dumps({"Statement": [
        {"Effect": "Deny", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::acme-ci-art/*",
         "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1"}}},
        {"Effect": "Allow", "Principal": {"AWS": ["*"]}, "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::acme-ci-art/*"}]})}),
    ("aws_security_group", "ci", {"name": "ci", "vpc_id": "vpc-1", "ingress": [
        {"from_port": 22, "to_port": 22, "protocol": "tcp", "cidr_blocks": [], "ipv6_cidr_blocks": ["::/0"],
         "prefix_list_ids": [], "security_groups": [], "self": False, "description": ""}], "egress": []}),
    ("azurerm_storage_account", "sa", {"name": "acmeci", "public_network_access_enabled": True,
                                       "allow_nested_items_to_be_public": False, "network_rules": []}),
    ("azurerm_storage_account_network_rules", "sa", {"storage_account_id": "/sa/acmeci", "default_action": "Deny",
                                                     "ip_rules": ["0.0.0.0/0"], "virtual_network_subnet_ids": []}),
]


def test_plan_json(tmp_path):
    from hcl_scanner import scan

    pairs = [_plan_resource(*r) for r in PLAN_RESOURCES]
    pairs[3][0]["values"]["id"] = "/sa/acmeci"  # the account's id, as a refreshed plan knows it
    plan = {"format_version": "1.2", "terraform_version": "1.9.5",
            "planned_values": {"root_module": {"resources": [p for p, _ in pairs]}},
            "resource_changes": [c for _, c in pairs]}
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    result = scan([], plans=[str(path)])
    assert result.errors == []
    rules = [REGISTRY[r] for r in BKT + ["NET-001"] if r != "BKT-001"]
    findings = [f for inv in result.inventories for f in evaluate(inv, Config(), rules=rules)]
    assert sorted((f.rule_id, f.status.value, f.resource) for f in findings) == [
        ("BKT-003", "failed", "aws_s3_bucket_policy.art"),
        ("BKT-004", "failed", "aws_s3_bucket.art"),  # reads only: writes stay open
        ("BKT-005", "failed", "azurerm_storage_account.sa"),  # the separate rules admit 0.0.0.0/0
        ("NET-001", "failed", "aws_security_group.ci"),
    ]


def test_bkt004_a_policy_that_may_govern_the_bucket_matters_only_when_it_could_change_the_verdict():
    twins = [make("aws.s3.bucket", f"module.{m}.aws_s3_bucket.b", 1, bucket="same") for m in ("a", "b")]
    no_network = bucket_policy(statement(), bucket="same")
    assert [f[1] for f in judge(["BKT-004"], *twins, no_network)] == ["failed", "failed"]
    network = bucket_policy(deny(condition=VPCE), bucket="same")
    found = evaluate(Inventory([*twins, network]), Config(), rules=[REGISTRY["BKT-004"]])
    assert [(f.status.value, f.resource) for f in found] == [("unknown", t.address) for t in twins]
    assert "whether aws_s3_bucket_policy.p governs it" in found[0].message
