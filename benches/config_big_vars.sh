#!/bin/sh
# Memory of `validate` and `jobs` when one 100 KB input is inherited by every account:
# 10,000 domains x 3 environments, the value set once in `defaults`. Each account must share
# the value, not copy it (orchestrator/config/model.rs, VarValue).
# Usage: benches/config_big_vars.sh [path/to/orchestrator]   (needs /usr/bin/time)
set -eu
binary=${1:-target/release/orchestrator}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
for layer in platform static dynamic; do
  mkdir -p "$dir/layers/$layer"
  echo 'variable "big" { default = "" }' > "$dir/layers/$layer/main.tf"
done
python3 - "$dir/domains.yaml" <<'PY'
import sys
big = "x" * 100_000
lines = ["version: 1", "defaults:", "  region: eu-west-1", "  credentials: none",
         '  state: { backend: local, path: "state/{layer}/{account}.tfstate" }',
         f'  layer_vars: {{ platform: {{ big: "{big}" }} }}', "domains:"]
n = 0
for d in range(10_000):
    lines.append(f"  - name: d{d:05d}\n    team: t\n    environments:")
    for env in ("dev", "stage", "prod"):
        n += 1
        lines.append(f'      {env}: {{ account_id: "{n:012d}" }}')
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
for command in validate jobs "jobs --format json" matrix; do
  # shellcheck disable=SC2086
  /usr/bin/time -f "$command: %e s, max RSS %M KB, %o" "$binary" --config "$dir/domains.yaml" $command | wc -c
done
