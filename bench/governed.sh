#!/usr/bin/env bash
# Governed-folder benchmark (issue 16): for each size in SIZES, a folder of
# that many policies under one .s3policy.json (bench/governed), and on it
#   - check --format json: time, peak RSS, output bytes and bytes per policy,
#     against a single-threaded read + json.Valid of the same folder;
#   - the server's cold scan to the diagnostics of every file check finds
#     something in, and its peak RSS (bench/coldscan);
#   - keystrokes: EDITS didChange at RATE/s to an identity policy, then to a
#     bucket policy, after the first scan (bench/keystrokes -governed).
# Each step gets STEP_TIMEOUT seconds; one that runs over is reported as
# such and the script goes on. The machine is shared: compare within a run.
#   bash bench/governed.sh                      (SIZES="10 100 1000")
#   SIZES="5000 10000" STEP_TIMEOUT=1800 bash bench/governed.sh
#   SKIP="coldscan keystrokes" bash bench/governed.sh   (check only)
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${SIZES:-10 100 1000}
edits=${EDITS:-200}
rate=${RATE:-50}
step_timeout=${STEP_TIMEOUT:-600}
skip=" ${SKIP:-} "
command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time </dev/null; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/s3policy-lsp" ./cmd/s3policy-lsp
go build -o "$work/jsonvalidate" ./bench/jsonvalidate
go build -o "$work/coldscan" ./bench/coldscan
go build -o "$work/keystrokes" ./bench/keystrokes
go build -o "$work/gentree" ./bench/gentree
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc), commit: $(git rev-parse --short HEAD)"

for n in $sizes; do
	tree="$work/gov-$n"
	"$work/gentree" -dir "$tree" -n "$n" -governed
	t0=$(date +%s.%N)
	"$work/jsonvalidate" "$tree" >/dev/null
	valid_s=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')
	if [[ $skip != *" check "* ]]; then
		if timeout "$step_timeout" /usr/bin/time -f '%e %M %U %S' -o "$work/t.check" \
			"$work/s3policy-lsp" check --format json "$tree" >"$work/out.json" || [ $? -eq 1 ]; then
			read -r check_s check_kb check_user check_sys < <(tail -n 1 "$work/t.check")
			bytes=$(stat -c %s "$work/out.json")
			findings=$(grep -c '"code"' "$work/out.json" || true)
			echo "n=$n check: ${check_s}s (CPU ${check_user}s user, ${check_sys}s system), peak RSS $((check_kb / 1024)) MB, ratio $(awk -v a="$check_s" -v b="$valid_s" 'BEGIN { printf "%.1f", a / b }') to read+validate (${valid_s}s); json output $bytes bytes, $((bytes / n)) bytes/policy, $findings findings"
		else
			echo "n=$n check: over ${step_timeout}s (or failed)"
		fi
	fi
	if [[ $skip != *" coldscan "* ]]; then
		if out=$(timeout "$step_timeout" "$work/coldscan" -server "$work/s3policy-lsp" -tree "$tree" -timeout "${step_timeout}s"); then
			read -r scan_s peak_kb files <<<"$out"
			echo "n=$n cold scan: ${scan_s}s to the diagnostics of $files files, peak RSS $((peak_kb / 1024)) MB, ratio $(awk -v a="$scan_s" -v b="$valid_s" 'BEGIN { printf "%.1f", a / b }') to read+validate"
		else
			echo "n=$n cold scan: over ${step_timeout}s (or failed)"
		fi
	fi
	if [[ $skip != *" keystrokes "* ]]; then
		# keystrokes exits 1 when p99 is over budget: the figures are still printed.
		timeout "$step_timeout" "$work/keystrokes" -server "$work/s3policy-lsp" -governed "$n" -dir "$work/ks-$n" \
			-edits "$edits" -rate "$rate" -scan-timeout "${step_timeout}s" 2>&1 | sed "s/^/n=$n /" || true
	fi
	rm -rf "$tree" "$work/ks-$n" "$work/out.json"
done
