# Sandbox "dynamic" layer: stands in for the application stack with terraform_data only.

terraform {
  required_version = ">= 1.5"
  backend "local" {}
}

variable "account_name" { type = string }
variable "account_id" { type = string }
variable "domain" { type = string }
variable "environment" { type = string }
variable "region" { type = string }

variable "stack_suffix" {
  description = "The copy of this stack (one per feature branch, `orchestrator deploy --stack NAME`); empty for the main stack."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^([a-z0-9]([a-z0-9-]{0,18}[a-z0-9])?)?$", var.stack_suffix))
    error_message = "stack_suffix must be empty or 1-20 lowercase letters, digits or hyphens, not starting or ending with a hyphen."
  }
}

variable "deploy_seconds" {
  description = "How long the simulated deploy takes."
  type        = number
  default     = 1
}

variable "app_version" {
  description = "The application version deployed; change it to see a plan with changes."
  type        = string
  default     = "1.0.0"
}

variable "health_url" {
  description = "What the health_url output says: the sandbox serves nothing, so point it at a server of your own (TF_VAR_health_url) to try a health check."
  type        = string
  default     = ""
  # A health URL may carry a token: terraform keeps it out of plans and logs, and the
  # orchestrator shows it without userinfo or query.
  sensitive = true
}

resource "terraform_data" "app" {
  input = {
    # Each copy names its resources apart, as the real layer does with stack_suffix.
    name    = var.stack_suffix == "" ? "${var.domain}-app" : "${var.domain}-app-${var.stack_suffix}"
    version = var.app_version
  }

  provisioner "local-exec" {
    command = "sleep ${var.deploy_seconds}"
  }
}

output "app_version" {
  description = "The deployed application version."
  value       = terraform_data.app.output.version
}

output "stack_name" {
  description = "The name shared by this copy's resources."
  value       = terraform_data.app.output.name
}

output "health_url" {
  description = "The URL a health_check polls after this layer applies (empty unless TF_VAR_health_url is set)."
  value       = var.health_url
  sensitive   = true
}
