"""HCL references link resources: the same module called twice creates same-named resources, and
each keeps its own satellites (the evaluator keeps which resource a known name comes from)."""

from __future__ import annotations

import datetime as dt

import hcl_scanner
from rulebook.engine import evaluate
from rulebook.model import Linked
from rulebook.rules import REGISTRY

MODULE = '''
variable "block" { type = bool }
resource "aws_s3_bucket" "b" { bucket = "same-name" }
resource "aws_s3_bucket_public_access_block" "b" {
  bucket                  = aws_s3_bucket.b.bucket
  block_public_acls       = var.block
  block_public_policy     = var.block
  ignore_public_acls      = var.block
  restrict_public_buckets = var.block
}
'''


def test_same_named_buckets_of_two_module_calls_keep_their_own_blocks(tmp_path):
    root = tmp_path / "root"
    (root / "m").mkdir(parents=True)
    (root / "m" / "main.tf").write_text(MODULE)
    (root / "main.tf").write_text('module "open" {\n  source = "./m"\n  block = false\n}\n'
                                  'module "shut" {\n  source = "./m"\n  block = true\n}\n')
    result = hcl_scanner.scan([str(root)])
    [inventory] = [inv for inv, shown in zip(result.inventories, result.inventory_roots)
                   if shown not in result.module_defaults]  # not ./m checked on its own defaults
    block = inventory.by_address("module.shut.aws_s3_bucket_public_access_block.b")
    assert isinstance(block.props["bucket"], Linked)
    assert block.props["bucket"].targets == ("module.shut.aws_s3_bucket.b",)
    findings = evaluate(inventory, rules=[REGISTRY["BKT-001"]], today=dt.date(2026, 11, 25))
    assert [(f.status.value, f.resource) for f in findings] == [("failed", "module.open.aws_s3_bucket.b")]


CALLER_ROOT = '''
data "aws_caller_identity" "current" {}
resource "aws_ecr_repository" "app" {
  name                 = "app"
  image_tag_mutability = "IMMUTABLE"
}
resource "aws_ecr_repository_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = ["ecr:BatchGetImage", "ecr:PutImage"]
    }]
  })
}
'''


def test_a_principal_built_from_the_caller_identity_is_the_deployment_account(tmp_path):
    (tmp_path / "main.tf").write_text(CALLER_ROOT)
    [inventory] = hcl_scanner.scan([str(tmp_path)]).inventories
    findings = evaluate(inventory, rules=[REGISTRY["REG-007"]], today=dt.date(2026, 11, 25))
    assert [(f.status.value, f.resource) for f in findings] == []  # same account: nothing to report
    (tmp_path / "main.tf").write_text(CALLER_ROOT.replace('data "aws_caller_identity" "current" {}', ""))
    [inventory] = hcl_scanner.scan([str(tmp_path)]).inventories
    findings = evaluate(inventory, rules=[REGISTRY["REG-007"]], today=dt.date(2026, 11, 25))
    assert [(f.status.value, f.resource) for f in findings] == [("unknown", "aws_ecr_repository_policy.app")]
