# Credentials come from the environment: the management account's, for this layer only.
provider "aws" {
  region = var.region

  # Vending accounts from a member account fails anyway; this makes it fail before any call.
  allowed_account_ids = var.management_account_id == null ? null : [var.management_account_id]

  default_tags {
    tags = merge(var.tags, {
      layer      = "organization"
      managed-by = "orchestrator"
    })
  }
}
