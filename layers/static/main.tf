data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition

  # The account id makes the names globally unique without a random suffix, so anyone can work
  # out a bucket's name from the account alone.
  bucket_names = {
    artifacts = "${var.account_name}-${var.account_id}-artifacts"
    logs      = "${var.account_name}-${var.account_id}-logs"
  }
}

# ---------------------------------------------------------------------------------------------
# KMS key for everything stored by this layer
# ---------------------------------------------------------------------------------------------

data "aws_iam_policy_document" "kms" {
  #checkov:skip=CKV_AWS_109:In a key policy `*` is this key; kms:* for the account root keeps the key manageable through IAM (AWS's default key policy).
  #checkov:skip=CKV_AWS_111:In a key policy `*` is this key; kms:* for the account root keeps the key manageable through IAM (AWS's default key policy).
  #checkov:skip=CKV_AWS_356:In a key policy `*` is this key, not every resource.
  # Delegates access to IAM policies in this account; without it the key could become
  # unmanageable. Only the account itself is named: no cross-account use.
  statement {
    sid       = "AccountIamPolicies"
    actions   = ["kms:*"]
    resources = ["*"]

    principals {
      type        = "AWS"
      identifiers = ["arn:${local.partition}:iam::${var.account_id}:root"]
    }
  }
}

resource "aws_kms_key" "this" {
  description             = "Encrypts the ${var.account_name} artifacts and logs buckets."
  enable_key_rotation     = true
  deletion_window_in_days = var.kms_deletion_window_days
  policy                  = data.aws_iam_policy_document.kms.json
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.account_name}-static"
  target_key_id = aws_kms_key.this.key_id
}

# ---------------------------------------------------------------------------------------------
# Buckets: artifacts (build outputs, deploy packages) and logs (application and service logs)
#
# Both use SSE-KMS with the key above. S3 server access logging and ALB access logs cannot be
# delivered to an SSE-KMS bucket, so object access is audited with CloudTrail data events instead.
# ---------------------------------------------------------------------------------------------

resource "aws_s3_bucket" "this" {
  #checkov:skip=CKV_AWS_18:S3 server access logs cannot be delivered to an SSE-KMS bucket (see above); audit object access with CloudTrail data events.
  #checkov:skip=CKV2_AWS_62:Nothing in the baseline consumes bucket events; an application that does adds its own notification.
  #checkov:skip=CKV2_AWS_61:The lifecycle rules are aws_s3_bucket_lifecycle_configuration.artifacts and .logs below; the scanner does not follow for_each to them.
  #checkov:skip=CKV_AWS_144:Versioning and the key's deletion window cover recovery; replicating every account's buckets to a second region is a cost each domain decides.
  for_each = local.bucket_names

  bucket = each.value

  # A stateful layer: destroying a bucket that still holds objects must fail, not empty it.
  force_destroy = false

  tags = { purpose = each.key }
}

resource "aws_s3_bucket_ownership_controls" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  # ACLs disabled: access is decided by IAM and the bucket policy alone.
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_public_access_block" "this" {
  for_each = aws_s3_bucket.this

  bucket                  = each.value.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_versioning" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id

  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }

    # S3 Bucket Keys cut KMS requests (and their cost and throttling) by orders of magnitude.
    bucket_key_enabled = true
  }
}

data "aws_iam_policy_document" "bucket" {
  for_each = aws_s3_bucket.this

  statement {
    sid       = "DenyInsecureTransport"
    effect    = "Deny"
    actions   = ["s3:*"]
    resources = [each.value.arn, "${each.value.arn}/*"]

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
    resources = [each.value.arn, "${each.value.arn}/*"]

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

  # Default encryption applies when a client sends no encryption header; this stops a client
  # from explicitly asking for weaker SSE-S3 encryption instead.
  statement {
    sid       = "DenyNonKmsEncryption"
    effect    = "Deny"
    actions   = ["s3:PutObject"]
    resources = ["${each.value.arn}/*"]

    principals {
      type        = "*"
      identifiers = ["*"]
    }

    condition {
      test     = "StringNotEqualsIfExists"
      variable = "s3:x-amz-server-side-encryption"
      values   = ["aws:kms"]
    }
  }
}

resource "aws_s3_bucket_policy" "this" {
  for_each = aws_s3_bucket.this

  bucket = each.value.id
  policy = data.aws_iam_policy_document.bucket[each.key].json

  # S3 rejects a policy change while the public access block is being written.
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "artifacts" {
  bucket = aws_s3_bucket.this["artifacts"].id

  rule {
    id     = "expire-old-versions"
    status = "Enabled"

    filter {}

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  # Versioning first, then rules about noncurrent versions (the ordering the provider documents).
  depends_on = [aws_s3_bucket_versioning.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "logs" {
  bucket = aws_s3_bucket.this["logs"].id

  rule {
    id     = "expire-logs"
    status = "Enabled"

    filter {}

    expiration {
      days = var.log_retention_days
    }

    noncurrent_version_expiration {
      noncurrent_days = var.noncurrent_version_retention_days
    }

    abort_incomplete_multipart_upload {
      days_after_initiation = 7
    }
  }

  depends_on = [aws_s3_bucket_versioning.this]
}

# ---------------------------------------------------------------------------------------------
# Optional DNS zone
# ---------------------------------------------------------------------------------------------

resource "aws_route53_zone" "this" {
  #checkov:skip=CKV2_AWS_38:DNSSEC signing needs an asymmetric key in us-east-1 and a DS record in the parent zone, which this account does not own; enable it where the parent is delegated.
  #checkov:skip=CKV2_AWS_39:Query logs must go to a log group in us-east-1, which accounts in other regions cannot reach from this layer's provider; enable them where required.
  count = var.dns_zone_name == null ? 0 : 1

  name    = var.dns_zone_name
  comment = "Public zone of account ${var.account_name}; delegate it from the parent zone with the name_servers output."

  # Destroying a zone that still holds records must fail rather than silently delete them.
  force_destroy = false
}
