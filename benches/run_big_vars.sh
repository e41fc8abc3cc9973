#!/bin/sh
# Peak memory of `run` when one 100 KB input is inherited by every account, against the same
# run with a 1-byte input: DOMAINS domains x 3 environments (default 1,000: 3,000 accounts),
# the platform layer only, a FAKE terraform that answers "no changes" at once. The difference
# between the two peaks is what the 100 KB value costs across config, plan, runner, events
# and report: shared, it costs about nothing; copied per account it would cost
# 3,000 x 100 KB = 300 MB.
# Usage: benches/run_big_vars.sh [path/to/orchestrator]   (needs /usr/bin/time)
set -eu
binary=${1:-target/release/orchestrator}
domains=${DOMAINS:-1000}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/layers/platform"
echo 'variable "big" { default = "" }' > "$dir/layers/platform/main.tf"
cat > "$dir/fake-terraform-no-changes.sh" <<'SH'
#!/bin/sh
exit 0
SH
chmod +x "$dir/fake-terraform-no-changes.sh"
for size in 100000 1; do
  python3 - "$dir/domains.yaml" "$size" "$domains" <<'PY'
import sys
big = "x" * int(sys.argv[2])
lines = ["version: 1", "defaults:", "  region: eu-west-1", "  credentials: none",
         "  layers: [platform]",
         '  state: { backend: local, path: "state/{layer}/{account}.tfstate" }',
         f'  layer_vars: {{ platform: {{ big: "{big}" }} }}', "domains:"]
n = 0
for d in range(int(sys.argv[3])):
    lines.append(f"  - name: d{d:05d}\n    team: t\n    environments:")
    for env in ("dev", "stage", "prod"):
        n += 1
        lines.append(f'      {env}: {{ account_id: "{n:012d}" }}')
open(sys.argv[1], "w").write("\n".join(lines) + "\n")
PY
  rm -rf "$dir/.orchestrator"
  /usr/bin/time -f "run, input of $size bytes: %e s, max RSS %M KB" "$binary" --config "$dir/domains.yaml" \
    run --parallel 50 --terraform "$dir/fake-terraform-no-changes.sh" > /dev/null 2> "$dir/err" \
    || { tail -5 "$dir/err"; exit 1; }
  tail -1 "$dir/err"
  du -sh "$dir/.orchestrator" | sed 's/^/work dir: /'
done
