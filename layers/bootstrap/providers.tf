# Applied once, by a person with administrator rights in the management account, with their own
# credentials (AWS_PROFILE, SSO): nothing else can exist before the entry roles this layer creates.
provider "aws" {
  region = var.region

  # Refuse to create the organisation's trust anchor in any other account.
  allowed_account_ids = [var.management_account_id]

  default_tags {
    tags = merge(var.tags, {
      layer      = "bootstrap"
      managed-by = "orchestrator"
    })
  }
}
