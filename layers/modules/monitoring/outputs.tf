output "role_arn" {
  description = "ARN of the role to register with the monitoring vendor."
  value       = aws_iam_role.this.arn
}

output "role_name" {
  description = "Name of the monitoring vendor's role."
  value       = aws_iam_role.this.name
}
