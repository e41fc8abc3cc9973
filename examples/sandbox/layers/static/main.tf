# Sandbox "static" layer: stands in for buckets, keys and DNS with terraform_data only.

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

resource "terraform_data" "artifacts_bucket" {
  input = "${var.domain}-${var.environment}-artifacts-${var.region}"

  provisioner "local-exec" {
    command = "sleep ${var.deploy_seconds}"
  }
}

resource "terraform_data" "logs_bucket" {
  input = "${var.domain}-${var.environment}-logs-${var.region}"
}

output "artifacts_bucket" {
  description = "Name of the artifacts bucket."
  value       = terraform_data.artifacts_bucket.output
}
