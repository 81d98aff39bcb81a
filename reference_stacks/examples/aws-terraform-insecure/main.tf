# The insecure twin of reference_stacks/aws-terraform: the mistakes cicd-guard exists to stop.

# A machine user with a static key, pasted into the CI system's variables.
resource "aws_iam_user" "ci" {
  name = "ci-bot"
}

resource "aws_iam_access_key" "ci" {
  user = aws_iam_user.ci.name
}

# Artifact buckets: one with no public access block at all, one with a block that leaves policies open.
resource "aws_s3_bucket" "artifacts" {
  bucket = "acme-ci-artifacts-legacy"
}

module "cache" {
  source = "./modules/artifact_bucket"
  name   = "acme-ci-cache"
}

# The registry role: every ECR action on every repository, mutable tags; its trust pins no audience (IDF-002).
resource "aws_iam_role" "ci" {
  name = "ci-runner"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringLike = { "token.actions.githubusercontent.com:sub" = "repo:acme/*" }
      }
    }]
  })
}

resource "aws_iam_role_policy" "ci" {
  role = aws_iam_role.ci.name
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "ecr:*", Resource = "*" }]
  })
}

resource "aws_ecr_repository" "app" {
  name                 = "acme/app"
  image_tag_mutability = "MUTABLE"
}

# The legacy bucket is shared through a public-read ACL, and Jenkins answers the whole internet.
resource "aws_s3_bucket_acl" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  acl    = "public-read"
}

resource "aws_security_group" "jenkins" {
  name   = "ci-jenkins"
  vpc_id = "vpc-0123456789abcdef0"

  ingress {
    description = "Jenkins UI and agents"
    from_port   = 8080
    to_port     = 50000
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

# "Only from our endpoint", written as an Allow with a negated operator: it admits every caller
# that is NOT on the endpoint, i.e. the whole internet.
resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "ReadFromCi"
      Effect    = "Allow"
      Principal = "*"
      Action    = ["s3:GetObject", "s3:PutObject"]
      Resource  = "${aws_s3_bucket.artifacts.arn}/*"
      Condition = { StringNotEquals = { "aws:SourceVpce" = "vpce-0a1b2c3d4e5f67890" } }
    }]
  })
}

# Secrets pasted into the pipeline's configuration: a registry password as a variable default, a
# plain-text build variable, an agent template that logs in with it, and the CI key printed as an output.
variable "registry_password" {
  type    = string
  default = "demo-registry-password-not-real"
}

resource "aws_codebuild_project" "publish" {
  name         = "app-publish"
  service_role = "arn:aws:iam::111122223333:role/codebuild-publish"
  artifacts { type = "NO_ARTIFACTS" }
  source { type = "GITHUB" }
  environment {
    compute_type = "BUILD_GENERAL1_SMALL"
    image        = "aws/codebuild/standard:7.0"
    type         = "LINUX_CONTAINER"
    environment_variable {
      name  = "REGISTRY_PASSWORD"
      value = var.registry_password
    }
  }
}

resource "aws_launch_template" "jenkins_agent" {
  name_prefix   = "jenkins-agent-"
  image_id      = "ami-0123456789abcdef0"
  instance_type = "m7i.large"
  user_data = base64encode(<<-EOT
    #!/bin/bash
    docker login -u ci -p ${var.registry_password} registry.example.com
    java -jar agent.jar
  EOT
  )
}

output "ci_secret_access_key" {
  value = aws_iam_access_key.ci.secret
}

# A cross-account deploy role any AWS principal may assume: no organisation, account or external ID (IDF-005).
resource "aws_iam_role" "cross_account_deploy" {
  name = "cross-account-deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRole"
      Principal = { AWS = "*" }
    }]
  })
}
