#!/bin/sh
# A FAKE terraform for the orchestration benchmark: every command just sleeps
# FAKE_TERRAFORM_SLEEP seconds (default 2). `plan` exits 2 ("changes") so the orchestrator
# also runs `apply`: three commands per layer, like a real deploy. It measures the
# orchestrator's own overhead, not terraform's.
sleep "${FAKE_TERRAFORM_SLEEP:-2}"
case "$1" in
  plan) echo "Plan: 1 to add, 0 to change, 0 to destroy."; exit 2 ;;
  *) exit 0 ;;
esac
