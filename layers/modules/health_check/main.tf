locals {
  # boto3 would otherwise use the global STS endpoint, outside the region being checked.
  sts_environment = { AWS_STS_REGIONAL_ENDPOINTS = "regional" }
  url_environment = var.phone_home_url == null ? {} : { PHONE_HOME_URL = var.phone_home_url }
  environment     = merge(local.sts_environment, local.url_environment)
}

# Zipped at plan time. One zip per function name: parallel plans of several accounts from one
# checkout must never write the same file.
data "archive_file" "source" {
  type             = "zip"
  source_file      = "${path.module}/src/phone_home.py"
  output_path      = "${path.root}/.build/${var.name}.zip"
  output_file_mode = "0644"
}

# ----- network: no inbound at all, HTTPS out only -----

resource "aws_security_group" "this" {
  name        = var.name
  description = "Health-check function: HTTPS egress only."
  vpc_id      = var.vpc_id

  tags = merge(var.tags, { Name = var.name })
}

# DNS to the VPC resolver is not subject to security groups, so HTTPS is the only rule needed.
resource "aws_vpc_security_group_egress_rule" "https" {
  security_group_id = aws_security_group.this.id
  description       = "HTTPS to the phone-home URL or the STS endpoint"
  ip_protocol       = "tcp"
  from_port         = 443
  to_port           = 443
  cidr_ipv4         = "0.0.0.0/0"

  tags = var.tags
}

# ----- identity: ENIs in the VPC and its own log group, nothing else -----

resource "aws_cloudwatch_log_group" "this" {
  name              = "/aws/lambda/${var.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = var.log_kms_key_arn

  tags = var.tags
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}
data "aws_region" "current" {}

locals {
  ec2_arn = "arn:${data.aws_partition.current.partition}:ec2:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
}

data "aws_iam_policy_document" "this" {
  # Lambda creates and deletes the function's network interfaces with the function's role: in
  # the function's own subnets and security group, in this account and region only.
  statement {
    sid     = "CreateNetworkInterfaces"
    actions = ["ec2:CreateNetworkInterface"]
    resources = concat(
      [for id in var.subnet_ids : "${local.ec2_arn}:subnet/${id}"],
      [aws_security_group.this.arn, "${local.ec2_arn}:network-interface/*"],
    )
  }

  statement {
    sid = "ManageNetworkInterfaces"
    actions = [
      "ec2:AssignPrivateIpAddresses",
      "ec2:DeleteNetworkInterface",
      "ec2:UnassignPrivateIpAddresses",
    ]
    resources = ["${local.ec2_arn}:network-interface/*"]
  }

  # Describe calls support no resource-level restriction.
  statement {
    sid       = "DescribeNetwork"
    actions   = ["ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets"]
    resources = ["*"]
  }

  # X-Ray's write API supports no resource-level restriction either.
  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }

  statement {
    sid       = "OwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this.arn}:*"]
  }
}

resource "aws_iam_role" "this" {
  name               = var.name
  description        = "Execution role of the ${var.name} health-check function."
  assume_role_policy = data.aws_iam_policy_document.trust.json

  tags = var.tags
}

resource "aws_iam_role_policy" "this" {
  name   = "health-check"
  role   = aws_iam_role.this.id
  policy = data.aws_iam_policy_document.this.json
}

# ----- function and schedule -----

resource "aws_lambda_function" "this" {
  #checkov:skip=CKV_AWS_116:Invoked by a schedule; a failed run raises the Errors alarm below, and replaying a stale check from a dead-letter queue proves nothing.
  #checkov:skip=CKV_AWS_115:New accounts start with a concurrency quota of 10 and Lambda refuses any reservation leaving fewer than 10 unreserved; the schedule runs it once per interval.
  #checkov:skip=CKV_AWS_272:The code is zipped from this reviewed repository at plan time; there is no signing pipeline to verify against.
  #checkov:skip=CKV_AWS_173:The variables are a URL and an STS setting, no secret; Lambda encrypts them at rest with its service key.
  function_name    = var.name
  description      = "Phones home on a schedule to prove the account's private network has egress."
  role             = aws_iam_role.this.arn
  runtime          = "python3.12"
  handler          = "phone_home.handler"
  architectures    = ["arm64"]
  memory_size      = 128
  timeout          = var.timeout_seconds
  filename         = data.archive_file.source.output_path
  source_code_hash = data.archive_file.source.output_base64sha256

  environment {
    variables = local.environment
  }

  vpc_config {
    subnet_ids         = var.subnet_ids
    security_group_ids = [aws_security_group.this.id]
  }

  tracing_config {
    mode = "Active"
  }

  tags = var.tags

  # Lambda checks the role's ENI permissions when it creates the function, and the role may not
  # create its log group (the policy grants writes to the pre-created one only).
  depends_on = [aws_iam_role_policy.this, aws_cloudwatch_log_group.this]
}

resource "aws_cloudwatch_event_rule" "schedule" {
  name                = var.name
  description         = "Runs the ${var.name} health check."
  schedule_expression = var.interval_minutes == 1 ? "rate(1 minute)" : "rate(${var.interval_minutes} minutes)"

  tags = var.tags
}

resource "aws_cloudwatch_event_target" "schedule" {
  rule = aws_cloudwatch_event_rule.schedule.name
  arn  = aws_lambda_function.this.arn
}

resource "aws_lambda_permission" "schedule" {
  statement_id  = "AllowEventBridgeSchedule"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.this.function_name
  principal     = "events.amazonaws.com"
  source_arn    = aws_cloudwatch_event_rule.schedule.arn
}

# ----- alarm -----

resource "aws_cloudwatch_metric_alarm" "failing" {
  alarm_name        = "${var.name}-failing"
  alarm_description = "The ${var.name} health check failed twice in a row: the account's private network may have lost egress."

  namespace   = "AWS/Lambda"
  metric_name = "Errors"
  dimensions  = { FunctionName = aws_lambda_function.this.function_name }
  statistic   = "Sum"
  period      = var.interval_minutes * 60

  # One period per run, two failed in a row: one transient blip does not page anyone.
  evaluation_periods  = 2
  datapoints_to_alarm = 2
  comparison_operator = "GreaterThanOrEqualToThreshold"
  threshold           = 1
  treat_missing_data  = "notBreaching"

  alarm_actions = var.alarm_topic_arns
  ok_actions    = var.alarm_topic_arns

  tags = var.tags
}
