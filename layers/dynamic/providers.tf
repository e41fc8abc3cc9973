# Credentials come from the environment: the orchestrator assumes `role_name` in the account and
# hands the terraform process only those temporary credentials.
provider "aws" {
  region = var.region

  # Refuse to touch any account but the one this state belongs to, whatever the credentials say.
  allowed_account_ids = [var.account_id]

  default_tags {
    tags = merge(var.tags, {
      account     = var.account_name
      domain      = var.domain
      environment = var.environment
      layer       = "dynamic"
      stack       = local.stack_name
      managed-by  = "orchestrator"
    })
  }
}
