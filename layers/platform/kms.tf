# One customer managed key for what the baseline writes: the VPC flow logs, the health check's
# logs, the alerts topic, and the application's logs in the dynamic layer (which finds it by its
# alias). The services it serves are named in its policy, each limited to this account.

data "aws_region" "current" {}

locals {
  platform_key_alias = "alias/${var.account_name}-platform"
}

data "aws_iam_policy_document" "platform_key" {
  #checkov:skip=CKV_AWS_109:In a key policy `*` is this key; kms:* for the account root keeps the key manageable through IAM (AWS's default key policy).
  #checkov:skip=CKV_AWS_111:In a key policy `*` is this key; kms:* for the account root keeps the key manageable through IAM (AWS's default key policy).
  #checkov:skip=CKV_AWS_356:In a key policy `*` is this key, not every resource.
  statement {
    sid       = "AccountIamPolicies"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${var.account_id}:root"]
    }
  }

  # CloudWatch Logs encrypts log groups of this account only (the encryption context names the
  # log group).
  statement {
    sid       = "CloudWatchLogs"
    actions   = ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["logs.${var.region}.amazonaws.com"]
    }

    condition {
      test     = "ArnLike"
      variable = "kms:EncryptionContext:aws:logs:arn"
      values   = ["arn:${local.partition}:logs:${var.region}:${var.account_id}:log-group:*"]
    }
  }

  # Budgets and CloudWatch alarms publish to the encrypted alerts topic.
  statement {
    sid       = "AlertPublishers"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey*"]
    resources = ["*"]

    principals {
      type        = "Service"
      identifiers = ["budgets.amazonaws.com", "cloudwatch.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.account_id]
    }
  }
}

resource "aws_kms_key" "platform" {
  description             = "Encrypts the ${var.account_name} log groups and alerts topic."
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = data.aws_iam_policy_document.platform_key.json
}

resource "aws_kms_alias" "platform" {
  name          = local.platform_key_alias
  target_key_id = aws_kms_key.platform.key_id
}
