variable "name" {
  description = "Name of the function and of its role, security group, log group, schedule and alarm."
  type        = string
}

variable "vpc_id" {
  description = "VPC the function runs in."
  type        = string
}

variable "subnet_ids" {
  description = "Private subnets the function runs in; their route out (NAT gateway) is what the check proves."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0
    error_message = "subnet_ids must name at least one subnet."
  }
}

variable "phone_home_url" {
  description = "HTTPS URL to GET on every run. Null calls STS GetCallerIdentity instead."
  type        = string
  default     = null

  validation {
    # The security group only lets HTTPS out.
    condition     = var.phone_home_url == null || can(regex("^https://", var.phone_home_url))
    error_message = "phone_home_url must be an https:// URL."
  }
}

variable "interval_minutes" {
  description = "Minutes between two runs. The alarm evaluates periods of the same length, so it fires after two failed runs in a row whatever the interval."
  type        = number
  default     = 5

  validation {
    # Two alarm periods must fit in the one day CloudWatch alarms can look back.
    condition     = var.interval_minutes >= 1 && var.interval_minutes <= 720 && floor(var.interval_minutes) == var.interval_minutes
    error_message = "interval_minutes must be a whole number from 1 to 720."
  }
}

variable "timeout_seconds" {
  description = "Function timeout. The HTTP and STS calls inside give up after 10 seconds each."
  type        = number
  default     = 30
}

variable "log_retention_days" {
  description = "Days the function's logs are kept."
  type        = number
  default     = 365
}

variable "log_kms_key_arn" {
  description = "KMS key ARN the function's log group is encrypted with; its policy must let CloudWatch Logs of this account use it. Null uses CloudWatch Logs' own encryption."
  type        = string
  default     = null
}

variable "alarm_topic_arns" {
  description = "SNS topics notified when the check fails twice in a row, and when it recovers."
  type        = list(string)
  default     = []
}

variable "tags" {
  description = "Extra tags for every resource (the provider's default_tags still apply)."
  type        = map(string)
  default     = {}
}
