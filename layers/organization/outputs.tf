output "account_ids" {
  description = "Account name (`<domain>-<env>`) to 12-digit account id. The orchestrator reads it for accounts that omit account_id in domains.yaml."
  value       = { for name, account in aws_organizations_account.this : name => account.id }
}

output "organizational_unit_ids" {
  description = "Environment name to the id of its organisational unit (for service control policies)."
  value       = { for environment, ou in aws_organizations_organizational_unit.environment : environment => ou.id }
}
