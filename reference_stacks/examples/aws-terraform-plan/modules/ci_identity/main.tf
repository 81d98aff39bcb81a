# A GitHub Actions role for one pipeline stage, with pull and push on one ECR repository.

variable "name" {
  type = string
}

variable "stage" {
  type        = string
  description = "cicd-stage tag: build, test or deploy"
}

variable "oidc_subject" {
  type        = string
  description = "token.actions.githubusercontent.com:sub the role trusts"
}

variable "account_id" {
  type = string
}

variable "repository_arn" {
  type = string
}

resource "aws_iam_role" "this" {
  name = var.name
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::${var.account_id}:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringEquals = {
          "token.actions.githubusercontent.com:aud" = "sts.amazonaws.com"
          "token.actions.githubusercontent.com:sub" = var.oidc_subject
        }
      }
    }]
  })
  tags = {
    cicd-stage = var.stage
  }
}

# The repository ARN is known only after apply, so the whole policy is unknown in the plan.
resource "aws_iam_role_policy" "registry" {
  name = "registry"
  role = aws_iam_role.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid      = "Auth"
        Effect   = "Allow"
        Action   = "ecr:GetAuthorizationToken"
        Resource = "*"
      },
      {
        Sid    = "PullPush"
        Effect = "Allow"
        Action = [
          "ecr:BatchCheckLayerAvailability",
          "ecr:BatchGetImage",
          "ecr:GetDownloadUrlForLayer",
          "ecr:InitiateLayerUpload",
          "ecr:UploadLayerPart",
          "ecr:CompleteLayerUpload",
          "ecr:PutImage",
        ]
        Resource = var.repository_arn
      },
    ]
  })
}

output "role_arn" {
  value = aws_iam_role.this.arn
}
