# ---------------------------------------------------------------------------------------------
# Orchestrator role
#
# The orchestrator assumes this role to apply every layer, so it exists before this layer first
# runs: AWS Organizations creates it in vended accounts (with an inline AdministratorAccess
# policy), an operator creates it by hand in invited ones. Adopting it here puts its trust policy
# under review like any other change. Its permissions are left as they are: it must be able to
# deploy anything, and the inline policy is not managed by this resource.
# ---------------------------------------------------------------------------------------------

import {
  to = aws_iam_role.orchestrator
  id = var.role_name
}

locals {
  management_account_root = "arn:${local.partition}:iam::${var.management_account_id}:root"
  orchestrator_principals = length(var.orchestrator_principal_arns) > 0 ? var.orchestrator_principal_arns : [local.management_account_root]
}

data "aws_iam_policy_document" "orchestrator_trust" {
  statement {
    sid     = "ManagementAccount"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = local.orchestrator_principals
    }
  }
}

resource "aws_iam_role" "orchestrator" {
  name               = var.role_name
  description        = "Assumed by the orchestrator from the management account to apply every layer."
  assume_role_policy = data.aws_iam_policy_document.orchestrator_trust.json

  lifecycle {
    # Destroying this layer must not delete the role the orchestrator (and every later
    # recovery) depends on to reach the account.
    prevent_destroy = true
  }
}

# ---------------------------------------------------------------------------------------------
# GitHub Actions deploy role (OIDC: no long-lived secret anywhere)
# ---------------------------------------------------------------------------------------------

locals {
  github_oidc_url = "token.actions.githubusercontent.com"

  # Exactly one of the two exists, depending on create_github_oidc_provider.
  github_oidc_provider_arn = one(concat(aws_iam_openid_connect_provider.github[*].arn, data.aws_iam_openid_connect_provider.github[*].arn))

  # Only reviewed code deploys: prod trusts jobs running in the GitHub environment
  # `production` (its protection rules gate every prod deploy), other environments trust
  # workflows of the main branch. Never `repo:<repo>:*`, which would let any branch or pull
  # request take this role's rights.
  default_github_oidc_subjects = var.environment == "prod" ? ["repo:${var.github_repository}:environment:production"] : ["repo:${var.github_repository}:ref:refs/heads/main"]
  github_oidc_subjects         = length(var.github_oidc_subjects) > 0 ? var.github_oidc_subjects : local.default_github_oidc_subjects

  administrator_access    = "arn:${local.partition}:iam::aws:policy/AdministratorAccess"
  deploy_role_policy_arns = length(var.deploy_role_policy_arns) > 0 ? var.deploy_role_policy_arns : [local.administrator_access]
}

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

data "aws_iam_policy_document" "deploy_trust" {
  statement {
    sid     = "GitHubActions"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.github_oidc_provider_arn]
    }

    # Without an audience check any token minted for another audience would be accepted.
    condition {
      test     = "StringEquals"
      variable = "${local.github_oidc_url}:aud"
      values   = ["sts.amazonaws.com"]
    }

    # Without a subject check every repository on GitHub could assume this role.
    condition {
      test     = "StringLike"
      variable = "${local.github_oidc_url}:sub"
      values   = local.github_oidc_subjects
    }
  }

  dynamic "statement" {
    for_each = aws_iam_user.ci

    content {
      sid     = "CiUser"
      actions = ["sts:AssumeRole"]

      principals {
        type        = "AWS"
        identifiers = [statement.value.arn]
      }
    }
  }
}

resource "aws_iam_role" "deploy" {
  name               = var.deploy_role_name
  description        = "Assumed by GitHub Actions in ${var.github_repository} (OIDC) to deploy the account's layers."
  assume_role_policy = data.aws_iam_policy_document.deploy_trust.json

  # Matches the STS limit for chained roles, so a deploy never outlives its credentials silently.
  max_session_duration = 3600
}

resource "aws_iam_role_policy_attachment" "deploy" {
  for_each = toset(local.deploy_role_policy_arns)

  role       = aws_iam_role.deploy.name
  policy_arn = each.value
}

# ---------------------------------------------------------------------------------------------
# Optional CI user, for systems that cannot use OIDC
#
# It can do nothing but assume the deploy role, so every action it takes is logged in CloudTrail
# under that role and the same policies apply. The access key is written to Secrets Manager and
# never output; it is still in this layer's state, which is why the state bucket is encrypted and
# restricted. Rotate with `terraform apply -replace='aws_iam_access_key.ci[0]'`.
# ---------------------------------------------------------------------------------------------

resource "aws_iam_user" "ci" {
  count = var.create_ci_user ? 1 : 0

  name = "${var.account_name}-ci"
  path = "/ci/"
}

data "aws_iam_policy_document" "ci_user" {
  count = var.create_ci_user ? 1 : 0

  statement {
    sid       = "AssumeDeployRoleOnly"
    actions   = ["sts:AssumeRole"]
    resources = [aws_iam_role.deploy.arn]
  }
}

resource "aws_iam_user_policy" "ci" {
  count = var.create_ci_user ? 1 : 0

  name   = "assume-deploy-role"
  user   = aws_iam_user.ci[0].name
  policy = data.aws_iam_policy_document.ci_user[0].json
}

resource "aws_iam_access_key" "ci" {
  count = var.create_ci_user ? 1 : 0

  user = aws_iam_user.ci[0].name
}

resource "aws_secretsmanager_secret" "ci_user" {
  count = var.create_ci_user ? 1 : 0

  name        = "${var.account_name}/ci-user/access-key"
  description = "Access key of IAM user ${aws_iam_user.ci[0].name}; its only permission is assuming ${aws_iam_role.deploy.name}."
}

resource "aws_secretsmanager_secret_version" "ci_user" {
  count = var.create_ci_user ? 1 : 0

  secret_id = aws_secretsmanager_secret.ci_user[0].id
  secret_string = jsonencode({
    AWS_ACCESS_KEY_ID     = aws_iam_access_key.ci[0].id
    AWS_SECRET_ACCESS_KEY = aws_iam_access_key.ci[0].secret
    role_arn              = aws_iam_role.deploy.arn
  })
}
