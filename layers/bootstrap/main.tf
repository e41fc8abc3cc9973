data "aws_partition" "current" {}

# The organisation the member accounts belong to: entry roles may assume roles only inside it,
# and the state bucket and its key serve only its principals.
data "aws_organizations_organization" "this" {}

locals {
  partition          = data.aws_partition.current.partition
  management_account = "arn:${local.partition}:iam::${var.management_account_id}"
  organization_id    = data.aws_organizations_organization.this.id

  github_oidc_url = "token.actions.githubusercontent.com"

  github_repository = "${var.github_owner}/${var.github_repo}"

  # Known before the provider exists, so the entry roles' trust renders in one plan.
  github_oidc_provider_arn = "${local.management_account}:oidc-provider/${local.github_oidc_url}"

  entry_role_arns = { for purpose, name in var.entry_role_names : purpose => "${local.management_account}:role/${name}" }

  # GitHub's `sub` claim of a job: `repo:<owner/name>:pull_request` for pull_request events,
  # `repo:<owner/name>:ref:refs/heads/<branch>` for pushes, schedules and dispatches on a branch,
  # `repo:<owner/name>:environment:<name>` for any job that runs in an environment. Matched with
  # StringEquals: never `repo:<owner/name>:*`, which would let any branch or pull request in.
  subject = {
    pull_request = "repo:${var.github_owner}/${var.github_repo}:pull_request"
    main         = "repo:${var.github_owner}/${var.github_repo}:ref:refs/heads/${var.main_branch}"
    production   = "repo:${var.github_owner}/${var.github_repo}:environment:${var.production_environment}"
  }

  entry_subjects = {
    # Read-only everywhere, so every context the shipped workflows plan from may use it: pull
    # requests (plan.yml), main (drift.yml, redeploy.yml plan_only) and the production
    # environment (redeploy.yml plan_only of a prod account).
    plan = [local.subject.pull_request, local.subject.main, local.subject.production]
    # The stage legs of deploy.yml on main. Production accounts do not trust this role.
    stage = [local.subject.main]
    # Only jobs in the production environment, after its reviewers approved.
    prod = [local.subject.production]
  }

  # Which account role each entry role may assume (the account's trust policy decides whether it
  # is allowed: production accounts trust only the prod entry role).
  entry_targets = {
    plan  = var.plan_role_name
    stage = var.deploy_role_name
    prod  = var.deploy_role_name
  }
}

# ---------------------------------------------------------------------------------------------
# GitHub OIDC provider: GitHub Actions jobs prove who they are with a token, no key is stored.
# ---------------------------------------------------------------------------------------------

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 1 : 0

  url            = "https://${local.github_oidc_url}"
  client_id_list = ["sts.amazonaws.com"]

  # AWS verifies GitHub's certificate against its own trusted CAs and ignores these, but the
  # IAM API behind provider 5.x still requires at least one thumbprint (GitHub's published ones).
  thumbprint_list = [
    "6938fd4d98bab03faadb97b34396831e3780aea1",
    "1c58a3a8518e8759bf075b76b750d4f2df264fcd",
  ]
}

data "aws_iam_openid_connect_provider" "github" {
  count = var.create_github_oidc_provider ? 0 : 1

  url = "https://${local.github_oidc_url}"
}

# ---------------------------------------------------------------------------------------------
# Entry roles: plan, stage, prod. The orchestrator trades the job's OIDC token for one of them
# (--oidc-role-arn / ORCHESTRATOR_OIDC_ROLE_ARN) and assumes the account roles from there.
# ---------------------------------------------------------------------------------------------

# One trust document per entry role, written out rather than generated, so a reviewer (and the
# scanner) reads each role's exact subjects.

# Plan: read-only, from pull requests, main and the production environment.
data "aws_iam_policy_document" "plan_entry_trust" {
  statement {
    sid     = "GitHubActions"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    # Without an audience check a token minted for another audience would be accepted.
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }

    # Without a subject check every repository on GitHub could assume this role.
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = [local.subject.pull_request, local.subject.main, local.subject.production]
    }
  }
}

# Stage: jobs on main only.
data "aws_iam_policy_document" "stage_entry_trust" {
  statement {
    sid     = "GitHubActions"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    # Without an audience check a token minted for another audience would be accepted.
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }

    # Without a subject check every repository on GitHub could assume this role.
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = [local.subject.main]
    }
  }
}

# Prod: jobs in the production environment only.
data "aws_iam_policy_document" "prod_entry_trust" {
  statement {
    sid     = "GitHubActions"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    # Without an audience check a token minted for another audience would be accepted.
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:aud"
      values   = ["sts.amazonaws.com"]
    }

    # Without a subject check every repository on GitHub could assume this role.
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = [local.subject.production]
    }
  }
}

locals {
  entry_trust = {
    plan  = data.aws_iam_policy_document.plan_entry_trust.json
    stage = data.aws_iam_policy_document.stage_entry_trust.json
    prod  = data.aws_iam_policy_document.prod_entry_trust.json
  }
}

resource "aws_iam_role" "entry" {
  for_each = local.entry_subjects

  name               = var.entry_role_names[each.key]
  description        = "GitHub Actions of ${local.github_repository} (${each.key}): may assume ${local.entry_targets[each.key]} in the organisation's accounts, nothing else."
  assume_role_policy = local.entry_trust[each.key]

  # The orchestrator asks for one hour and renews before it runs out.
  max_session_duration = 3600

  # The trust needs the provider to exist when the role is created.
  depends_on = [aws_iam_openid_connect_provider.github]
}

data "aws_iam_policy_document" "entry" {
  for_each = local.entry_targets

  statement {
    sid       = "AssumeAccountRole"
    actions   = ["sts:AssumeRole"]
    resources = ["arn:${local.partition}:iam::*:role/${each.value}"]

    # Only roles of this organisation's accounts.
    condition {
      test     = "StringEquals"
      variable = "aws:ResourceOrgID"
      values   = [local.organization_id]
    }
  }
}

resource "aws_iam_role_policy" "entry" {
  for_each = local.entry_targets

  name   = "assume-${each.value}"
  role   = aws_iam_role.entry[each.key].id
  policy = data.aws_iam_policy_document.entry[each.key].json
}
