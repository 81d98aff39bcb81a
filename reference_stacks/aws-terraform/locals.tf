data "aws_caller_identity" "current" {}

locals {
  issuer = "token.actions.githubusercontent.com"
  repo   = "repo:${var.github_org}/${var.github_repo}"
  # S3 bucket names are global: organisation, repository and region make the copy's name its own, and
  # the name is known when the configuration is read, so the scan decides the policies that name it.
  bucket_name = substr(replace(lower("${var.prefix}-${var.github_org}-${var.github_repo}-artifacts-${var.region}"), "/[^a-z0-9-]/", "-"), 0, 63)
  tags = {
    "managed-by" = "terraform"
    "ci-stack"   = var.prefix
    "repository" = "${var.github_org}/${var.github_repo}"
  }
}
