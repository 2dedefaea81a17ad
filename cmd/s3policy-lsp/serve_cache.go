package main

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"path/filepath"
)

// cacheEnv names the environment variable that turns the diagnostics
// cache off ("off") or puts it in another folder.
const cacheEnv = "S3POLICY_LSP_CACHE"

// serveCacheDir is where the server keeps the first scan's diagnostics
// for the next start on the same workspace: the --cache flag, else
// $S3POLICY_LSP_CACHE, else s3policy-lsp in the user's cache folder
// (os.UserCacheDir: ~/.cache on Linux, ~/Library/Caches on macOS); ""
// when it is "off" or there is no such folder.
func serveCacheDir(flagValue string) string {
	dir := flagValue
	if dir == "" {
		dir = os.Getenv(cacheEnv)
	}
	if dir == "off" {
		return ""
	}
	if dir != "" {
		if abs, err := filepath.Abs(dir); err == nil {
			return abs
		}
		return dir
	}
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(base, "s3policy-lsp")
}

// binaryID identifies the running binary by the SHA-256 of its
// executable: a rebuild with any change (checks, AWS data, messages)
// makes the cache's entries of the last one misses. "" when it cannot be
// read.
func binaryID() string {
	exe, err := os.Executable()
	if err != nil {
		return ""
	}
	f, err := os.Open(exe)
	if err != nil {
		return ""
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}
