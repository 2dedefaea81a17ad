#!/usr/bin/env bash
# Tries the extension as a user would, in a real VS Code: packages the
# linux-x64 .vsix (the server inside), installs it in code-server, opens
# every examples/cross-account folder (a copy) in headless Chromium, and
# checks what the user sees (drive.mjs says what). Opt-in, not part of
# editors/ci.sh: run setup.sh once first.
#
#   bash editors/vscode/code-server/run.sh [FOLDER...]
#
# Screenshots and the extension's log go to $OUT (default a new folder in
# /tmp, printed at the end). TRUST=yes opens the folders trusted; by
# default they open in Restricted Mode, where the extension must work too.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../../.." && pwd)
dir=${S3POLICY_CODE_SERVER_DIR:-/tmp/s3policy-code-server}
port=${PORT:-8097}
out=${OUT:-$(mktemp -d /tmp/s3policy-code-server-run.XXXXXX)}
mkdir -p "$out"
if [[ ! -x $dir/node_modules/.bin/code-server ]]; then
  echo "code-server is not in $dir: run bash editors/vscode/code-server/setup.sh first" >&2
  exit 2
fi

work=$(mktemp -d)
server=""
cleanup() {
  [[ -n $server ]] && kill "$server" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

(cd "$repo/editors/vscode" && npm ci --no-audit --no-fund >/dev/null && bash package-platforms.sh linux-x64 >/dev/null)
vsix=$repo/editors/vscode/dist/s3policy-lsp-linux-x64.vsix
cs=$dir/node_modules/.bin/code-server
"$cs" --user-data-dir "$work/data" --extensions-dir "$work/ext" --install-extension "$vsix" >/dev/null
cp -r "$repo/examples/cross-account" "$work/ws"

"$cs" --auth none --bind-addr "127.0.0.1:$port" --user-data-dir "$work/data" \
  --extensions-dir "$work/ext" --disable-telemetry --disable-update-check >"$out/code-server.log" 2>&1 &
server=$!
for _ in $(seq 60); do
  curl -s -o /dev/null "http://127.0.0.1:$port/healthz" && break
  sleep 1
done

status=0
NODE_PATH=$dir/node_modules CS_URL=http://127.0.0.1:$port WS=$work/ws OUT=$out \
  node "$here/drive.mjs" "$@" || status=$?
# The extension's own output channel, for the report. vscode-languageclient
# logs "[Error] Server process exited with code 0." whenever a window that
# closes stops the server: that one line is no error.
find "$work/data/logs" -name '*S3 Policy*.log' -exec cat {} + >"$out/s3policy-output.log" 2>/dev/null || true
if grep -n '\[Error' "$out/s3policy-output.log" | grep -v 'Server process exited with code 0\.$'; then
  echo "the extension logged errors ($out/s3policy-output.log)" >&2
  status=1
fi
echo "screenshots and logs: $out"
exit $status
