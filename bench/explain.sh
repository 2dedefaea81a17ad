#!/usr/bin/env bash
# Explain benchmark: 1,000 scenarios (N) through `explain --scenario`
# against @cloud-copilot/iam-simulate (installed here with npm ci from
# bench/package-lock.json) on the same scenarios in one Node process,
# ROUNDS times alternating, in one run of this script. It checks that both
# reach the same decisions, and prints the throughput ratio two ways:
# whole process against whole process, and our whole process against the
# Node batch alone (module loading and JSON reading left out, as kind to
# the yardstick as can be). Fails when the median whole-process ratio is
# under RATIO_BUDGET.
#   bash bench/explain.sh
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-1000}
rounds=${ROUNDS:-5}
ratio_budget=${RATIO_BUDGET:-20}
(cd bench && npm ci --silent --no-audit --no-fund)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/s3policy-lsp" ./cmd/s3policy-lsp
go run ./bench/explaingen -n "$n" -scenarios "$work/scenarios.json" -simulations "$work/simulations.json"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc), node $(node --version)"

now() { date +%s.%N; }
whole=() batch=()
for r in $(seq "$rounds"); do
	t0=$(now)
	"$work/s3policy-lsp" explain --scenario "$work/scenarios.json" --format json >"$work/ours.json" || [ $? -eq 1 ]
	t1=$(now)
	(cd bench && node iamsim.mjs "$work/simulations.json") >"$work/theirs.json"
	t2=$(now)
	ours=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')
	node_whole=$(awk -v a="$t1" -v b="$t2" 'BEGIN { print b - a }')
	node_batch=$(sed 's/.*"seconds":\([0-9.e-]*\),.*/\1/' "$work/theirs.json")
	whole+=("$(awk -v a="$node_whole" -v b="$ours" 'BEGIN { printf "%.1f", a / b }')")
	batch+=("$(awk -v a="$node_batch" -v b="$ours" 'BEGIN { printf "%.1f", a / b }')")
	printf 'round %d: explain %.3fs; iam-simulate %.3fs whole process, %.3fs batch alone; ratios %s, %s\n' \
		"$r" "$ours" "$node_whole" "$node_batch" "${whole[-1]}" "${batch[-1]}"
done

# The same decision for every scenario.
node -e '
const fs = require("fs")
const ours = JSON.parse(fs.readFileSync(process.argv[1])).map((a) => a.decision)
const theirs = JSON.parse(fs.readFileSync(process.argv[2])).order
const differ = ours.filter((d, i) => d !== theirs[i]).length
console.log(`decisions: ${ours.length} scenarios, ${differ} differ; ${JSON.stringify(JSON.parse(fs.readFileSync(process.argv[2])).decisions)}`)
process.exit(differ || ours.length !== theirs.length ? 1 : 0)' "$work/ours.json" "$work/theirs.json"
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
m=$(median "${whole[@]}")
echo "explain: $n scenarios; median throughput ratio $m whole process, $(median "${batch[@]}") against the Node batch alone (budget >= $ratio_budget)"
awk -v m="$m" -v b="$ratio_budget" 'BEGIN { exit !(m >= b) }' || { echo "explain: under budget"; exit 1; }
