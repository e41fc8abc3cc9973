variable "management_account_id" {
  description = "12-digit id of the organisation's management account, where the entry roles and the state bucket live; the provider refuses any other account."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.management_account_id))
    error_message = "management_account_id must be exactly 12 digits."
  }
}

variable "region" {
  description = "Region of the state bucket (`state.region` in domains.yaml)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]{2}(-[a-z]+)+-[0-9]+$", var.region))
    error_message = "region must be an AWS region name such as eu-west-1."
  }
}

variable "github_owner" {
  description = "Owner (organisation or user) of the GitHub repository whose workflows may use the entry roles."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+$", var.github_owner))
    error_message = "github_owner must be a GitHub organisation or user name."
  }
}

variable "github_repo" {
  description = "Name of that repository. The entry roles trust its OIDC `sub` claims exactly (`repo:<owner>/<name>:...`), never with a wildcard."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]+$", var.github_repo))
    error_message = "github_repo must be a repository name, without the owner."
  }
}

variable "state_bucket" {
  description = "Name of the terraform state bucket to create (`state.bucket` in domains.yaml). Globally unique."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.state_bucket))
    error_message = "state_bucket must be a valid S3 bucket name: 3-63 lowercase letters, digits, dots or hyphens."
  }
}

variable "production_environment" {
  description = "Name of the GitHub environment the prod deploy jobs run in (`environment:` in .github/workflows/deploy.yml); its protection rules gate every prod deploy."
  type        = string
  default     = "production"
}

variable "main_branch" {
  description = "Branch whose workflows deploy the stage wave."
  type        = string
  default     = "main"
}

variable "entry_role_names" {
  description = "Names of the three entry roles, by purpose. layers/platform's `entry_role_names` must match."
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

variable "plan_role_name" {
  description = "Name of the read-only role in every account (`plan_role_name` in domains.yaml); the plan entry role may assume only it."
  type        = string
  default     = "OrganizationAccountReadOnly"
}

variable "deploy_role_name" {
  description = "Name of the deploy role in every account (`role_name` in domains.yaml); the stage and prod entry roles may assume only it, and each account's trust policy decides which of the two."
  type        = string
  default     = "OrganizationAccountAccessRole"
}

variable "prod_state_keys" {
  description = "S3 key patterns (`*` wildcards) of production accounts' states, which the stage entry role may not write. The default matches the state template `{layer}/{account}.tfstate` with accounts named `<domain>-prod`."
  type        = list(string)
  default     = ["*-prod.tfstate", "*-prod.tfstate.tflock"]
}

variable "create_github_oidc_provider" {
  description = "Create the IAM OIDC provider for token.actions.githubusercontent.com. Set false when the management account already has one (there can be only one per URL); it is then looked up."
  type        = bool
  default     = true
}

variable "noncurrent_version_retention_days" {
  description = "Days an overwritten state version is kept before it expires: the window in which a broken state can be rolled back."
  type        = number
  default     = 90

  validation {
    condition     = var.noncurrent_version_retention_days >= 1
    error_message = "noncurrent_version_retention_days must be at least 1."
  }
}

variable "access_log_retention_days" {
  description = "Days the state bucket's server access logs are kept."
  type        = number
  default     = 365
}

variable "kms_deletion_window_days" {
  description = "Waiting period before the state bucket's KMS key is deleted after scheduling (7-30 days)."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Extra tags applied to every resource."
  type        = map(string)
  default     = {}
}
