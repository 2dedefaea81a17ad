#!/usr/bin/env bash
# Explain benchmark (issue 16): 1,000 scenarios (N) through
# `explain --scenario` against @cloud-copilot/iam-simulate (installed here
# with npm ci from bench/package-lock.json) on the same scenarios in one
# Node process, ROUNDS times side by side (ours, then theirs, in each
# round), in one run of this script. Each round prints the load average,
# both wall times and both CPU times (user + system, which the other
# sessions of a shared machine do not inflate as much). It checks that
# both reach the same decision for every scenario, in every round, and
# prints the median throughput ratio: our whole process (start, read,
# parse, evaluate, JSON answer) against iam-simulate's whole Node process,
# and against the Node batch alone (module loading and JSON reading left
# out, as kind to the yardstick as can be). Fails when the median
# whole-process ratio is under RATIO_BUDGET.
# BEFORE=BINARY also times another build of s3policy-lsp in each round
# (main before a change), for a before/after side by side.
#   bash bench/explain.sh                # N=1000 ROUNDS=7 RATIO_BUDGET=50 [BEFORE=BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-1000}
rounds=${ROUNDS:-7}
ratio_budget=${RATIO_BUDGET:-50}
(cd bench && npm ci --silent --no-audit --no-fund)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Built as the editors' packages ship it (editors/vscode/package-platforms.sh):
# a static binary, which starts without the dynamic loader and libc (50-75
# fewer page faults and 2-3 ms a process, of a ~30 ms whole run).
CGO_ENABLED=0 go build -trimpath -ldflags "-s -w" -o "$work/s3policy-lsp" ./cmd/s3policy-lsp
go run ./bench/explaingen -n "$n" -scenarios "$work/scenarios.json" -simulations "$work/simulations.json"
echo "explain: $n scenarios ($(wc -c <"$work/scenarios.json") bytes), cores: $(nproc), node $(node --version), $(go version | cut -d' ' -f3)"

# timed FILE CMD...: runs CMD (its stderr to FILE.err), writes "wall user
# system" seconds to FILE, to the millisecond (bash's time), and keeps
# CMD's exit status.
timed() {
	local out=$1 TIMEFORMAT='%3R %3U %3S' status=0
	shift
	{ time "$@" 2>"$out.err" || status=$?; } 2>"$out"
	return "$status"
}
field() { cut -d' ' -f"$2" "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
whole=() batch=() cpu=()
for r in $(seq "$rounds"); do
	load=$(cut -d' ' -f1 /proc/loadavg)
	timed "$work/ours.time" "$work/s3policy-lsp" explain --scenario "$work/scenarios.json" --format json >"$work/ours-$r.json" || [ $? -eq 1 ]
	(cd bench && timed "$work/theirs.time" node iamsim.mjs "$work/simulations.json") >"$work/theirs-$r.json"
	before=""
	if [ -n "${BEFORE:-}" ]; then
		timed "$work/before.time" "$BEFORE" explain --scenario "$work/scenarios.json" --format json >"$work/before.json" || [ $? -eq 1 ]
		cmp -s "$work/before.json" "$work/ours-$r.json" || echo "BEFORE answers differently"
		before=$(awk '{ printf "; before: %.3fs wall, %.3fs CPU", $1, $2 + $3 }' "$work/before.time")
	fi
	ours=$(field "$work/ours.time" 1)
	ours_cpu=$(awk '{ print $2 + $3 }' "$work/ours.time")
	node_whole=$(field "$work/theirs.time" 1)
	node_cpu=$(awk '{ print $2 + $3 }' "$work/theirs.time")
	node_batch=$(sed 's/.*"seconds":\([0-9.e-]*\),.*/\1/' "$work/theirs-$r.json")
	# A clock's tick: a run under a millisecond counts as one.
	ours=$(awk -v t="$ours" 'BEGIN { print (t < 0.001 ? 0.001 : t) }')
	ours_cpu=$(awk -v t="$ours_cpu" 'BEGIN { print (t < 0.001 ? 0.001 : t) }')
	whole+=("$(ratio "$node_whole" "$ours")")
	batch+=("$(ratio "$node_batch" "$ours")")
	cpu+=("$(ratio "$node_cpu" "$ours_cpu")")
	printf 'round %d (load %s): explain %.3fs wall, %.3fs CPU; iam-simulate %.2fs wall (batch alone %.2fs), %.2fs CPU; ratios %s whole, %s batch alone, %s CPU%s\n' \
		"$r" "$load" "$ours" "$ours_cpu" "$node_whole" "$node_batch" "$node_cpu" "${whole[-1]}" "${batch[-1]}" "${cpu[-1]}" "$before"
done

# The same decision for every scenario, in every round.
node -e '
const fs = require("fs")
const [dir, rounds] = [process.argv[1], Number(process.argv[2])]
let bad = 0
for (let r = 1; r <= rounds; r++) {
  const ours = JSON.parse(fs.readFileSync(`${dir}/ours-${r}.json`)).map((a) => a.decision)
  const theirs = JSON.parse(fs.readFileSync(`${dir}/theirs-${r}.json`))
  const differ = ours.filter((d, i) => d !== theirs.order[i]).length + Math.abs(ours.length - theirs.order.length)
  if (r === 1 || differ) console.log(`decisions, round ${r}: ${ours.length} scenarios, ${differ} differ; ${JSON.stringify(theirs.decisions)}`)
  bad += differ
}
process.exit(bad ? 1 : 0)' "$work" "$rounds"
median() { printf '%s\n' "$@" | sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
range() { printf '%s\n' "$@" | sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "-" hi }'; }
m=$(median "${whole[@]}")
echo "explain: $n scenarios, $rounds rounds; median throughput ratio $m whole process ($(range "${whole[@]}")), $(median "${batch[@]}") against the Node batch alone, $(median "${cpu[@]}") in CPU time (budget >= $ratio_budget whole process); load now $(cut -d' ' -f1-3 /proc/loadavg)"
awk -v m="$m" -v b="$ratio_budget" 'BEGIN { exit !(m >= b) }' || { echo "explain: under budget"; exit 1; }
