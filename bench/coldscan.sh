#!/usr/bin/env bash
# Workspace cold-scan benchmark: the server started on a folder of 10,000
# generated policies (N), from process start to the diagnostics of every
# file `check` finds something in, against a single-threaded Go program
# that only reads and json-validates the same files, in one run; and the
# server's peak RSS. The client decodes every diagnostic on the same two
# cores, so the server's own time is less than what is shown.
#   bash bench/coldscan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
n=${N:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/s3policy-lsp" ./cmd/s3policy-lsp
go build -o "$work/jsonvalidate" ./bench/jsonvalidate
go build -o "$work/coldscan" ./bench/coldscan
go run ./bench/gentree -dir "$work/tree" -n "$n"
echo "load: $(cut -d' ' -f1-3 /proc/loadavg), cores: $(nproc)"
read -r scan_s peak_kb files < <("$work/coldscan" -server "$work/s3policy-lsp" -tree "$work/tree")
t0=$(date +%s.%N)
"$work/jsonvalidate" "$work/tree" >/dev/null
t1=$(date +%s.%N)
valid_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
echo "cold scan: ${scan_s}s to the diagnostics of $files files, peak RSS $((peak_kb / 1024)) MB; read+validate ${valid_s}s; ratio $(awk -v a="$scan_s" -v b="$valid_s" 'BEGIN { printf "%.2f", a / b }') (budget <= 1.0; RSS budget <= 200 MB)"
