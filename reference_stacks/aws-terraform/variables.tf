# Every name the stack creates derives from these inputs: copy the folder, write a terraform.tfvars
# (see terraform.tfvars.example) and nothing else needs editing.

variable "region" {
  description = "AWS region of the CI/CD stack."
  type        = string
  default     = "eu-west-1"
}

variable "github_org" {
  description = "GitHub organisation (or user) owning the repository whose workflows may assume the CI roles."
  type        = string
  default     = "acme"
}

variable "github_repo" {
  description = "Repository (name only, without the organisation) whose workflows may assume the CI roles."
  type        = string
  default     = "app"
}

variable "deploy_environment" {
  description = "Protected GitHub environment the deploy job runs in (required reviewers, main only)."
  type        = string
  default     = "production"
}

variable "prefix" {
  description = "Short prefix of every resource name (lower case, digits and dashes); keep it unique per account."
  type        = string
  default     = "ci"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.prefix))
    error_message = "prefix: 2-21 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "image_repositories" {
  description = "ECR repositories (under <github_org>/) the build pulls from and the deploy job pushes to."
  type        = list(string)
  default     = ["app"]
}

variable "vpc_cidr" {
  description = "CIDR of the CI network (a /16; the build subnets are its first two /20s)."
  type        = string
  default     = "10.42.0.0/16"
}

variable "runner_instance_type" {
  description = "EC2 instance type of the self-hosted runners."
  type        = string
  default     = "m7i.large"
}

variable "runner_user_data" {
  description = "Boot script of the runners (installs and registers the GitHub runner). Fetch the registration token at boot from Secrets Manager through the endpoint: never write a token or key into the script."
  type        = string
  default     = ""
}

variable "runner_count" {
  description = "Number of self-hosted runners the autoscaling group keeps (min = desired; max is twice this)."
  type        = number
  default     = 1
}
