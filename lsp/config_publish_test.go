package lsp

import (
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// A config's kept parse serves only the very text it was made of: the
// back parses a config again once its text on disk is another, and a
// config gone is forgotten (a settings change no longer queues it).
func TestConfigParsesServeTheirOwnTextOnly(t *testing.T) {
	var c configParses
	if _, ok := c.get("/w/.s3policy.json", []byte(`{}`)); ok {
		t.Fatal("an empty configParses holds a parse")
	}
	text := []byte(`{"accounts": ["1234"]}`)
	cfg, findings := analysis.ParseConfig("/w", text)
	c.put("/w/.s3policy.json", configParse{text: text, cfg: cfg, findings: findings})
	p, ok := c.get("/w/.s3policy.json", []byte(`{"accounts": ["1234"]}`))
	if !ok || p.cfg != cfg || len(p.findings) != 1 || p.findings[0].Code != analysis.ConfigCode {
		t.Fatalf("the same text: %v %+v", ok, p.findings)
	}
	if _, ok := c.get("/w/.s3policy.json", []byte(`{"accounts": ["123456789012"]}`)); ok {
		t.Fatal("a parse served for another text")
	}
	if got := c.paths(); !slices.Equal(got, []string{"/w/.s3policy.json"}) {
		t.Fatalf("paths %v", got)
	}
	c.forget("/w/.s3policy.json")
	if got := c.paths(); len(got) != 0 {
		t.Fatalf("paths after forget %v", got)
	}
}
