variable "region" {
  description = "AWS region of the CI/CD stack."
  type        = string
  default     = "eu-west-1"
}

variable "github_org" {
  description = "GitHub organisation whose workflows may assume the CI roles."
  type        = string
  default     = "acme"
}

variable "github_repo" {
  description = "Repository whose workflows may assume the CI roles."
  type        = string
  default     = "app"
}

variable "deploy_environment" {
  description = "Protected GitHub environment the deploy job runs in (required reviewers, main only)."
  type        = string
  default     = "production"
}

variable "vpc_cidr" {
  description = "CIDR of the CI network."
  type        = string
  default     = "10.42.0.0/16"
}
