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
	if len(cfg.Buckets) != 6 || len(cfg.Accounts) != 4 || l.Files != 20 {
		t.Fatalf("%d buckets, %d accounts, layout %+v", len(cfg.Buckets), len(cfg.Accounts), l)
	}
	for i := range 20 {
		rel := Path(i)
		text, err := os.ReadFile(filepath.Join(dir, rel))
		if err != nil {
			t.Fatal(err)
		}
		f := analysis.NewFile(filepath.ToSlash(filepath.Join(dir, rel)), text, cfg)
		if f.Syntax != nil || f.Facts == nil || string(f.Kind) != kindOf[i%10] {
			t.Fatalf("%s: kind %q, facts %+v, syntax %v", rel, f.Kind, f.Facts, f.Syntax)
		}
		owner := map[string]string{"identity": f.Facts.Principal, "key": f.Facts.Key, "endpoint": f.Facts.Endpoint, "scp": f.Facts.Account, "bucket": f.Facts.Account}[kindOf[i%10]]
		if owner == "" {
			t.Errorf("%s: the config names no owner: %+v", rel, f.Facts)
		}
	}
	if want := "team-000/policy-00000.app-0.iam-policy.json"; l.Identity != want || l.Bucket != Path(1) {
		t.Errorf("layout %+v, want the identity policy %s and the bucket policy %s", l, want, Path(1))
	}
}

// At 10,000 policies the config stays under the 1 MB the tools read.
func TestConfigOfTenThousandFitsInOneMegabyte(t *testing.T) {
	cfg, err := newFolder(10_000).config()
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg) >= 1<<20 {
		t.Fatalf("the config of 10,000 policies is %d bytes", len(cfg))
	}
}
