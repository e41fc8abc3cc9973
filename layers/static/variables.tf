# The five variables the orchestrator passes to every per-account layer (generated -var-file).
# They are required on purpose: a missing value must fail the plan, never fall back to a default
# that could point a deploy at the wrong account.

variable "account_name" {
  description = "Account name, `<domain>-<environment>` (for example `catalog-dev`). Prefixes resource names."
  type        = string

  validation {
    # 32 characters keeps every derived name (buckets, IAM roles) within AWS length limits.
    condition     = can(regex("^[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?$", var.account_name))
    error_message = "account_name must be 1-32 lowercase letters, digits or hyphens, not starting or ending with a hyphen."
  }
}

variable "account_id" {
  description = "12-digit AWS account id this layer is applied to; the provider refuses any other account."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be exactly 12 digits."
  }
}

variable "domain" {
  description = "Product domain that owns the account (for example `catalog`), as listed in domains.yaml."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]*$", var.domain))
    error_message = "domain must be lowercase letters, digits or hyphens."
  }
}

variable "environment" {
  description = "Environment of the account (for example `dev`, `stage`, `prod`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]*$", var.environment))
    error_message = "environment must be lowercase letters, digits or hyphens."
  }
}

variable "region" {
  description = "AWS region the layer deploys into (for example `eu-west-1`)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

# Optional settings: every one has a default; override them per domain or layer in domains.yaml
# (`vars` / `layer_vars`).

variable "noncurrent_version_retention_days" {
  description = "Days an overwritten or deleted object version is kept before it expires (the undo window)."
  type        = number
  default     = 90
}

variable "log_retention_days" {
  description = "Days objects in the logs bucket are kept."
  type        = number
  default     = 365
}

variable "kms_deletion_window_days" {
  description = "Days a scheduled deletion of the KMS key can still be cancelled."
  type        = number
  default     = 30

  validation {
    condition     = var.kms_deletion_window_days >= 7 && var.kms_deletion_window_days <= 30
    error_message = "kms_deletion_window_days must be between 7 and 30."
  }
}

variable "dns_zone_name" {
  description = "Public Route53 zone to create for the account (for example `catalog-dev.example.com`). Null creates none."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags applied to every resource, on top of the standard domain/environment/account tags."
  type        = map(string)
  default     = {}
}
