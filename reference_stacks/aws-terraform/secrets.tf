# Credentials the pipeline needs live in Secrets Manager, read at run time through the VPC endpoint.
resource "aws_secretsmanager_secret" "signing_key" {
  name        = "${var.prefix}/cosign-key"
  description = "Image signing key, written out of band; the pipeline only reads it."
}
