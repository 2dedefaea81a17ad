#!/usr/bin/env bash
# Workspace benchmark: `check` over 10,000 generated policy files (mixed
# kinds, 1-20 KB) against a single-threaded Go program that only reads and
# json-validates the same files. Both run ROUNDS times, alternating, in one
# run of this script (the machine is shared: compare within a run); the
# script prints each time, the median ratio and check's peak RSS, and
# fails when the ratio is over RATIO_BUDGET or the RSS over RSS_BUDGET_MB.
#   bash bench/check.sh            (N=10000 ROUNDS=3)
#   HOSTS=1 N=2000 bash bench/check.sh   (CloudFormation templates and
#   Terraform modules, gentree -hosts, against read + parse of YAML and HCL)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-10000}
rounds=${ROUNDS:-3}
ratio_budget=${RATIO_BUDGET:-1.0}
rss_budget_mb=${RSS_BUDGET_MB:-200}
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time </dev/null; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/s3policy-lsp" ./cmd/s3policy-lsp
go build -o "$work/jsonvalidate" ./bench/jsonvalidate
hosts=()
[ "${HOSTS:-0}" = 0 ] || hosts=(-hosts) # HOSTS=0 or unset: the JSON tree
go run ./bench/gentree -dir "$work/tree" -n "$n" "${hosts[@]}"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc)"

ratios=()
peak=0
for r in $(seq "$rounds"); do
	/usr/bin/time -f '%e %M' -o "$work/t.check" "$work/s3policy-lsp" check --format json "$work/tree" >"$work/out.json" || [ $? -eq 1 ]
	/usr/bin/time -f '%e %M' -o "$work/t.valid" "$work/jsonvalidate" "$work/tree" >/dev/null
	read -r check_s check_kb < <(tail -n 1 "$work/t.check") # time notes a non-zero exit on a line of its own
	read -r valid_s valid_kb <"$work/t.valid"
	ratio=$(awk -v a="$check_s" -v b="$valid_s" 'BEGIN { printf "%.2f", a / b }')
	ratios+=("$ratio")
	peak=$((check_kb > peak ? check_kb : peak))
	echo "round $r: check ${check_s}s (peak RSS $((check_kb / 1024)) MB), read+validate ${valid_s}s, ratio $ratio"
done
findings=$(grep -c '"code"' "$work/out.json" || true)
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
echo "check: $n files, $findings findings; median ratio $median (budget <= $ratio_budget), peak RSS $((peak / 1024)) MB (budget <= $rss_budget_mb MB)"
awk -v m="$median" -v b="$ratio_budget" 'BEGIN { exit !(m <= b) }' || { echo "check: ratio over budget"; over=1; }
[ $((peak / 1024)) -le "$rss_budget_mb" ] || { echo "check: RSS over budget"; over=1; }
exit ${over:-0}
