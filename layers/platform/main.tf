data "aws_partition" "current" {}

locals {
  partition = data.aws_partition.current.partition

  # The alias must be globally unique across AWS, hence the organisation prefix.
  account_alias = join("-", compact([var.org_prefix, var.account_name]))
}

resource "aws_iam_account_alias" "this" {
  account_alias = local.account_alias
}

module "vpc" {
  source = "../modules/vpc"

  name                    = var.account_name
  cidr_block              = var.network_cidr
  az_count                = var.az_count
  environment             = var.environment
  single_nat_gateway      = var.single_nat_gateway
  flow_log_retention_days = var.flow_log_retention_days
  flow_log_kms_key_arn    = aws_kms_key.platform.arn
}

module "health_check" {
  source = "../modules/health_check"

  name             = "${var.account_name}-health-check"
  vpc_id           = module.vpc.vpc_id
  subnet_ids       = module.vpc.private_subnet_ids
  phone_home_url   = var.phone_home_url
  interval_minutes = var.health_check_interval_minutes
  alarm_topic_arns = [aws_sns_topic.alerts.arn]
  log_kms_key_arn  = aws_kms_key.platform.arn
}

module "monitoring" {
  source = "../modules/monitoring"
  count  = var.enable_monitoring ? 1 : 0

  role_name         = "${var.account_name}-monitoring"
  vendor_account_id = var.monitoring_vendor_account_id
  external_id       = var.monitoring_external_id
}
