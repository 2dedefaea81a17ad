#!/usr/bin/env bash
# Runs every fuzz target of the module briefly (FUZZTIME, default 10s
# each): the parser, every check with its quick fixes, the config reader
# and the UTF-16 position mapper. A crash fails the script and leaves the
# failing input under the package's testdata/fuzz/ for `go test` to replay.
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-10s}
targets=0
for pkg in $(go list ./...); do
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		echo "== $target ($pkg, $fuzztime)"
		go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime"
		targets=$((targets + 1))
	done
done
if [ "$targets" -lt 4 ]; then
	echo "only $targets fuzz targets found" >&2
	exit 1
fi
echo "fuzz: $targets targets, no crash"
