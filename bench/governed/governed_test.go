package governed

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// TestWriteNamesEveryFileInTheConfig writes a folder and reads it back as
// the tools do: the config is valid, governs every file with the kind the
// file name says, and the layout names an identity and a bucket policy.
func TestWriteNamesEveryFileInTheConfig(t *testing.T) {
	dir := t.TempDir()
	l, err := Write(dir, 20)
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(dir, analysis.ConfigName))
	if err != nil {
		t.Fatal(err)
	}
	cfg, findings := analysis.ParseConfig(dir, src)
	if len(findings) != 0 {
		t.Fatalf("config findings: %+v", findings)
	}
	if len(cfg.Files) != 20 || len(cfg.Buckets) != 6 || len(cfg.Accounts) != 4 || l.Files != 20 {
		t.Fatalf("%d files, %d buckets, %d accounts, layout %+v", len(cfg.Files), len(cfg.Buckets), len(cfg.Accounts), l)
	}
	want := map[string]analysis.Kind{l.Identity: analysis.KindIdentity, l.Bucket: analysis.KindBucket,
		Path(7): analysis.KindKey, Path(8): analysis.KindEndpoint, Path(19): analysis.KindSCP}
	for rel, kind := range want {
		text, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		f := analysis.NewFile(filepath.ToSlash(filepath.Join(dir, rel)), text, cfg)
		if f.Syntax != nil || f.Kind != kind {
			t.Errorf("%s: kind %q, syntax %v; want %q", rel, f.Kind, f.Syntax, kind)
		}
	}
}
