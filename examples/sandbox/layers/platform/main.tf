# Sandbox "platform" layer: stands in for the account baseline with terraform_data only, so
# it runs with real terraform, no provider download and no cloud.

terraform {
  required_version = ">= 1.5"
  backend "local" {}
}

variable "account_name" { type = string }
variable "account_id" { type = string }
variable "domain" { type = string }
variable "environment" { type = string }
variable "region" { type = string }

variable "deploy_seconds" {
  description = "How long the simulated deploy takes."
  type        = number
  default     = 1
}

variable "fail_account" {
  description = "Set TF_VAR_fail_account=<account> to make that account's apply fail (shows the halt before prod)."
  type        = string
  default     = ""
}

resource "terraform_data" "baseline" {
  input = {
    account     = var.account_name
    account_id  = var.account_id
    environment = var.environment
    region      = var.region
    ci_role     = "arn:aws:iam::${var.account_id}:role/deploy"
  }

  # The failing account is replaced on every run, so the switch also works on deployed state.
  triggers_replace = var.fail_account == var.account_name ? timestamp() : null

  provisioner "local-exec" {
    command = var.fail_account == var.account_name ? "echo 'Error: simulated failure of ${var.account_name} (TF_VAR_fail_account)' >&2; exit 1" : "sleep ${var.deploy_seconds}"
  }
}

output "ci_role_arn" {
  description = "The role CI would assume in this account."
  value       = terraform_data.baseline.output.ci_role
}
