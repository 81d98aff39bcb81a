"""A realistic Terraform corpus: CI/CD platform stacks with modules, for_each, policy documents,
jsonencode policies and dynamic blocks. Deterministic, so runs are comparable."""

from __future__ import annotations

import shutil
from pathlib import Path

REGISTRY_MODULE = '''variable "name" {
  type = string
}

variable "repositories" {
  type    = set(string)
  default = []
}

variable "pusher_arns" {
  type    = list(string)
  default = []
}

variable "tags" {
  type    = map(string)
  default = {}
}

resource "aws_ecr_repository" "this" {
  for_each             = var.repositories
  name                 = "${var.name}/${each.key}"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  tags = merge(var.tags, { Repository = each.key })
}

data "aws_iam_policy_document" "repo" {
  for_each = var.repositories

  statement {
    sid    = "Pull"
    effect = "Allow"
    actions = [
      "ecr:BatchGetImage",
      "ecr:GetDownloadUrlForLayer",
      "ecr:BatchCheckLayerAvailability",
    ]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = ["o-abc123"]
    }
  }

  dynamic "statement" {
    for_each = length(var.pusher_arns) > 0 ? [1] : []
    content {
      sid     = "Push"
      effect  = "Allow"
      actions = ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"]
      principals {
        type        = "AWS"
        identifiers = var.pusher_arns
      }
    }
  }
}

resource "aws_ecr_repository_policy" "this" {
  for_each   = var.repositories
  repository = aws_ecr_repository.this[each.key].name
  policy     = data.aws_iam_policy_document.repo[each.key].json
}

output "repository_arns" {
  value = [for r in aws_ecr_repository.this : r.arn]
}
'''

BUCKET_MODULE = '''variable "bucket" {
  type = string
}

variable "vpce_id" {
  type = string
}

resource "aws_s3_bucket" "this" {
  bucket = var.bucket
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "DenyOutsideVpce"
        Effect    = "Deny"
        Principal = "*"
        Action    = ["s3:GetObject", "s3:PutObject"]
        Resource  = ["${aws_s3_bucket.this.arn}/*"]
        Condition = {
          StringNotEquals = { "aws:SourceVpce" = var.vpce_id }
        }
      },
    ]
  })
}

output "arn" {
  value = aws_s3_bucket.this.arn
}
'''


def _stack(i: int) -> str:
    """One CI/CD stack of about 1,250 lines."""
    env = ("dev", "test", "prod")[i % 3]
    parts = [f'''terraform {{
  required_version = ">= 1.5"
}}

variable "env" {{
  type    = string
  default = "{env}"
}}

variable "services" {{
  type    = list(string)
  default = ["api", "web", "worker", "jobs"]
}}

locals {{
  prefix = "team{i}-${{var.env}}"
  tags = {{
    Team        = "team{i}"
    Environment = var.env
    ManagedBy   = "terraform"
  }}
  ci_ranges = ["10.{i % 250}.0.0/16", "10.{(i + 1) % 250}.0.0/16"]
  ingress = {{
    https = {{ port = 443, cidrs = local.ci_ranges }}
    ssh   = {{ port = 22, cidrs = ["10.0.0.0/8"] }}
  }}
}}

resource "aws_iam_openid_connect_provider" "github" {{
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}}

module "registry" {{
  source       = "../modules/registry"
  name         = local.prefix
  repositories = toset(var.services)
  pusher_arns  = [aws_iam_role.deploy["api"].arn]
  tags         = local.tags
}}

module "artifacts" {{
  source  = "../modules/bucket"
  bucket  = "${{local.prefix}}-artifacts"
  vpce_id = "vpce-0a1b2c3d{i:04d}"
}}
''']
    for j in range(14):
        svc = f"svc{j}"
        parts.append(f'''
data "aws_iam_policy_document" "trust_{svc}" {{
  statement {{
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {{
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }}
    condition {{
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }}
    condition {{
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:example-org/team{i}-{svc}:environment:${{var.env}}"]
    }}
  }}
}}

resource "aws_iam_role" "deploy_{svc}" {{
  name               = "${{local.prefix}}-{svc}-deploy"
  assume_role_policy = data.aws_iam_policy_document.trust_{svc}.json
  tags               = merge(local.tags, {{ "cicd-stage" = "deploy" }})
}}

resource "aws_iam_role_policy" "push_{svc}" {{
  name = "push"
  role = aws_iam_role.deploy_{svc}.name
  policy = jsonencode({{
    Version = "2012-10-17"
    Statement = [
      {{
        Effect   = "Allow"
        Action   = ["ecr:GetAuthorizationToken"]
        Resource = "*"
      }},
      {{
        Effect = "Allow"
        Action = [
          "ecr:BatchCheckLayerAvailability",
          "ecr:PutImage",
          "ecr:InitiateLayerUpload",
          "ecr:UploadLayerPart",
          "ecr:CompleteLayerUpload",
        ]
        Resource = [for arn in module.registry.repository_arns : arn]
      }},
      {{
        Effect   = "Deny"
        Action   = ["ecr:DescribeRepositories", "ecr:DescribeRegistry"]
        Resource = "*"
      }},
    ]
  }})
}}

resource "aws_security_group" "runner_{svc}" {{
  name        = "${{local.prefix}}-{svc}-runner"
  description = "CI runners for {svc}"
  vpc_id      = "vpc-0123456789abcdef0"

  dynamic "ingress" {{
    for_each = local.ingress
    content {{
      description = ingress.key
      from_port   = ingress.value.port
      to_port     = ingress.value.port
      protocol    = "tcp"
      cidr_blocks = ingress.value.cidrs
    }}
  }}

  egress {{
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }}

  tags = local.tags
}}

resource "aws_instance" "runner_{svc}" {{
  count         = var.env == "prod" ? 2 : 1
  ami           = "ami-0abcdef1234567890"
  instance_type = "t3.large"
  user_data     = <<-EOT
    #!/bin/bash
    echo "runner ${{count.index}} for {svc}" > /etc/motd
  EOT

  metadata_options {{
    http_tokens   = "required"
    http_endpoint = "enabled"
  }}

  vpc_security_group_ids = [aws_security_group.runner_{svc}.id]
  tags                   = merge(local.tags, {{ Name = "${{local.prefix}}-{svc}-${{count.index}}" }})
}}
''')
    parts.append('''
resource "aws_iam_role" "deploy" {
  for_each           = toset(var.services)
  name               = "${local.prefix}-${each.key}"
  assume_role_policy = data.aws_iam_policy_document.trust_svc0.json
}
''')
    return "".join(parts)


def generate(out: Path, min_lines: int = 50_000) -> tuple[int, int]:
    """Write the corpus under `out` (replaced); -> (files, lines)."""
    if out.exists():
        shutil.rmtree(out)
    (out / "modules" / "registry").mkdir(parents=True)
    (out / "modules" / "bucket").mkdir(parents=True)
    (out / "modules" / "registry" / "main.tf").write_text(REGISTRY_MODULE)
    (out / "modules" / "bucket" / "main.tf").write_text(BUCKET_MODULE)
    lines = REGISTRY_MODULE.count("\n") + BUCKET_MODULE.count("\n")
    files = 2
    i = 0
    while lines < min_lines:
        stack = out / f"stack{i:03d}"
        stack.mkdir()
        text = _stack(i)
        half = text.index("\ndata \"aws_iam_policy_document\" \"trust_svc7\"")
        (stack / "main.tf").write_text(text[:half])
        (stack / "services.tf").write_text(text[half:])
        lines += text.count("\n")
        files += 2
        i += 1
    return files, lines
