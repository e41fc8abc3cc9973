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

# Required extras the orchestrator passes to this layer only.

variable "network_cidr" {
  description = "The account's VPC CIDR, from the account's `network.cidr` in domains.yaml. Unique across the organisation so VPCs can be peered or attached to a transit gateway later."
  type        = string

  validation {
    # try(): cidrhost fails on malformed input, and Terraform 1.10 does not short-circuit &&.
    condition     = can(regex("^[0-9.]+/(1[6-9]|2[0-2])$", var.network_cidr)) && try(cidrhost(var.network_cidr, 0) == split("/", var.network_cidr)[0], false)
    error_message = "network_cidr must be an IPv4 network address with a prefix from /16 to /22 (the smallest that still leaves /28 public subnets), such as 10.20.0.0/16."
  }
}

variable "github_repository" {
  description = "GitHub repository (`owner/name`) this organisation is deployed from; named in resource descriptions (the entry roles that trust its OIDC tokens are in layers/bootstrap)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$", var.github_repository))
    error_message = "github_repository must be `owner/name`."
  }
}

variable "management_account_id" {
  description = "12-digit id of the organisation's management account, where layers/bootstrap created the entry roles that the account roles trust."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.management_account_id))
    error_message = "management_account_id must be exactly 12 digits."
  }
}

# Optional settings: every one has a default; override them per domain or layer in domains.yaml
# (`vars` / `layer_vars`).

variable "org_prefix" {
  description = "Organisation prefix for globally unique names such as the account alias (`<org_prefix>-<account_name>`). Empty means the alias is the account name alone."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,28}[a-z0-9])?)?$", var.org_prefix))
    error_message = "org_prefix must be empty or 1-30 lowercase letters, digits or hyphens."
  }
}

variable "role_name" {
  description = "Name of the role the orchestrator assumes in this account. It must already exist (AWS Organizations creates it in vended accounts); this layer adopts it and manages its trust policy."
  type        = string
  default     = "OrganizationAccountAccessRole"
}

variable "orchestrator_principal_arns" {
  description = "Principals allowed to assume `role_name` besides the deploy entry role of this account's environment, for example a break-glass role people use from a laptop. Empty (the default) trusts the entry role alone."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for arn in var.orchestrator_principal_arns : can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:(role|user)/", arn))])
    error_message = "orchestrator_principal_arns must be IAM role or user ARNs."
  }
}

variable "plan_role_name" {
  description = "Name of the read-only role `--plan-only` runs assume in this account; must equal `plan_role_name` in domains.yaml."
  type        = string
  default     = "OrganizationAccountReadOnly"
}

variable "entry_role_names" {
  description = "Names of the entry roles layers/bootstrap creates in the management account, by purpose: `plan` (pull requests, drift), `stage` (main branch), `prod` (GitHub environment `production`)."
  type        = map(string)
  default = {
    plan  = "orchestrator-plan"
    stage = "orchestrator-stage"
    prod  = "orchestrator-prod"
  }

  validation {
    condition     = sort(keys(var.entry_role_names)) == ["plan", "prod", "stage"]
    error_message = "entry_role_names must name exactly the plan, stage and prod entry roles."
  }
}

variable "production_environments" {
  description = "Environments whose accounts trust only the prod entry role (jobs in the GitHub environment `production`); every other account trusts the stage entry role."
  type        = list(string)
  default     = ["prod"]
}

variable "state_bucket" {
  description = "Name of the terraform state bucket (`state.bucket` in domains.yaml) the plan role may read and lock. Null lets the plan role write lock files of any bucket its account can reach, and read nothing beyond ReadOnlyAccess."
  type        = string
  default     = null
}

variable "state_account_id" {
  description = "12-digit id of the account holding the state bucket and its KMS key. Null means `management_account_id`, where layers/bootstrap creates them."
  type        = string
  default     = null

  validation {
    condition     = var.state_account_id == null || can(regex("^[0-9]{12}$", var.state_account_id))
    error_message = "state_account_id must be exactly 12 digits."
  }
}

variable "az_count" {
  description = "Number of availability zones the VPC spans."
  type        = number
  default     = 3

  validation {
    condition     = var.az_count >= 1 && var.az_count <= 6 && floor(var.az_count) == var.az_count
    error_message = "az_count must be a whole number from 1 to 6."
  }
}

variable "single_nat_gateway" {
  description = "Share one NAT gateway between all AZs to save cost. Ignored in prod, which always gets one NAT gateway per AZ."
  type        = bool
  default     = false
}

variable "flow_log_retention_days" {
  description = "Days VPC flow logs are kept in CloudWatch Logs."
  type        = number
  default     = 365
}

variable "phone_home_url" {
  description = "HTTPS URL the health-check function GETs on every run. Null makes it call STS GetCallerIdentity instead."
  type        = string
  default     = null
}

variable "health_check_interval_minutes" {
  description = "Minutes between two runs of the health-check function; its alarm fires after two failed runs in a row."
  type        = number
  default     = 5
}

variable "monthly_budget_usd" {
  description = "Monthly cost budget for the account, in USD. Alerts fire at 80% actual and 100% forecast spend."
  type        = number
  default     = 100

  validation {
    condition     = var.monthly_budget_usd > 0
    error_message = "monthly_budget_usd must be positive."
  }
}

variable "budget_alert_emails" {
  description = "Email addresses notified by the budget alarm, in addition to the account's alerts SNS topic."
  type        = list(string)
  default     = []

  validation {
    # AWS Budgets accepts at most 10 subscribers per notification, the SNS topic being one.
    condition     = length(var.budget_alert_emails) <= 9
    error_message = "budget_alert_emails takes at most 9 addresses."
  }
}

variable "enable_monitoring" {
  description = "Create the cross-account read-only role for the monitoring vendor (modules/monitoring)."
  type        = bool
  default     = false
}

variable "monitoring_vendor_account_id" {
  description = "AWS account id of the monitoring vendor. Required when enable_monitoring is true."
  type        = string
  default     = null
}

variable "monitoring_external_id" {
  description = "External id the monitoring vendor presents when assuming the role. Required when enable_monitoring is true."
  type        = string
  default     = null
  sensitive   = true
}

variable "tags" {
  description = "Extra tags applied to every resource, on top of the standard domain/environment/account tags."
  type        = map(string)
  default     = {}
}
