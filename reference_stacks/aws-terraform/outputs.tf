# What the GitHub workflows need: set these as repository or environment variables (not secrets:
# none of them is a credential).

output "build_role_arn" {
  description = "Role the build job assumes through OIDC (aws-actions/configure-aws-credentials role-to-assume)."
  value       = aws_iam_role.build.arn
}

output "deploy_role_arn" {
  description = "Role the deploy job in the protected environment assumes through OIDC."
  value       = aws_iam_role.deploy.arn
}

output "registry_url" {
  description = "ECR registry host to log in to and push to."
  value       = "${data.aws_caller_identity.current.account_id}.dkr.ecr.${var.region}.amazonaws.com"
}

output "repository_urls" {
  description = "Image repository URLs by image name."
  value       = { for name, repository in aws_ecr_repository.app : name => repository.repository_url }
}

output "artifact_bucket" {
  description = "Artifact bucket, reachable only through the CI network's S3 endpoint."
  value       = aws_s3_bucket.artifacts.bucket
}

output "signing_key_secret_arn" {
  description = "Secrets Manager secret holding the image signing key (read by the build at run time)."
  value       = aws_secretsmanager_secret.signing_key.arn
}

output "build_subnet_ids" {
  description = "Private build subnets (no internet route) the runners live in."
  value       = aws_subnet.build[*].id
}

output "artifact_key_arn" {
  description = "Customer-managed KMS key encrypting the artifact bucket (SSE-KMS, rotated yearly)."
  value       = aws_kms_key.artifacts.arn
}
