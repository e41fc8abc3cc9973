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

# Accounts that already exist (an id in domains.yaml) are imported, never created: applying on
# an existing organisation adopts its accounts instead of opening a second one of each.
import {
  for_each = var.existing_account_ids
  to       = aws_organizations_account.this[each.key]
  id       = each.value
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
    # AWS never returns role_name and iam_user_access_to_billing after creation, and an
    # account's name and root email are its own once it exists: an imported account whose
    # name or email differs from the generated ones would otherwise be replaced, that is
    # closed and recreated.
    ignore_changes = [role_name, iam_user_access_to_billing, name, email]

    # Removing an account from domains.yaml must not close it: an operator removes it from the
    # state (or this guard) on purpose.
    prevent_destroy = true
  }
}
