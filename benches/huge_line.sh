#!/bin/sh
# Peak memory of `deploy` when terraform prints one 400 MB line, then its error: a FAKE
# terraform (real terraform cannot be made to print one 400 MB line), on the platform layer
# of one account, with and without GitHub Actions (where the layer's output is folded into
# the job log). Prints the peak RSS, the longest line printed and the error lines the report
# kept.
# Usage: benches/huge_line.sh [path/to/orchestrator]   (needs /usr/bin/time, python3)
set -eu
binary=${1:-target/release/orchestrator}
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cp -r "$repo/examples/sandbox/domains.yaml" "$repo/examples/sandbox/layers" "$dir/"
cat > "$dir/fake-terraform-huge-line.sh" <<'SH'
#!/bin/sh
case "$1" in
  plan) head -c 400000000 /dev/zero | tr '\0' x; printf '\nError: after the blob\n\nthe real cause\n'; exit 1 ;;
  *) exit 0 ;;
esac
SH
chmod +x "$dir/fake-terraform-huge-line.sh"
cd "$dir"
for actions in false true; do
  rm -rf .orchestrator
  GITHUB_ACTIONS=$actions /usr/bin/time -f "GITHUB_ACTIONS=$actions: %e s, max RSS %M KB" "$binary" \
    --config domains.yaml deploy --accounts catalog-dev --layers platform \
    --terraform ./fake-terraform-huge-line.sh --report r.json > out.txt 2> err.txt || true
  tail -1 err.txt
  awk '{ if (length($0) > m) m = length($0) } END { print "  longest line printed:", m + 0, "bytes" }' out.txt err.txt
  python3 -c 'import json; print("  report error lines:", json.load(open("r.json"))["jobs"][0]["layers"][0]["error"])'
done
