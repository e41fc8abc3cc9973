output "account_alias" {
  description = "IAM account alias (sign-in URL `https://<alias>.signin.aws.amazon.com/console`)."
  value       = aws_iam_account_alias.this.account_alias
}

output "orchestrator_role_arn" {
  description = "ARN of the role the orchestrator assumes to deploy (`role_name` in domains.yaml)."
  value       = aws_iam_role.orchestrator.arn
}

output "plan_role_arn" {
  description = "ARN of the read-only role `--plan-only` runs assume (`plan_role_name` in domains.yaml)."
  value       = aws_iam_role.plan.arn
}

output "deploy_entry_role_arn" {
  description = "ARN of the management account's entry role that alone may assume `role_name` here (stage or prod, by environment)."
  value       = local.deploy_entry_role_arn
}

output "platform_kms_key_arn" {
  description = "ARN of the key encrypting the account's log groups and alerts topic (alias `alias/<account_name>-platform`); the dynamic layer encrypts its logs with it."
  value       = aws_kms_key.platform.arn
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
