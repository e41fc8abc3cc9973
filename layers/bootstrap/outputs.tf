output "entry_role_arns" {
  description = "ARNs of the entry roles by purpose: set `plan` as the repository variable ORCHESTRATOR_PLAN_ROLE_ARN, `stage` as ORCHESTRATOR_OIDC_ROLE_ARN, and `prod` as ORCHESTRATOR_OIDC_ROLE_ARN of the GitHub environment `production`."
  value       = { for purpose, role in aws_iam_role.entry : purpose => role.arn }
}

output "entry_role_subjects" {
  description = "The OIDC `sub` claims each entry role trusts (exact matches)."
  value       = local.entry_subjects
}

output "github_oidc_provider_arn" {
  description = "ARN of the management account's GitHub Actions OIDC provider."
  value       = one(concat(aws_iam_openid_connect_provider.github[*].arn, data.aws_iam_openid_connect_provider.github[*].arn))
}

output "state_bucket" {
  description = "Name of the state bucket (`state.bucket` in domains.yaml)."
  value       = aws_s3_bucket.state.id
}

output "state_kms_key_arn" {
  description = "ARN of the KMS key encrypting the state bucket."
  value       = aws_kms_key.state.arn
}

output "access_logs_bucket" {
  description = "Name of the bucket receiving the state bucket's server access logs."
  value       = aws_s3_bucket.access_logs.id
}

output "backend_config" {
  description = "The -backend-config arguments that move this layer's own state into the state bucket (docs/aws-setup.md, step 3)."
  value       = "-backend-config=bucket=${aws_s3_bucket.state.id} -backend-config=key=bootstrap/terraform.tfstate -backend-config=region=${var.region} -backend-config=use_lockfile=true"
}
