#!/usr/bin/env bash
# CI for the editor integrations: the VS Code extension type-checks, builds
# and packages offline, and its linux-x64 package carries a working server;
# its LSP test, the Neovim headless test and the Emacs batch test each run
# their scenarios against the real server. The extension inside a real
# VS Code (code-server in headless Chromium) is tried by
# editors/vscode/code-server/run.sh, opt-in: see its README.
#
#   bash editors/ci.sh                    # builds the server from this repo
#   S3POLICY_LSP=/path/to/bin bash editors/ci.sh
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The servers the editors start keep no diagnostics in the user's cache.
export S3POLICY_LSP_CACHE=off

step() { printf '\n== editors: %s\n' "$*"; }

# vsix_has VSIX PATH... fails unless the package lists every PATH. The
# listing is taken whole first: `unzip -l | grep -q` under pipefail fails
# when grep exits at the first match and unzip dies of SIGPIPE (exit 141).
vsix_has() {
  local listing
  listing=$(unzip -l "$1")
  shift
  for want in "$@"; do
    if ! grep -qF -- "$want" <<<"$listing"; then
      printf 'the package lacks %s:\n%s\n' "$want" "$listing" >&2
      return 1
    fi
  done
}

# first_line CMD... prints the first line of the command's output, read
# whole (no `| head -1`, which can kill the command with SIGPIPE).
first_line() {
  local out
  out=$("$@")
  printf '%s' "${out%%$'\n'*}"
}

# Debian packages for the clients that are missing: nvim is 0.7 in Debian 12,
# and Emacs 28 needs Eglot from elpa-eglot.
missing=()
command -v nvim >/dev/null || missing+=(neovim)
command -v emacs >/dev/null || missing+=(emacs-nox elpa-eglot)
command -v npm >/dev/null || missing+=(nodejs npm)
command -v unzip >/dev/null || missing+=(unzip)
if ((${#missing[@]})); then
  step "apt-get install ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

BIN=${S3POLICY_LSP:-}
if [[ -z $BIN ]]; then
  step "go build the server"
  BIN=$work/s3policy-lsp
  go build -o "$BIN" ./cmd/s3policy-lsp
fi
export S3POLICY_LSP=$BIN

step "VS Code extension: npm ci, tsc --noEmit, build, package"
(
  cd editors/vscode
  # Every locked package comes from the npm registry: no git, file or URL sources.
  node -e '
    const lock = require("./package-lock.json");
    const bad = Object.entries(lock.packages).filter(([name, p]) => name &&
      (p.link || (p.resolved && !p.resolved.startsWith("https://registry.npmjs.org/"))));
    if (bad.length) { console.error("not from the npm registry:", bad.map(([n]) => n)); process.exit(1); }'
  npm ci --no-audit --no-fund
  npx tsc --noEmit -p .
  npm run build
  npx @vscode/vsce package --no-dependencies --out "$work/s3policy-lsp.vsix"
  vsix_has "$work/s3policy-lsp.vsix" extension/out/extension.js extension/schemas/s3policy.schema.json
)

step "VS Code extension: the linux-x64 package carries the server"
bash editors/vscode/package-platforms.sh linux-x64
platform_vsix=editors/vscode/dist/s3policy-lsp-linux-x64.vsix
vsix_has "$platform_vsix" extension/bin/s3policy-lsp extension/out/extension.js
manifest=$(unzip -p "$platform_vsix" extension.vsixmanifest)
grep -qF 'TargetPlatform="linux-x64"' <<<"$manifest"
unzip -p "$platform_vsix" extension/bin/s3policy-lsp >"$work/bundled-s3policy-lsp"
chmod +x "$work/bundled-s3policy-lsp"
bundled_version=$("$work/bundled-s3policy-lsp" version)
printf '%s\n' "$bundled_version"
grep -q '^s3policy-lsp ' <<<"$bundled_version"

# Each client's test runs even when another failed; the script fails at the end.
failed=()
run_test() {
  local name=$1
  shift
  step "$name"
  "$@" || failed+=("$name")
}
run_test "LSP test through vscode-languageserver-protocol" bash -c 'cd editors/vscode && node --test test/'
# Neovim's LSP log (in stdpath('cache') on 0.7, 'state' from 0.8) is this
# run's own: e2e.lua fails on an ERROR that lands in it during the test,
# and other Neovims of the user (another CI run on the machine) write to
# the user's log at the same time.
nvim_env=(env XDG_CACHE_HOME="$work/nvim-cache" XDG_STATE_HOME="$work/nvim-state")
run_test "Neovim headless test ($(first_line nvim --version))" \
  timeout 300 "${nvim_env[@]}" nvim --headless -u NONE -c "luafile editors/nvim/test/e2e.lua"
run_test "Neovim :S3PolicyExplainError" \
  timeout 300 "${nvim_env[@]}" nvim --headless -u NONE -c "luafile editors/nvim/test/explain_error.lua"
run_test "Emacs batch test with Eglot ($(first_line emacs --version))" \
  timeout 300 emacs --batch -l editors/emacs/test/e2e.el

if ((${#failed[@]})); then
  printf '\neditors: FAILED: %s\n' "${failed[*]}" >&2
  exit 1
fi
printf '\neditors: all editor tests passed\n'
