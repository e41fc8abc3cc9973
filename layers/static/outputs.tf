output "artifacts_bucket_name" {
  description = "Name of the artifacts bucket (build outputs, deploy packages)."
  value       = aws_s3_bucket.this["artifacts"].bucket
}

output "artifacts_bucket_arn" {
  description = "ARN of the artifacts bucket."
  value       = aws_s3_bucket.this["artifacts"].arn
}

output "logs_bucket_name" {
  description = "Name of the logs bucket (application and service logs)."
  value       = aws_s3_bucket.this["logs"].bucket
}

output "logs_bucket_arn" {
  description = "ARN of the logs bucket."
  value       = aws_s3_bucket.this["logs"].arn
}

output "kms_key_arn" {
  description = "ARN of the KMS key encrypting both buckets; writers need kms:GenerateDataKey on it, readers kms:Decrypt."
  value       = aws_kms_key.this.arn
}

output "kms_key_alias" {
  description = "Alias of the KMS key."
  value       = aws_kms_alias.this.name
}

output "dns_zone_id" {
  description = "ID of the account's Route53 zone; null unless dns_zone_name is set."
  value       = one(aws_route53_zone.this[*].zone_id)
}

output "dns_name_servers" {
  description = "Name servers of the account's Route53 zone, for the NS delegation in the parent zone; null unless dns_zone_name is set."
  value       = one(aws_route53_zone.this[*].name_servers)
}
