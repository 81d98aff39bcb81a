# The plan-time insecure example: scanned from `terraform show -json` output (plan.json), not from HCL.
# terraform plan -out tfplan && terraform show -json tfplan > plan.json
# cicd-guard scan --plan plan.json --repo-root .

terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.40"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  type        = string
  description = "AWS region of the CI account"
  default     = "eu-west-1"
}

variable "github_repository" {
  type        = string
  description = "GitHub org/repo whose workflows assume the CI roles"
  default     = "acme/app"
}

data "aws_caller_identity" "current" {}

locals {
  # One CI identity per pipeline stage: build pinned to its GitHub environment, test reachable from pull requests.
  stages = {
    build = "repo:${var.github_repository}:environment:build"
    test  = "repo:${var.github_repository}:pull_request" # tests run on every pull request
  }
}

# A machine user with a static key for the old Jenkins publisher, and ECR power-user rights.
resource "aws_iam_user" "jenkins" {
  name = "jenkins-publisher"
}

resource "aws_iam_access_key" "jenkins" {
  user = aws_iam_user.jenkins.name
}

resource "aws_iam_user_policy_attachment" "jenkins_ecr" {
  user       = aws_iam_user.jenkins.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryPowerUser"
}

# Mutable tags: a pushed release can be overwritten later.
resource "aws_ecr_repository" "app" {
  name                 = "acme/app"
  image_tag_mutability = "MUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }
}

# Every stage gets the same registry policy from the module: build and test can push.
module "ci_identity" {
  source   = "./modules/ci_identity"
  for_each = local.stages

  name           = "acme-ci-${each.key}"
  stage          = each.key
  oidc_subject   = each.value
  account_id     = data.aws_caller_identity.current.account_id
  repository_arn = aws_ecr_repository.app.arn
}

# Build artifacts: the public access block leaves restrict_public_buckets at its default (false).
resource "aws_s3_bucket" "artifacts" {
  bucket = "acme-ci-artifacts-plan"
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket              = aws_s3_bucket.artifacts.id
  block_public_acls   = true
  block_public_policy = true
  ignore_public_acls  = true
}
