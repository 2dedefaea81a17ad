package lsp_test

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// A reader's bug that panics while the first scan parses a file of a set
// is logged, and the set keeps that file with no document: its other
// files are published with the set's findings, with the diagnostics cache
// on (the files parsed on every core once the set is read, Loader.Later)
// as with it off. With the cache on the panic ended the process (a
// goroutine of Loader.parseLater), and a set small enough to be parsed on
// the scan's own goroutine was lost until the scan's end (review s12 B1).
func TestAReaderPanicWhileTheFirstScanParsesASetKeepsItsOtherFiles(t *testing.T) {
	runtime.GOMAXPROCS(max(runtime.GOMAXPROCS(0), 2)) // more than one goroutine parses the set
	for _, cache := range []bool{false, true} {
		t.Run(fmt.Sprintf("cache %v", cache), func(t *testing.T) {
			dir := t.TempDir()
			config := `{"accounts": ["111122223333"], "buckets": {"shared-x": {"account": "444455556666"}},
 "files": {"**/*.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:role/app"},
  "x.bucket-policy.json": {"kind": "bucket", "account": "444455556666", "bucket": "shared-x"}}}`
			files := map[string]string{analysis.ConfigName: config,
				"x.bucket-policy.json": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-x/*"}]}`}
			for i := range 300 {
				files[fmt.Sprintf("p%03d.iam-policy.json", i)] = fmt.Sprintf(`{"Version": "2012-10-17", "Statement": [{"Sid": "S%d", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-x/*"}]}`, i)
			}
			for name, text := range files {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			all := hosts.All
			bug := &source.Reader{Name: "buggy", Extensions: []string{".json"},
				Claims: func(path string, _ []byte) bool { return strings.HasSuffix(path, "7.iam-policy.json") },
				Read:   func(string, []byte) source.Result { panic("a reader's bug") }}
			hosts.All = append([]*source.Reader{bug}, all...)
			t.Cleanup(func() { hosts.All = all })
			opts := lsp.Options{}
			if cache {
				opts.CacheDir, opts.BinaryID = t.TempDir(), func() string { return "test build" }
			}
			c := startInitialized(t, opts, map[string]any{"rootUri": string(uri.File(dir)),
				"capabilities": map[string]any{"window": map[string]any{"workDoneProgress": true}}})
			waitScanEnd(c)
			// The scan's publications, in order: the first is the set's.
			for _, name := range []string{"p000.iam-policy.json", "p299.iam-policy.json"} {
				got := c.waitDiagnostics(fileURI(dir, name), func(protocol.PublishDiagnosticsParams) bool { return true })
				if !slices.Equal(codes(got.Diagnostics), []string{"missing-resource-arn"}) {
					t.Errorf("%s first published %v, want its set's [missing-resource-arn]", name, codes(got.Diagnostics))
				}
			}
			buggy := filepath.Join(dir, "p007.iam-policy.json")
			for _, p := range c.published(fileURI(dir, "p007.iam-policy.json")) {
				if len(p.Diagnostics) != 0 {
					t.Errorf("p007.iam-policy.json (no document) published %v", codes(p.Diagnostics))
				}
			}
			logs := c.logMessages()
			if !slices.ContainsFunc(logs, func(m string) bool { return strings.HasPrefix(m, "panic in reading "+buggy+": a reader's bug\n") }) {
				t.Errorf("the panic on %s is not logged: %q", buggy, logs)
			}
			var none any
			c.call(protocol.MethodShutdown, nil, &none) // answered: the server is up
		})
	}
}
