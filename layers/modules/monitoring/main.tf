data "aws_partition" "current" {}

locals {
  # Not ReadOnlyAccess: it includes s3:GetObject and would let the vendor read the account's data.
  default_policy_arns = [
    "arn:${data.aws_partition.current.partition}:iam::aws:policy/CloudWatchReadOnlyAccess",
    "arn:${data.aws_partition.current.partition}:iam::aws:policy/job-function/ViewOnlyAccess",
  ]
  policy_arns = length(var.policy_arns) > 0 ? var.policy_arns : local.default_policy_arns
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "MonitoringVendor"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${var.vendor_account_id}:root"]
    }

    # The vendor's account is shared by all its customers: the external id proves the request
    # comes from the integration configured for this organisation (confused-deputy protection).
    condition {
      test     = "StringEquals"
      variable = "sts:ExternalId"
      values   = [var.external_id]
    }
  }
}

resource "aws_iam_role" "this" {
  name                 = var.role_name
  description          = "Read-only access for the monitoring vendor (account ${var.vendor_account_id})."
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "this" {
  for_each = toset(local.policy_arns)

  role       = aws_iam_role.this.name
  policy_arn = each.value
}
