locals {
  # Every name carries the suffix, so copies of the stack (one per feature branch) never clash.
  stack_name = var.stack_suffix == "" ? "${var.account_name}-app" : "${var.account_name}-app-${var.stack_suffix}"
}

# The platform layer's key for the account's logs (layers/platform/kms.tf).
data "aws_kms_alias" "platform" {
  name = "alias/${var.account_name}-platform"
}

# Zipped at plan time, one zip per stack so parallel plans never write the same file.
data "archive_file" "app" {
  type             = "zip"
  source_file      = "${path.module}/src/app.py"
  output_path      = "${path.module}/.build/${local.stack_name}.zip"
  output_file_mode = "0644"
}

# ---------------------------------------------------------------------------------------------
# Function
# ---------------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${local.stack_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = data.aws_kms_alias.platform.target_key_arn
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

# The example needs nothing but its own logs; a real application adds its data stores here.
data "aws_iam_policy_document" "function" {
  statement {
    sid       = "OwnLogGroup"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.function.arn}:*"]
  }

  # X-Ray's write API supports no resource-level restriction.
  statement {
    sid       = "Tracing"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "function" {
  name               = "${local.stack_name}-function"
  description        = "Execution role of the ${local.stack_name} function."
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy" "function" {
  name   = "function"
  role   = aws_iam_role.function.id
  policy = data.aws_iam_policy_document.function.json
}

resource "aws_lambda_function" "app" {
  #checkov:skip=CKV_AWS_116:Invoked synchronously by API Gateway, which returns the error to the caller; a dead-letter queue only serves asynchronous invocations.
  #checkov:skip=CKV_AWS_115:New accounts start with a concurrency quota of 10 and Lambda refuses any reservation leaving fewer than 10 unreserved; the API's throttling limits bound the load instead.
  #checkov:skip=CKV_AWS_117:The example reaches no private resource; a real application that does adds vpc_config (the platform layer's private subnets).
  #checkov:skip=CKV_AWS_272:The code is zipped from this reviewed repository at plan time; there is no signing pipeline to verify against.
  #checkov:skip=CKV_AWS_173:The variables are the stack name, domain and environment, no secret; Lambda encrypts them at rest with its service key.
  function_name    = local.stack_name
  description      = "Example application of ${var.account_name} (stack ${local.stack_name})."
  role             = aws_iam_role.function.arn
  runtime          = "python3.12"
  handler          = "app.handler"
  architectures    = ["arm64"]
  memory_size      = var.lambda_memory_mb
  timeout          = var.lambda_timeout_seconds
  filename         = data.archive_file.app.output_path
  source_code_hash = data.archive_file.app.output_base64sha256

  environment {
    variables = {
      STACK_NAME  = local.stack_name
      DOMAIN      = var.domain
      ENVIRONMENT = var.environment
    }
  }

  tracing_config {
    mode = "Active"
  }

  # The role may only write to the pre-created log group, and its policy must be in place
  # before the first invocation.
  depends_on = [aws_iam_role_policy.function, aws_cloudwatch_log_group.function]
}

# ---------------------------------------------------------------------------------------------
# HTTPS endpoint: API Gateway HTTP API (TLS, throttling and access logs without a load balancer)
# ---------------------------------------------------------------------------------------------

resource "aws_cloudwatch_log_group" "api" {
  name              = "/aws/apigateway/${local.stack_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = data.aws_kms_alias.platform.target_key_arn
}

resource "aws_apigatewayv2_api" "app" {
  name          = local.stack_name
  description   = "HTTPS endpoint of ${local.stack_name}."
  protocol_type = "HTTP"
}

resource "aws_apigatewayv2_integration" "app" {
  api_id                 = aws_apigatewayv2_api.app.id
  integration_type       = "AWS_PROXY"
  integration_uri        = aws_lambda_function.app.invoke_arn
  payload_format_version = "2.0"
}

# /health is unauthenticated on purpose: the orchestrator's post-deploy check polls it.
resource "aws_apigatewayv2_route" "health" {
  #checkov:skip=CKV_AWS_309:The post-deploy health check polls this route without credentials; it returns only the stack's name.
  api_id             = aws_apigatewayv2_api.app.id
  route_key          = "GET /health"
  authorization_type = "NONE"
  target             = "integrations/${aws_apigatewayv2_integration.app.id}"
}

# Every other route needs SigV4-signed requests (IAM); a real application may use a JWT
# authorizer instead.
resource "aws_apigatewayv2_route" "default" {
  api_id             = aws_apigatewayv2_api.app.id
  route_key          = "$default"
  authorization_type = "AWS_IAM"
  target             = "integrations/${aws_apigatewayv2_integration.app.id}"
}

resource "aws_apigatewayv2_stage" "default" {
  api_id      = aws_apigatewayv2_api.app.id
  name        = "$default"
  auto_deploy = true

  default_route_settings {
    throttling_rate_limit  = var.throttling_rate_limit
    throttling_burst_limit = var.throttling_burst_limit
  }

  access_log_settings {
    destination_arn = aws_cloudwatch_log_group.api.arn
    format = jsonencode({
      requestId          = "$context.requestId"
      sourceIp           = "$context.identity.sourceIp"
      requestTime        = "$context.requestTime"
      httpMethod         = "$context.httpMethod"
      path               = "$context.path"
      routeKey           = "$context.routeKey"
      status             = "$context.status"
      responseLatency    = "$context.responseLatency"
      integrationError   = "$context.integrationErrorMessage"
      integrationLatency = "$context.integrationLatency"
    })
  }
}

resource "aws_lambda_permission" "api" {
  statement_id  = "AllowApiGateway"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.app.function_name
  principal     = "apigateway.amazonaws.com"

  # Only this API, any stage and route.
  source_arn = "${aws_apigatewayv2_api.app.execution_arn}/*"
}
