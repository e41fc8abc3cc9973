terraform {
  # 1.10: S3 backend native locking (use_lockfile), which the orchestrator passes.
  required_version = ">= 1.10"

  # Partial configuration: the orchestrator passes bucket, key, region and use_lockfile with
  # -backend-config, one state per (account, layer).
  backend "s3" {}

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
  }
}
