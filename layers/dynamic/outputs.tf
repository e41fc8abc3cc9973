output "health_url" {
  description = "HTTPS URL answering 200 when the stack serves; name it as the layer's health_check output in domains.yaml."
  value       = "${aws_apigatewayv2_api.app.api_endpoint}/health"

  # The URL only answers once the stage and the invoke permission exist.
  depends_on = [aws_apigatewayv2_stage.default, aws_apigatewayv2_route.health, aws_lambda_permission.api]
}

output "api_endpoint" {
  description = "Base HTTPS URL of the stack's API."
  value       = aws_apigatewayv2_api.app.api_endpoint
}

output "stack_name" {
  description = "Name shared by the stack's resources (account name, `-app`, and the stack_suffix if any)."
  value       = local.stack_name
}

output "function_name" {
  description = "Name of the application's Lambda function."
  value       = aws_lambda_function.app.function_name
}
