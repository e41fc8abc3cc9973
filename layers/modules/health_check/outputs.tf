output "function_name" {
  description = "Name of the health-check Lambda function."
  value       = aws_lambda_function.this.function_name
}

output "function_arn" {
  description = "ARN of the health-check Lambda function."
  value       = aws_lambda_function.this.arn
}

output "security_group_id" {
  description = "Security group of the function (HTTPS egress only)."
  value       = aws_security_group.this.id
}

output "alarm_arn" {
  description = "ARN of the CloudWatch alarm that fires when the check keeps failing."
  value       = aws_cloudwatch_metric_alarm.failing.arn
}
