#!/usr/bin/env bash
# Runs every fuzz target of the module briefly (FUZZTIME each, default
# 100000x: a count of runs, about 5 to 30 s a target here): the parser,
# every check with its quick fixes, the config reader and the UTF-16
# position mapper. A crash fails the script and leaves the failing input
# under the package's testdata/fuzz/ for `go test` to replay.
# A count rather than a duration: with a duration, Go 1.26's fuzzing
# coordinator can fail a target with "context deadline exceeded" and no
# failing input when the time runs out on a loaded machine (the Go issue
# 75804, fixed in Go 1.27).
set -euo pipefail
cd "$(dirname "$0")/.."
fuzztime=${FUZZTIME:-100000x}
# CI starts from the committed seeds alone: the machine's fuzz cache grows
# with every run and would make each CI run search further than the last.
# A crash found here or by a developer is committed under testdata/fuzz/,
# so every later run replays it. The run gets a fuzz cache of its own, in
# a temporary folder (-test.fuzzcachedir, given last, overrides the one
# go test passes), rather than emptying the machine's with `go clean
# -fuzzcache`, which removes the files another run on the machine (a
# second CI, a developer fuzzing) is reading or writing.
cache_args=()
if [ "${CI:-}" = true ]; then
	fuzzcache=$(mktemp -d)
	trap 'rm -rf "$fuzzcache"' EXIT
fi
targets=0
for pkg in $(go list ./...); do
	if [ -n "${fuzzcache:-}" ]; then
		cache_args=(-args "-test.fuzzcachedir=$fuzzcache/$pkg")
	fi
	for target in $(go test -list '^Fuzz' "$pkg" | grep '^Fuzz' || true); do
		echo "== $target ($pkg, $fuzztime)"
		go test "$pkg" -run '^$' -fuzz "^${target}\$" -fuzztime "$fuzztime" ${cache_args[@]+"${cache_args[@]}"}
		targets=$((targets + 1))
	done
done
if [ "$targets" -lt 4 ]; then
	echo "only $targets fuzz targets found" >&2
	exit 1
fi
echo "fuzz: $targets targets, no crash"
