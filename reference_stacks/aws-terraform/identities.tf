# Two CI identities, both reached only through GitHub's OIDC issuer, never through stored keys:
#  - <prefix>-build: pull-only on the one repository, no repository listing (explicit deny);
#  - <prefix>-deploy: push-capable, assumable only from the protected deploy environment.

resource "aws_iam_openid_connect_provider" "github" {
  url            = "https://token.actions.githubusercontent.com"
  client_id_list = ["sts.amazonaws.com"]
}


data "aws_iam_policy_document" "build_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = ["${local.repo}:ref:refs/heads/main"]
    }
  }
}

data "aws_iam_policy_document" "deploy_trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:aud"
      values   = ["sts.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "${local.issuer}:sub"
      values   = ["${local.repo}:environment:${var.deploy_environment}"]
    }
  }
}

data "aws_iam_policy_document" "deny_listing" {
  statement {
    sid       = "DenyRepositoryEnumeration"
    effect    = "Deny"
    actions   = ["ecr:DescribeRepositories", "ecr:DescribeRegistry", "ecr:ListImages", "ecr:DescribeImages"]
    resources = ["*"]
  }
}

data "aws_iam_policy_document" "pull" {
  source_policy_documents = [data.aws_iam_policy_document.deny_listing.json]
  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid       = "PullAppImages"
    actions   = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
    resources = [for repository in aws_ecr_repository.app : repository.arn]
  }
  statement {
    sid       = "ReadArtifacts"
    actions   = ["s3:GetObject"]
    resources = ["${aws_s3_bucket.artifacts.arn}/*"]
  }
  statement {
    sid       = "DecryptArtifacts"
    actions   = ["kms:Decrypt"]
    resources = [aws_kms_key.artifacts.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.region}.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "push" {
  source_policy_documents = [data.aws_iam_policy_document.deny_listing.json]
  statement {
    sid       = "RegistryLogin"
    actions   = ["ecr:GetAuthorizationToken"]
    resources = ["*"]
  }
  statement {
    sid = "PushAppImages"
    actions = [
      "ecr:BatchCheckLayerAvailability", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart",
      "ecr:CompleteLayerUpload", "ecr:PutImage",
    ]
    resources = [for repository in aws_ecr_repository.app : repository.arn]
  }
  statement {
    sid       = "WriteArtifacts"
    actions   = ["s3:PutObject"]
    resources = ["${aws_s3_bucket.artifacts.arn}/*"]
  }
  statement {
    sid       = "EncryptArtifacts"
    actions   = ["kms:GenerateDataKey", "kms:Decrypt"]
    resources = [aws_kms_key.artifacts.arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "build" {
  name               = "${var.prefix}-build"
  assume_role_policy = data.aws_iam_policy_document.build_trust.json
  tags = {
    cicd-stage = "build"
  }
}

resource "aws_iam_role_policy" "build" {
  name   = "pull-only"
  role   = aws_iam_role.build.name
  policy = data.aws_iam_policy_document.pull.json
}

resource "aws_iam_role" "deploy" {
  name               = "${var.prefix}-deploy"
  assume_role_policy = data.aws_iam_policy_document.deploy_trust.json
  tags = {
    cicd-stage = "deploy"
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "push"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.push.json
}
