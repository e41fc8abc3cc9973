# ---------------------------------------------------------------------------------------------
# Roles per purpose
#
# CI never holds a key: a GitHub Actions job trades its OIDC token for one of three entry roles in
# the management account (layers/bootstrap), and the orchestrator assumes from there one role per
# account. Each account role trusts exactly one entry role, so what a job can reach follows from
# which workflow and which GitHub environment it runs in:
#
#   pull request / drift  -> entry `plan`  -> plan_role_name (read-only) in every account
#   main, stage wave      -> entry `stage` -> role_name in every non-production account
#   environment production -> entry `prod` -> role_name in every production account
#
# A stage leg, a drift check or any future workflow on main therefore cannot reach production
# credentials without passing the `production` environment's reviewers.
# ---------------------------------------------------------------------------------------------

locals {
  management_account = "arn:${local.partition}:iam::${var.management_account_id}"

  # The entry roles the bootstrap layer creates in the management account, by purpose.
  entry_role_arns = { for purpose, name in var.entry_role_names : purpose => "${local.management_account}:role/${name}" }

  is_production = contains(var.production_environments, var.environment)

  # The one entry role allowed to deploy this account, and who else may (break-glass).
  deploy_entry_role_arn   = local.is_production ? local.entry_role_arns["prod"] : local.entry_role_arns["stage"]
  orchestrator_principals = concat([local.deploy_entry_role_arn], var.orchestrator_principal_arns)

  # The state bucket the plan role reads (null: lock files of any bucket, see the policy below).
  state_bucket_arn  = var.state_bucket == null ? "arn:${local.partition}:s3:::*" : "arn:${local.partition}:s3:::${var.state_bucket}"
  state_account_id  = coalesce(var.state_account_id, var.management_account_id)
  state_kms_key_arn = "arn:${local.partition}:kms:*:${local.state_account_id}:key/*"
}

# ----- deploy: role_name, adopted from AWS Organizations -----
#
# The orchestrator assumes this role to apply every layer, so it exists before this layer first
# runs: AWS Organizations creates it in vended accounts (with an inline AdministratorAccess
# policy), an operator creates it by hand in invited ones. Adopting it here puts its trust policy
# under review like any other change. Its permissions are left as they are: it must be able to
# deploy anything, and the inline policy is not managed by this resource.

import {
  to = aws_iam_role.orchestrator
  id = var.role_name
}

data "aws_iam_policy_document" "orchestrator_trust" {
  statement {
    sid     = "DeployEntryRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = local.orchestrator_principals
    }
  }
}

resource "aws_iam_role" "orchestrator" {
  name               = var.role_name
  description        = "Assumed through the ${local.is_production ? "prod" : "stage"} entry role by deploys of ${var.github_repository} to apply every layer."
  assume_role_policy = data.aws_iam_policy_document.orchestrator_trust.json

  lifecycle {
    # Destroying this layer must not delete the role the orchestrator (and every later
    # recovery) depends on to reach the account.
    prevent_destroy = true
  }
}

# ----- plan: plan_role_name, read-only -----
#
# `--plan-only` runs (pull-request plans, drift checks) assume this role. `terraform plan`
# refreshes every resource, hence ReadOnlyAccess; the S3 backend with use_lockfile writes
# `<key>.tflock` next to the state, hence writes to lock files and nothing else. Plans run code
# under review: a plan that tries to change anything fails with AccessDenied.

data "aws_iam_policy_document" "plan_trust" {
  statement {
    sid     = "PlanEntryRole"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = [local.entry_role_arns["plan"]]
    }
  }
}

resource "aws_iam_role" "plan" {
  name               = var.plan_role_name
  description        = "Read-only: assumed through the plan entry role for pull-request plans and drift checks of ${var.github_repository}."
  assume_role_policy = data.aws_iam_policy_document.plan_trust.json

  # Matches the STS limit for chained roles (the entry role session is one).
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "plan_read_only" {
  role       = aws_iam_role.plan.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/ReadOnlyAccess"
}

data "aws_iam_policy_document" "plan_state" {
  statement {
    sid       = "ListStateBucket"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket_arn]
  }

  statement {
    sid       = "ReadState"
    actions   = ["s3:GetObject"]
    resources = ["${local.state_bucket_arn}/*"]
  }

  # use_lockfile: the lock is an object `<state key>.tflock`, created and deleted by every plan.
  statement {
    sid       = "StateLockFiles"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.state_bucket_arn}/*.tflock"]
  }

  # The state bucket is encrypted with a customer managed key of the state account (SSE-KMS);
  # only through S3, so the key cannot decrypt anything else for this role.
  statement {
    sid       = "StateEncryptionKey"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [local.state_kms_key_arn]

    condition {
      test     = "StringLike"
      variable = "kms:ViaService"
      values   = ["s3.*.amazonaws.com"]
    }
  }
}

resource "aws_iam_role_policy" "plan_state" {
  name   = "terraform-state-read-and-lock"
  role   = aws_iam_role.plan.id
  policy = data.aws_iam_policy_document.plan_state.json
}
