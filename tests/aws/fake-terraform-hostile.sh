#!/bin/sh
# FAKE terraform, for tests only: it deploys nothing. It prints what a hostile provider,
# provisioner or module could make terraform print: workflow commands in every form the
# GitHub runner parses (at a line start, after white space, after a CR, after an invisible
# character, `##[` inside a line), a terminal escape, and the AWS credentials it was given.
# The account named in $FAKE_FAIL_ACCOUNT fails its apply with an error whose summary and
# detail carry commands and the account's credentials too. Otherwise it answers like tests/aws/fake-terraform-records-env.sh:
# `plan -out=F` writes F and reports one change, `show -json` an empty plan, `output` {}.
subcommand=""
account="-"
plan_out=""
want_out=""
detailed=""
for arg in "$@"; do
  if [ -n "$want_out" ]; then plan_out="$arg"; want_out=""; continue; fi
  case "$arg" in
    -out=*) plan_out="${arg#-out=}" ;;
    -out) want_out=1 ;;
    -detailed-exitcode) detailed=1 ;;
    -*) ;;
    *) [ -z "$subcommand" ] && subcommand="$arg" ;;
  esac
done
# The data dir is <work dir>/data/<account>/<layer>, for every command.
[ -n "${TF_DATA_DIR:-}" ] && account=$(basename "$(dirname "$TF_DATA_DIR")")

hostile() {
  printf '::set-output name=pwned::%s\n' "$account"
  printf 'Refreshing state...\r::add-mask::Refreshing\n'
  printf '##[error]forged error from %s\n' "$account"
  printf '   ::stop-commands::forged-token\n'
  printf '::error title=forged::forged annotation\n'
  printf '  + name = "x ##[set-env name=PWNED;]1"\n'
  printf '\302\255::add-path::/tmp/evil\n'
  printf '\033]0;window title\007\033[2J::group::forged group\n'
  printf '::ADD-MASK::\n'
  printf 'credentials of %s: %s %s %s\n' "$account" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN"
}

case "$subcommand" in
  version|-version) echo "Terraform v1.11.0 (fake)"; exit 0 ;;
  show) echo '{"format_version":"1.2","terraform_version":"1.11.0","resource_changes":[]}'; exit 0 ;;
  output) echo '{}'; exit 0 ;;
esac
hostile
hostile >&2
case "$subcommand" in
  plan)
    [ -n "$plan_out" ] && : > "$plan_out"
    if [ -n "$detailed" ]; then
      echo "Plan: 1 to add, 0 to change, 0 to destroy."
      exit 2
    fi
    ;;
  apply)
    if [ "$account" = "${FAKE_FAIL_ACCOUNT:-}" ]; then
      printf 'Error: creating bucket\r::set-output name=pwned::1\n\n  ##[add-path]/tmp/evil and\n::error::forged detail\n' >&2
      printf '  signed with %s %s\n' "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN" >&2
      exit 1
    fi
    ;;
esac
exit 0
