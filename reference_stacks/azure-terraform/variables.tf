# Every name the stack creates derives from these inputs: copy the folder, write a terraform.tfvars
# (see terraform.tfvars.example) and nothing else needs editing.

variable "location" {
  description = "Azure region of every resource."
  type        = string
  default     = "westeurope"
}

variable "github_org" {
  description = "GitHub organisation (or user) owning the repository whose workflows use the CI identities."
  type        = string
  default     = "acme"
}

variable "github_repo" {
  description = "Repository (name only, without the organisation) whose workflows use the CI identities."
  type        = string
  default     = "app"
}

variable "deploy_environment" {
  description = "Protected GitHub environment the deploy job runs in (required reviewers, main only)."
  type        = string
  default     = "production"
}

variable "prefix" {
  description = "Short prefix of every resource name (lower case, digits and dashes)."
  type        = string
  default     = "ci"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,20}$", var.prefix))
    error_message = "prefix: 2-21 lower-case letters, digits or dashes, starting with a letter."
  }
}

variable "vnet_cidr" {
  description = "CIDR of the CI virtual network (a /16)."
  type        = string
  default     = "10.50.0.0/16"
}

locals {
  repository = "${var.github_org}/${var.github_repo}"
  # Registry, storage account and Key Vault names are global: a short hash of repository and prefix
  # makes each copy's names its own while the same inputs keep the same names.
  suffix  = substr(sha1("${local.repository}/${var.prefix}"), 0, 8)
  compact = substr(replace(lower(var.prefix), "/[^a-z0-9]/", ""), 0, 12)
  tags = {
    "managed-by" = "terraform"
    "ci-stack"   = var.prefix
    "repository" = local.repository
  }
}
