terraform {
  # 1.10: S3 backend native locking (use_lockfile), which every other layer's state uses.
  required_version = ">= 1.10"

  # No backend block on purpose: the first apply keeps its state locally, because the bucket
  # that will hold it does not exist yet. docs/aws-setup.md then adds `backend.tf` and migrates
  # the state into the bucket (`terraform init -migrate-state`).

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.80"
    }
  }
}
