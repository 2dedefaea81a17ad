#!/usr/bin/env bash
# Packages the extension with the server inside: one .vsix per VS Code
# target, each carrying bin/s3policy-lsp (bin/s3policy-lsp.exe on Windows)
# cross-compiled with CGO off, which the extension runs when s3policy.path
# is not set.
#
#   bash editors/vscode/package-platforms.sh               # every target
#   bash editors/vscode/package-platforms.sh linux-x64     # some of them
#
# Needs Go and Node; run `npm ci` in editors/vscode first. The packages go
# to editors/vscode/dist/s3policy-lsp-TARGET.vsix.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
targets=("$@")
if ((${#targets[@]} == 0)); then
  targets=(linux-x64 linux-arm64 darwin-x64 darwin-arm64 win32-x64)
fi

# The server says which build it is: the revision of this checkout.
revision=$(git -C "$repo" describe --tags --always --dirty 2>/dev/null || true)

cd "$here"
npm run build
mkdir -p dist
trap 'rm -rf "$here/bin"' EXIT
for target in "${targets[@]}"; do
  exe=""
  case $target in
    linux-x64) goos=linux goarch=amd64 ;;
    linux-arm64) goos=linux goarch=arm64 ;;
    darwin-x64) goos=darwin goarch=amd64 ;;
    darwin-arm64) goos=darwin goarch=arm64 ;;
    win32-x64) goos=windows goarch=amd64 exe=.exe ;;
    *)
      printf 'unknown target %s: linux-x64, linux-arm64, darwin-x64, darwin-arm64 or win32-x64\n' "$target" >&2
      exit 2
      ;;
  esac
  rm -rf bin
  mkdir bin
  ldflags="-s -w"
  if [[ -n $revision ]]; then
    ldflags+=" -X main.version=$revision"
  fi
  (cd "$repo" && CGO_ENABLED=0 GOOS=$goos GOARCH=$goarch go build -trimpath -ldflags "$ldflags" -o "$here/bin/s3policy-lsp$exe" ./cmd/s3policy-lsp)
  npx @vscode/vsce package --no-dependencies --target "$target" --out "dist/s3policy-lsp-$target.vsix"
done
