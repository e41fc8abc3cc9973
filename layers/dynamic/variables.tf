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

variable "stack_suffix" {
  description = "Suffix of every name in this stack, so several copies (one per feature branch) can live in one account. Empty for the main stack. Each copy needs its own state key."
  type        = string
  default     = ""

  validation {
    # 20 characters keeps the longest derived name (the IAM role) within 64 characters.
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,18}[a-z0-9])?)?$", var.stack_suffix))
    error_message = "stack_suffix must be empty or 1-20 lowercase letters, digits or hyphens, not starting or ending with a hyphen (slugify the branch name)."
  }
}

variable "lambda_memory_mb" {
  description = "Memory of the application function, in MB (CPU scales with it)."
  type        = number
  default     = 256
}

variable "lambda_timeout_seconds" {
  description = "Timeout of the application function. API Gateway gives up after 30 seconds anyway."
  type        = number
  default     = 10

  validation {
    condition     = var.lambda_timeout_seconds >= 1 && var.lambda_timeout_seconds <= 30
    error_message = "lambda_timeout_seconds must be between 1 and 30 (the HTTP API integration limit)."
  }
}

variable "log_retention_days" {
  description = "Days the function and API access logs are kept."
  type        = number
  default     = 365
}

variable "throttling_rate_limit" {
  description = "Steady-state requests per second the API accepts before answering 429."
  type        = number
  default     = 100
}

variable "throttling_burst_limit" {
  description = "Burst of requests the API accepts above the steady rate."
  type        = number
  default     = 50
}

variable "tags" {
  description = "Extra tags applied to every resource, on top of the standard domain/environment/account tags."
  type        = map(string)
  default     = {}
}
