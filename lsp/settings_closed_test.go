package lsp_test

import (
	"os"
	"path/filepath"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// Settings that analyse otherwise (another language, another severity)
// reach the closed files too, governed or not: their diagnostics were
// published under the old ones, and nothing else would analyse them again.
func TestNewSettingsRepublishTheClosedFiles(t *testing.T) {
	dir := t.TempDir()
	noVersion := `{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`
	files := map[string]string{
		"loose/a.iam-policy.json": noVersion,
		"gov/.s3policy.json":      `{}`,
		"gov/b.iam-policy.json":   noVersion,
	}
	for name, text := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	const (
		english  = `the policy has no Version; add "Version": "2012-10-17" so that policy variables work`
		japanese = `ポリシーに Version がありません。ポリシー変数を使えるよう "Version": "2012-10-17" を追加してください`
	)
	says := func(message string, severity protocol.DiagnosticSeverity) func(protocol.PublishDiagnosticsParams) bool {
		return func(p protocol.PublishDiagnosticsParams) bool {
			return len(p.Diagnostics) == 1 && p.Diagnostics[0].Message == message && p.Diagnostics[0].Severity == severity
		}
	}
	closed := []string{string(uri.File(filepath.Join(dir, "loose/a.iam-policy.json"))), string(uri.File(filepath.Join(dir, "gov/b.iam-policy.json")))}
	c := startInitialized(t, lsp.Options{}, map[string]any{"rootUri": string(uri.File(dir))})
	for _, u := range closed {
		c.waitDiagnostics(u, says(english, protocol.DiagnosticSeverityWarning))
	}
	c.notify(protocol.MethodWorkspaceDidChangeConfiguration, map[string]any{
		"settings": map[string]any{"s3policy": map[string]any{"locale": "ja", "severity": map[string]any{"missing-version": "error"}}},
	})
	for _, u := range closed {
		c.waitDiagnostics(u, says(japanese, protocol.DiagnosticSeverityError))
	}
}
