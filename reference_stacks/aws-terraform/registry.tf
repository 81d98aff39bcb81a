# One repository per image, named <github_org>/<image>.
resource "aws_ecr_repository" "app" {
  for_each             = toset(var.image_repositories)
  name                 = "${var.github_org}/${each.key}"
  image_tag_mutability = "IMMUTABLE"

  image_scanning_configuration {
    scan_on_push = true
  }

  encryption_configuration {
    encryption_type = "KMS"
  }
}

# Only principals of this organisation, arriving through the CI network, may use the repository.
data "aws_iam_policy_document" "app_repository" {
  statement {
    sid       = "DenyOutsideCiNetwork"
    effect    = "Deny"
    actions   = ["ecr:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringNotEquals"
      variable = "aws:SourceVpce"
      values   = [aws_vpc_endpoint.interface["ecr.api"].id, aws_vpc_endpoint.interface["ecr.dkr"].id]
    }
  }
}

resource "aws_ecr_repository_policy" "app" {
  for_each   = aws_ecr_repository.app
  repository = each.value.name
  policy     = data.aws_iam_policy_document.app_repository.json
}
