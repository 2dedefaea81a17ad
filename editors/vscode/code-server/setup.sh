#!/usr/bin/env bash
# Installs what run.sh needs, offline but for the npm registry and Debian:
# code-server (VS Code 1.100.3 served to a browser, with the real extension
# host) and puppeteer-core, in $S3POLICY_CODE_SERVER_DIR (default
# /tmp/s3policy-code-server), and the Debian chromium that drives it.
#
#   bash editors/vscode/code-server/setup.sh     # about 10 minutes on 2 cores
#
# code-server 4.100.3 is the last release for Node 20. Its install script
# downloads ripgrep from GitHub and builds native modules; here ripgrep
# comes from Debian, and each module is built from source.
set -euo pipefail

dir=${S3POLICY_CODE_SERVER_DIR:-/tmp/s3policy-code-server}
version=4.100.3

if ! command -v chromium >/dev/null || ! command -v rg >/dev/null || ! dpkg -s libkrb5-dev >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    chromium fonts-dejavu-core ripgrep g++ make python3 pkg-config \
    libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev
fi

mkdir -p "$dir"
cd "$dir"
[[ -f package.json ]] || npm init -y >/dev/null
# --ignore-scripts: code-server's postinstall refuses to run as root and
# fetches ripgrep from GitHub; its steps are done by hand below.
npm install --no-audit --no-fund --ignore-scripts "code-server@$version" puppeteer-core
npm rebuild argon2 --build-from-source

vscode=$dir/node_modules/code-server/lib/vscode
cd "$vscode"
npm install --omit=dev --ignore-scripts --no-audit --no-fund
# @vscode/ripgrep's postinstall skips the download when bin/ exists.
mkdir -p node_modules/@vscode/ripgrep/bin
ln -sf "$(command -v rg)" node_modules/@vscode/ripgrep/bin/rg
# node-pty's postinstall runs `npx node-gyp`, which needs a yes.
npm_config_yes=true npm rebuild
ln -sfn node_modules node_modules.asar
(cd bin/remote-cli && ln -sf code-linux.sh code-server)
(cd bin/helpers && ln -sf browser-linux.sh browser.sh)
(cd extensions && npm install --omit=dev --no-audit --no-fund)

"$dir/node_modules/.bin/code-server" --version
