locals {
  environments = toset([for account in values(var.accounts) : account.environment])

  # Plus-addressing: one mailbox receives every account's root mail, and each address stays
  # unique as AWS requires.
  emails = { for name, account in var.accounts : name => account.email != "" ? account.email : "aws+${name}@${var.email_domain}" }
}

# One OU per environment, so service control policies can treat prod differently from the rest.
resource "aws_organizations_organizational_unit" "environment" {
  for_each = local.environments

  name      = each.key
  parent_id = var.root_id
}

resource "aws_organizations_account" "this" {
  for_each = var.accounts

  name                       = each.key
  email                      = local.emails[each.key]
  parent_id                  = aws_organizations_organizational_unit.environment[each.value.environment].id
  role_name                  = var.role_name
  iam_user_access_to_billing = var.iam_user_access_to_billing
  close_on_deletion          = var.close_on_deletion

  tags = {
    domain      = each.value.domain
    environment = each.value.environment
  }

  lifecycle {
    # AWS never returns these after creation, so an imported account would otherwise be
    # replaced, that is closed and recreated.
    ignore_changes = [role_name, iam_user_access_to_billing]

    # Removing an account from domains.yaml must not close it: an operator removes it from the
    # state (or this guard) on purpose.
    prevent_destroy = true
  }
}
