"""data "aws_iam_policy_document" rendered like the AWS provider, and followed wherever `.json` goes."""

from __future__ import annotations

from rulebook.model import Ref
from rulebook.unknown import Unknown

from hcl_helpers import scan_text

DOCS = '''
variable "repos" { default = ["app", "web"] }
variable "unknown_list" {}

resource "aws_ecr_repository" "app" { name = "app" }
resource "aws_iam_role" "deploy" { name = "deploy" }

data "aws_iam_policy_document" "base" {
  statement {
    sid       = "Pull"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]
    resources = [aws_ecr_repository.app.arn]
  }
  statement {
    sid       = "Auth"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "full" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  override_policy_documents = [jsonencode({
    Statement = [{ Sid = "Auth", Effect = "Deny", Action = "ecr:GetAuthorizationToken", Resource = "*" }]
  })]
  statement {
    sid    = "Pull"
    effect = "Allow"
    actions = ["ecr:BatchGetImage"]
    resources = ["arn:aws:ecr:eu-west-1:111122223333:repository/app"]
  }
  statement {
    effect = "Deny"
    not_actions = ["ecr:BatchGetImage"]
    resources = ["*"]
    condition {
      test     = "StringNotEquals"
      variable = "aws:SourceVpce"
      values   = ["vpce-1"]
    }
    condition {
      test     = "StringNotEquals"
      variable = "aws:SourceVpc"
      values   = ["vpc-1", "vpc-2"]
    }
  }
  dynamic "statement" {
    for_each = var.repos
    content {
      actions   = ["ecr:PutImage"]
      resources = ["arn:aws:ecr:*:*:repository/${statement.value}"]
      principals {
        type        = "AWS"
        identifiers = [aws_iam_role.deploy.arn]
      }
      not_principals {
        type        = "AWS"
        identifiers = ["arn:aws:iam::999999999999:root"]
      }
    }
  }
}

data "aws_iam_policy_document" "anyone" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "*"
      identifiers = ["*"]
    }
  }
}

data "aws_iam_policy_document" "dyn_unknown" {
  dynamic "statement" {
    for_each = var.unknown_list
    content { actions = ["s3:GetObject"] }
  }
}

resource "aws_iam_policy" "p" {
  name   = "p"
  policy = data.aws_iam_policy_document.full.json
}

resource "aws_ecr_repository_policy" "rp" {
  repository = aws_ecr_repository.app.name
  policy     = data.aws_iam_policy_document.anyone.json
}

resource "aws_iam_role_policy" "u" {
  role   = aws_iam_role.deploy.name
  policy = data.aws_iam_policy_document.dyn_unknown.json
}
'''


def test_policy_document_rendering_and_merging(tmp_path):
    attrs, result = scan_text(tmp_path, DOCS)
    assert result.errors == []
    assert attrs["aws_iam_policy.p"]["policy"] == {
        "Version": "2012-10-17",
        "Statement": [
            {"Sid": "Pull", "Effect": "Allow", "Action": "ecr:BatchGetImage",
             "Resource": "arn:aws:ecr:eu-west-1:111122223333:repository/app"},
            {"Sid": "Auth", "Effect": "Deny", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
            {"Effect": "Deny", "NotAction": "ecr:BatchGetImage", "Resource": "*",
             "Condition": {"StringNotEquals": {"aws:SourceVpce": "vpce-1", "aws:SourceVpc": ["vpc-1", "vpc-2"]}}},
            {"Effect": "Allow", "Action": "ecr:PutImage", "Resource": "arn:aws:ecr:*:*:repository/app",
             "Principal": {"AWS": Ref("aws_iam_role.deploy", "arn")},
             "NotPrincipal": {"AWS": "arn:aws:iam::999999999999:root"}},
            {"Effect": "Allow", "Action": "ecr:PutImage", "Resource": "arn:aws:ecr:*:*:repository/web",
             "Principal": {"AWS": Ref("aws_iam_role.deploy", "arn")},
             "NotPrincipal": {"AWS": "arn:aws:iam::999999999999:root"}},
        ],
    }


def test_source_document_keeps_refs(tmp_path):
    attrs, _ = scan_text(tmp_path, DOCS)
    base = attrs["data.aws_iam_policy_document.base"]["json"]
    assert base["Statement"][0] == {"Sid": "Pull", "Effect": "Allow",
                                    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                                    "Resource": Ref("aws_ecr_repository.app", "arn")}


def test_wildcard_principal_and_unknown_dynamic_statements(tmp_path):
    attrs, _ = scan_text(tmp_path, DOCS)
    assert attrs["aws_ecr_repository_policy.rp"]["policy"]["Statement"] == [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": "*"}]
    assert attrs["aws_iam_role_policy.u"]["policy"]["Statement"] == Unknown(
        "dynamic statement blocks: for_each is unknown (variable unknown_list has no value (no default, "
        "not set in tfvars, --var-file or TF_VAR_unknown_list))")
