"""A pull request that declares thousands of satellites (public access blocks, network rules, bucket
policies) whose owner is not known would make every owner compare every satellite: N x M work and
memory. Past MAX_POSSIBLE candidates an owner is not compared one by one; its rules report UNKNOWN
naming the count, so the scan stays linear and nothing passes silently."""

from __future__ import annotations

import hcl_scanner
from rulebook.config import Config
from rulebook.engine import evaluate
from rulebook.rules import REGISTRY
from rulebook.rules.helpers import MAX_POSSIBLE

CROWD = MAX_POSSIBLE + 1
HCL = f'''variable "owner" {{}}
resource "aws_s3_bucket" "b" {{
  bucket = "acme-artifacts"
}}
resource "aws_s3_bucket_public_access_block" "p" {{
  count                   = {CROWD}
  bucket                  = var.owner
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}}
resource "aws_s3_bucket_policy" "p" {{
  count  = {CROWD}
  bucket = var.owner
  policy = jsonencode({{ Version = "2012-10-17", Statement = [] }})
}}
resource "azurerm_storage_account" "a" {{
  name = "acmeartifacts"
}}
resource "azurerm_storage_account" "z" {{
  name = "acmecache"
}}
resource "azurerm_storage_account_network_rules" "r" {{
  count              = {CROWD}
  storage_account_id = var.owner
  default_action     = "Deny"
}}
'''


def test_an_owner_with_too_many_possible_satellites_is_unknown_with_the_count(tmp_path):
    (tmp_path / "main.tf").write_text(HCL)
    result = hcl_scanner.scan([str(tmp_path)], repo_root=str(tmp_path))
    assert result.errors == []
    [inventory] = result.inventories
    rules = [REGISTRY[r] for r in ("BKT-001", "BKT-004", "BKT-005")]
    found = [(f.rule_id, f.status.value, f.resource, f.line, f.message)
             for f in evaluate(inventory, Config(), rules=rules)]
    crowd = (f"{CROWD} resources whose link is not decided may belong to it, more than the {MAX_POSSIBLE} "
             f"cicd-guard compares one by one")
    assert found == [
        ("BKT-001", "unknown", "aws_s3_bucket.b", 2,
         f"cannot decide which public access block protects it: {crowd}"),
        ("BKT-004", "unknown", "aws_s3_bucket.b", 2,
         f"cannot decide whether its policy refuses access from outside the CI network: which bucket policy "
         f"governs it: {crowd}"),
        ("BKT-005", "unknown", "azurerm_storage_account.a", 18,
         f"cannot decide which network rules apply to it: {crowd}"),
        ("BKT-005", "unknown", "azurerm_storage_account.z", 21,
         f"cannot decide which network rules apply to it: {crowd}"),
    ]


def test_a_message_names_the_first_five_possible_satellites_and_counts_the_rest(tmp_path):
    """A verdict that holds whichever of many satellites applies names five of them: the message (and the
    report, and the time redaction takes over it) stays short however many a pull request declares."""
    (tmp_path / "main.tf").write_text('''variable "owner" {}
resource "aws_s3_bucket" "b" {
  bucket = "acme-artifacts"
}
resource "aws_s3_bucket_public_access_block" "p" {
  count  = 7
  bucket = var.owner
}
resource "azurerm_storage_account" "a" {
  name = "acmeartifacts"
}
resource "azurerm_storage_account_network_rules" "r" {
  count              = 7
  storage_account_id = var.owner
  default_action     = "Allow"
}
''')
    [inventory] = hcl_scanner.scan([str(tmp_path)], repo_root=str(tmp_path)).inventories
    rules = [REGISTRY[r] for r in ("BKT-001", "BKT-005")]
    found = [(f.rule_id, f.status.value, f.message) for f in evaluate(inventory, Config(), rules=rules)]
    blocks = ", ".join(f"aws_s3_bucket_public_access_block.p[{i}]" for i in range(5)) + ", ... (7 in all)"
    network = ", ".join(f"azurerm_storage_account_network_rules.r[{i}]" for i in range(5)) + ", ... (7 in all)"
    flags = "block_public_acls, block_public_policy, ignore_public_acls, restrict_public_buckets"
    assert found == [
        ("BKT-001", "failed", f"no public access block that may belong to this bucket ({blocks}) sets every flag "
                              f"to true ({flags} not true)"),
        ("BKT-005", "failed", f"storage account acmeartifacts accepts traffic from outside the CI network whichever "
                              f"network rules apply (its own, or {network})"),
    ]
