variable "role_name" {
  description = "Name of the role the monitoring vendor assumes."
  type        = string
  default     = "monitoring-integration"
}

variable "vendor_account_id" {
  description = "AWS account id the monitoring vendor assumes the role from (given by the vendor)."
  type        = string

  validation {
    condition     = can(regex("^[0-9]{12}$", var.vendor_account_id))
    error_message = "vendor_account_id must be exactly 12 digits (set monitoring_vendor_account_id when enable_monitoring is true)."
  }
}

variable "external_id" {
  description = "External id the vendor presents when assuming the role; unique per customer, it stops other customers of the vendor from reaching this account."
  type        = string
  sensitive   = true

  validation {
    # The STS limits for ExternalId.
    condition     = try(length(var.external_id) >= 2 && length(var.external_id) <= 1224, false)
    error_message = "external_id must be 2 to 1224 characters (set monitoring_external_id when enable_monitoring is true)."
  }
}

variable "policy_arns" {
  description = "Managed policies attached to the role. Empty attaches CloudWatchReadOnlyAccess and ViewOnlyAccess: metrics, alarms and resource inventory, but no data (no S3 object or secret reads)."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Extra tags for every resource (the provider's default_tags still apply)."
  type        = map(string)
  default     = {}
}
