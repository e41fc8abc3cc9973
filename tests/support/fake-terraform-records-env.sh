#!/bin/sh
# FAKE terraform, for tests only: it deploys nothing. Each invocation appends one line to
# the record file with what it was started with, so a test can check that every account's
# terraform saw that account's assumed-role credentials and never the base ones:
#
#   <subcommand> TAB account=<account_name from -var-file, or -> TAB data_dir=<TF_DATA_DIR>
#     TAB NAME=<value> (every AWS_*, ACTIONS_* and SLACK_* variable in its environment, sorted)
#
# It answers the commands the runner uses: init/apply succeed, `plan -out=F` writes F and,
# with -detailed-exitcode, reports one change (exit 2) so that apply runs too,
# `show -json` prints an empty plan, `output -json` prints {}, `version` prints a version.
# tests/aws/fake_terraform.rs installs it with the record path filled in.
RECORD="${FAKE_TERRAFORM_RECORD:-__RECORD__}"

subcommand=""
account="-"
var_file=""
plan_out=""
want_var_file=""
want_out=""
detailed=""
for arg in "$@"; do
  if [ -n "$want_var_file" ]; then
    var_file="$arg"
    want_var_file=""
    continue
  fi
  if [ -n "$want_out" ]; then
    plan_out="$arg"
    want_out=""
    continue
  fi
  case "$arg" in
    -chdir=*) ;;
    -var-file=*) var_file="${arg#-var-file=}" ;;
    -var-file) want_var_file=1 ;;
    -out=*) plan_out="${arg#-out=}" ;;
    -out) want_out=1 ;;
    -detailed-exitcode) detailed=1 ;;
    -*) ;;
    *) [ -z "$subcommand" ] && subcommand="$arg" ;;
  esac
done
if [ -n "$var_file" ] && [ -f "$var_file" ]; then
  found=$(tr -d '\n' < "$var_file" | sed -n 's/.*"account_name" *: *"\([^"]*\)".*/\1/p')
  [ -n "$found" ] && account="$found"
fi

line="${subcommand:-none}	account=${account}	data_dir=${TF_DATA_DIR:-}"
for pair in $(env | grep -E '^(AWS_|ACTIONS_|SLACK_)' | sort); do
  line="${line}	${pair}"
done
printf '%s\n' "$line" >> "$RECORD"

case "$subcommand" in
  version|-version) echo "Terraform v1.11.0 (fake)" ;;
  show) echo '{"format_version":"1.2","terraform_version":"1.11.0","resource_changes":[]}' ;;
  output) echo '{}' ;;
  plan)
    [ -n "$plan_out" ] && : > "$plan_out"
    if [ -n "$detailed" ]; then
      echo "Plan: 1 to add, 0 to change, 0 to destroy."
      exit 2
    fi
    ;;
esac
exit 0
