output "account_alias" {
  description = "IAM account alias (sign-in URL `https://<alias>.signin.aws.amazon.com/console`)."
  value       = aws_iam_account_alias.this.account_alias
}

output "orchestrator_role_arn" {
  description = "ARN of the role the orchestrator assumes from the management account."
  value       = aws_iam_role.orchestrator.arn
}

output "deploy_role_arn" {
  description = "ARN of the role GitHub Actions assumes through OIDC (`role-to-assume` of aws-actions/configure-aws-credentials)."
  value       = aws_iam_role.deploy.arn
}

output "github_oidc_provider_arn" {
  description = "ARN of the account's GitHub Actions OIDC provider."
  value       = local.github_oidc_provider_arn
}

output "ci_user_secret_arn" {
  description = "ARN of the Secrets Manager secret holding the CI user's access key; null unless create_ci_user."
  value       = one(aws_secretsmanager_secret.ci_user[*].arn)
}

output "vpc_id" {
  description = "ID of the account's VPC."
  value       = module.vpc.vpc_id
}

output "vpc_cidr_block" {
  description = "CIDR block of the account's VPC (the account's network.cidr)."
  value       = module.vpc.cidr_block
}

output "availability_zones" {
  description = "Availability zones the VPC spans, in subnet order."
  value       = module.vpc.availability_zones
}

output "public_subnet_ids" {
  description = "IDs of the public subnets, one per availability zone."
  value       = module.vpc.public_subnet_ids
}

output "private_subnet_ids" {
  description = "IDs of the private subnets, one per availability zone."
  value       = module.vpc.private_subnet_ids
}

output "nat_gateway_public_ips" {
  description = "Public IPs of the NAT gateways: the account's egress addresses, for allow-lists."
  value       = module.vpc.nat_gateway_public_ips
}

output "alerts_topic_arn" {
  description = "ARN of the SNS topic receiving the budget and health-check alarms."
  value       = aws_sns_topic.alerts.arn
}

output "health_check_function_name" {
  description = "Name of the health-check Lambda function."
  value       = module.health_check.function_name
}

output "monitoring_role_arn" {
  description = "ARN of the monitoring vendor's read-only role; null unless enable_monitoring."
  value       = one(module.monitoring[*].role_arn)
}
