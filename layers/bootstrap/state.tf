# ---------------------------------------------------------------------------------------------
# The terraform state bucket of every account and layer
#
# Versioned (a broken state can be rolled back), encrypted with a customer managed KMS key (the
# member accounts' roles can use it, which they could not with the AWS managed key), never
# public, TLS only, its access logged, and old versions expired. Its policy gives each kind of
# principal exactly the keys it needs: plan roles read everything and write only lock files.
# ---------------------------------------------------------------------------------------------

locals {
  state_bucket_arn = "arn:${local.partition}:s3:::${var.state_bucket}"

  # Who reads and writes state, by purpose: the entry roles here, and the account roles of every
  # member account (`aws:PrincipalArn` of an assumed role is the role's ARN).
  plan_principals = [
    local.entry_role_arns["plan"],
    "arn:${local.partition}:iam::*:role/${var.plan_role_name}",
  ]
  deploy_principals = [
    local.entry_role_arns["stage"],
    local.entry_role_arns["prod"],
    "arn:${local.partition}:iam::*:role/${var.deploy_role_name}",
  ]
  ci_principals = concat(local.plan_principals, local.deploy_principals)

  # Every action that changes an object or the bucket, for the deny statements.
  write_actions = ["s3:Put*", "s3:Delete*", "s3:Restore*", "s3:Replicate*"]
}

resource "aws_kms_key" "state" {
  description             = "Encrypts the terraform state in ${var.state_bucket}."
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = data.aws_iam_policy_document.state_key.json
}

resource "aws_kms_alias" "state" {
  name          = "alias/${var.state_bucket}"
  target_key_id = aws_kms_key.state.key_id
}

data "aws_iam_policy_document" "state_key" {
  #checkov:skip=CKV_AWS_109:In a key policy `*` is this key; kms:* for the account root keeps the key manageable through IAM (AWS's default key policy).
  #checkov:skip=CKV_AWS_111:In a key policy `*` is this key; kms:* for the account root keeps the key manageable through IAM (AWS's default key policy).
  #checkov:skip=CKV_AWS_356:In a key policy `*` is this key, not every resource.
  statement {
    sid       = "AccountIamPolicies"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["${local.management_account}:root"]
    }
  }

  # The account roles of the member accounts read and write state through S3 only, and only
  # when they belong to this organisation.
  statement {
    sid       = "StateThroughS3"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = [local.organization_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:PrincipalArn"
      values   = local.ci_principals
    }

    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${var.region}.amazonaws.com"]
    }
  }
}

resource "aws_s3_bucket" "state" {
  #checkov:skip=CKV_AWS_144:Cross-region replication doubles the blast radius of a leaked state; versioning and the key's deletion window cover recovery.
  #checkov:skip=CKV2_AWS_62:Nothing consumes state-change events; access is audited by the access logs and CloudTrail.
  bucket = var.state_bucket

  # Every account's state: never emptied by a destroy.
  force_destroy = false

  lifecycle {
    prevent_destroy = true
  }
}

resource "aws_s3_bucket_ownership_controls" "state" {
  bucket = aws_s3_bucket.state.id

  # ACLs disabled: access is decided by IAM and the bucket policy alone.
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "state" {
  bucket                  = aws_s3_bucket.state.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "state" {
  bucket = aws_s3_bucket.state.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.state.arn
    }

    # S3 Bucket Keys cut KMS requests (and their cost and throttling) by orders of magnitude.
    bucket_key_enabled = true
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "state" {
  bucket = aws_s3_bucket.state.id

  rule {
    id     = "expire-old-state-versions"
    status = "Enabled"

    filter {}

    # Old versions may hold values that have since been rotated or removed: keep them only as
    # long as a rollback is plausible.
    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.state]
}

resource "aws_s3_bucket_logging" "state" {
  bucket        = aws_s3_bucket.state.id
  target_bucket = aws_s3_bucket.access_logs.id
  target_prefix = "${var.state_bucket}/"
}

data "aws_iam_policy_document" "state_bucket" {
  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.state_bucket_arn, "${local.state_bucket_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }

  statement {
    sid       = "DenyOutdatedTls"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.state_bucket_arn, "${local.state_bucket_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "NumericLessThan"
      variable = "s3:TlsVersion"
      values   = ["1.2"]
    }
  }

  # ----- plan: read every state, write only lock files (use_lockfile) -----

  statement {
    sid       = "PlanListBucket"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket_arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = [local.organization_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:PrincipalArn"
      values   = local.plan_principals
    }
  }

  statement {
    sid       = "PlanReadState"
    actions   = ["s3:GetObject"]
    resources = ["${local.state_bucket_arn}/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = [local.organization_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:PrincipalArn"
      values   = local.plan_principals
    }
  }

  statement {
    sid       = "PlanLockFiles"
    actions   = ["s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.state_bucket_arn}/*.tflock"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = [local.organization_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:PrincipalArn"
      values   = local.plan_principals
    }
  }

  # Whatever a plan role's own policies say, it never writes a state or changes the bucket.
  statement {
    sid           = "DenyPlanWritesBeyondLockFiles"
    effect        = "Deny"
    actions       = local.write_actions
    not_resources = ["${local.state_bucket_arn}/*.tflock"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:PrincipalArn"
      values   = local.plan_principals
    }
  }

  # ----- deploy: read and write state -----

  statement {
    sid       = "DeployListBucket"
    actions   = ["s3:ListBucket"]
    resources = [local.state_bucket_arn]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = [local.organization_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:PrincipalArn"
      values   = local.deploy_principals
    }
  }

  statement {
    sid       = "DeployReadWriteState"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${local.state_bucket_arn}/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = [local.organization_id]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:PrincipalArn"
      values   = local.deploy_principals
    }
  }

  # Jobs on main (the stage entry role) never write production state.
  statement {
    sid       = "DenyStageWritesToProductionState"
    effect    = "Deny"
    actions   = local.write_actions
    resources = [for key in var.prod_state_keys : "${local.state_bucket_arn}/${key}"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnEquals"
      variable = "aws:PrincipalArn"
      values   = [local.entry_role_arns["stage"]]
    }
  }

  # This layer's own state is written only by the people who bootstrap, never by CI.
  statement {
    sid       = "DenyCiWritesToBootstrapState"
    effect    = "Deny"
    actions   = local.write_actions
    resources = ["${local.state_bucket_arn}/bootstrap/*"]

    principals {
      type        = "AWS"
      identifiers = ["*"]
    }

    condition {
      test     = "ArnLike"
      variable = "aws:PrincipalArn"
      values   = local.ci_principals
    }
  }
}

resource "aws_s3_bucket_policy" "state" {
  bucket = aws_s3_bucket.state.id
  policy = data.aws_iam_policy_document.state_bucket.json

  # S3 rejects a policy change while the public access block is being written.
  depends_on = [aws_s3_bucket_public_access_block.state]
}

# ---------------------------------------------------------------------------------------------
# Access logs of the state bucket
# ---------------------------------------------------------------------------------------------

locals {
  access_logs_bucket_arn = "arn:${local.partition}:s3:::${var.state_bucket}-access-logs"
}

resource "aws_s3_bucket" "access_logs" {
  #checkov:skip=CKV_AWS_18:This is the access-log bucket; logging it into itself would log its own log writes forever.
  #checkov:skip=CKV_AWS_144:Access logs are an audit trail of one bucket; replication would copy them, not protect them.
  #checkov:skip=CKV2_AWS_62:Nothing consumes access-log events.
  #checkov:skip=CKV_AWS_145:S3 server access logging delivers only to SSE-S3 buckets, not SSE-KMS.
  bucket = "${var.state_bucket}-access-logs"

  force_destroy = false
}

resource "aws_s3_bucket_ownership_controls" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "access_logs" {
  bucket                  = aws_s3_bucket.access_logs.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm = "AES256"
    }
  }
}

resource "aws_s3_bucket_lifecycle_configuration" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id

  rule {
    id     = "expire-access-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = var.access_log_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = 1
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }

  depends_on = [aws_s3_bucket_versioning.access_logs]
}

data "aws_iam_policy_document" "access_logs" {
  statement {
    sid       = "S3ServerAccessLogs"
    actions   = ["s3:PutObject"]
    resources = ["${local.access_logs_bucket_arn}/*"]

    principals {
      type        = "Service"
      identifiers = ["logging.s3.amazonaws.com"]
    }

    # Only the state bucket's logs, from this account.
    condition {
      test     = "ArnLike"
      variable = "aws:SourceArn"
      values   = [local.state_bucket_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [var.management_account_id]
    }
  }

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [local.access_logs_bucket_arn, "${local.access_logs_bucket_arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "Bool"
      variable = "aws:SecureTransport"
      values   = ["false"]
    }
  }
}

resource "aws_s3_bucket_policy" "access_logs" {
  bucket = aws_s3_bucket.access_logs.id
  policy = data.aws_iam_policy_document.access_logs.json

  depends_on = [aws_s3_bucket_public_access_block.access_logs]
}
