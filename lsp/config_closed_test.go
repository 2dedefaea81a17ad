package lsp_test

import (
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// A closed .s3policy.json's own findings follow the settings as a closed
// policy's do: another language or severity publishes them again, a code
// disabled takes them away, and enabled again brings them back (the
// parse the first scan kept).
func TestNewSettingsRepublishAClosedConfig(t *testing.T) {
	dir := brokenConfigFolder(t)
	const (
		english  = `"1234" is not an AWS account ID (12 digits)`
		japanese = `"1234" は AWS アカウント ID (12 桁の数字) ではありません`
	)
	// The span of "1234" in UTF-16: the emoji is two units.
	at := protocol.Range{Start: protocol.Position{Line: 0, Character: 39}, End: protocol.Position{Line: 0, Character: 45}}
	says := func(message string, severity protocol.DiagnosticSeverity) func(protocol.PublishDiagnosticsParams) bool {
		return func(p protocol.PublishDiagnosticsParams) bool {
			return len(p.Diagnostics) == 1 && p.Diagnostics[0].Message == message && p.Diagnostics[0].Severity == severity &&
				p.Diagnostics[0].Code == "invalid-config" && p.Diagnostics[0].Range == at
		}
	}
	none := func(p protocol.PublishDiagnosticsParams) bool { return len(p.Diagnostics) == 0 }
	config := string(uri.File(filepath.Join(dir, "gov/.s3policy.json")))
	c := startInitialized(t, lsp.Options{}, map[string]any{"rootUri": string(uri.File(dir))})
	c.waitDiagnostics(config, says(english, protocol.DiagnosticSeverityError))
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{
		"settings": map[string]any{"s3policy": map[string]any{"locale": "ja", "severity": map[string]any{"invalid-config": "warning"}}},
	})
	c.waitDiagnostics(config, says(japanese, protocol.DiagnosticSeverityWarning))
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{
		"settings": map[string]any{"s3policy": map[string]any{"disable": []string{"invalid-config"}}},
	})
	c.waitDiagnostics(config, none)
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{
		"settings": map[string]any{"s3policy": map[string]any{}},
	})
	c.waitDiagnostics(config, says(english, protocol.DiagnosticSeverityError))
}

// The diagnostics cache keeps a closed config's findings with its root's
// (the first run writes 2 files in the root's entry), and a second
// server, which kept the entry, publishes them once, byte for byte as the
// first did: the scan's reader has published them as it read the config,
// with the parse its loader made anyway, before the root's entry came.
func TestAClosedConfigsFindingsComeFromTheCache(t *testing.T) {
	dir, cacheDir := brokenConfigFolder(t), t.TempDir()
	config := fileURI(dir, "gov/.s3policy.json")
	c := cachedServer(t, dir, cacheDir, nil, nil, nil)
	c.waitLog("diagnostics cache: kept 0 roots unchanged and wrote 1 (2 files)")
	first := c.lastPublished()
	c.stop()
	if !strings.Contains(first[config], `"code":"invalid-config"`) {
		t.Fatalf("the first run published for the config: %q", first[config])
	}
	c = cachedServer(t, dir, cacheDir, nil, nil, nil)
	c.waitLog("diagnostics cache: kept 1 roots unchanged and wrote 0 (0 files)")
	if got := c.lastPublished(); !mapsEqual(got, first) {
		t.Errorf("the second server's diagnostics differ from the first's:\n%v\n%v", got, first)
	}
	if n := len(c.published(config)); n != 1 {
		t.Errorf("the config published %d times, want once", n)
	}
}

// brokenConfigFolder is a workspace of a governed folder whose config
// has a bad account ID after a Japanese name with an emoji.
func brokenConfigFolder(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"gov/.s3policy.json":    `{"files": {"データ🪣/*.json": {"account": "1234"}}}`,
		"gov/b.iam-policy.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`,
	})
	return dir
}
