variable "name" {
  description = "Name prefix of every resource in the VPC (the account name)."
  type        = string
}

variable "cidr_block" {
  description = "IPv4 CIDR block of the VPC, /16 to /22. Subnets are carved from it with cidrsubnet."
  type        = string

  validation {
    condition     = can(regex("^[0-9.]+/(1[6-9]|2[0-2])$", var.cidr_block)) && try(cidrhost(var.cidr_block, 0) == split("/", var.cidr_block)[0], false)
    error_message = "cidr_block must be an IPv4 network address with a prefix from /16 to /22."
  }
}

variable "az_count" {
  description = "Number of availability zones to span (one public and one private subnet in each)."
  type        = number
  default     = 3

  validation {
    condition     = var.az_count >= 1 && var.az_count <= 6 && floor(var.az_count) == var.az_count
    error_message = "az_count must be a whole number from 1 to 6."
  }
}

variable "environment" {
  description = "Environment of the account. In `prod` single_nat_gateway is ignored."
  type        = string
}

variable "single_nat_gateway" {
  description = "Share one NAT gateway between all AZs (cheaper, but an AZ outage cuts egress everywhere). Ignored in prod."
  type        = bool
  default     = false
}

variable "flow_log_retention_days" {
  description = "Days VPC flow logs are kept in CloudWatch Logs."
  type        = number
  default     = 365

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.flow_log_retention_days)
    error_message = "flow_log_retention_days must be a retention period CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653)."
  }
}

variable "flow_log_kms_key_arn" {
  description = "KMS key ARN to encrypt the flow log group with. Null uses CloudWatch Logs' own encryption."
  type        = string
  default     = null
}

variable "tags" {
  description = "Extra tags for every resource (the provider's default_tags still apply)."
  type        = map(string)
  default     = {}
}
