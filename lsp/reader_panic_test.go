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
			c := scanToTheEnd(t, dir, cache)
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

// A Terraform module whose reader panics on its files together (a
// reader's bug) while the first scan completes its set is read file by
// file, as the index reads a set again (readAgain): the panic is logged
// with the module's folder, the file whose reading alone panics too is
// kept with no document, and the module's other file is published during
// the scan with exactly the findings it has read alone, the ones the
// end-of-scan rebuild gives it. Before, the panic went up the scan's
// reader of the module's last file ("panic in reading .../policy.tf"),
// and lost the whole root until that rebuild.
func TestAModuleReaderPanicKeepsTheModulesOtherFiles(t *testing.T) {
	for _, cache := range []bool{false, true} {
		t.Run(fmt.Sprintf("cache %v", cache), func(t *testing.T) {
			dir := t.TempDir()
			mod := filepath.Join(dir, "mod")
			const policy = "resource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({ Statement = [{ Effect = \"Allow\", Action = \"s3:GetObjekt\", Resource = \"*\" }] })\n}\n"
			if err := os.MkdirAll(mod, 0o755); err != nil {
				t.Fatal(err)
			}
			for name, text := range map[string]string{"boom.tf": "locals {\n  x = 1\n}\n", "policy.tf": policy} {
				if err := os.WriteFile(filepath.Join(mod, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			buggyModuleReader(t, func(files map[string][]byte) bool {
				_, boom := files[filepath.Join(mod, "boom.tf")]
				return boom
			})
			c := scanToTheEnd(t, dir, cache)
			policyURI := fileURI(mod, "policy.tf")
			got := c.waitDiagnostics(policyURI, func(protocol.PublishDiagnosticsParams) bool { return true })
			want := []string{"missing-version 1:24-1:33", "unknown-action 1:66-1:80"} // on Statement, on "s3:GetObjekt"
			var diags []string
			for _, d := range got.Diagnostics {
				r := d.Range
				diags = append(diags, fmt.Sprintf("%s %d:%d-%d:%d", d.Code, r.Start.Line, r.Start.Character, r.End.Line, r.End.Character))
			}
			slices.Sort(diags)
			if !slices.Equal(diags, want) {
				t.Errorf("policy.tf first published %q, want %q", diags, want)
			}
			if all := c.published(policyURI); len(all) != 1 {
				t.Errorf("policy.tf published %d times, want once", len(all))
			}
			var panics []string
			for _, m := range c.logMessages() {
				if strings.HasPrefix(m, "panic in ") {
					panics = append(panics, m[:strings.IndexByte(m, '\n')])
				}
			}
			wantPanics := []string{"panic in reading " + mod + ": a module reader's bug", "panic in reading " + filepath.Join(mod, "boom.tf") + ": a module reader's bug"}
			if !slices.Equal(panics, wantPanics) {
				t.Errorf("logged %q, want %q", panics, wantPanics)
			}
			var none any
			c.call(protocol.MethodShutdown, nil, &none) // answered: the server is up
		})
	}
}

// buggyModuleReader replaces, for the rest of the test, the host readers'
// module reader with one that panics (a reader's bug) on the files
// boom says, and reads the others as the module reader does.
func buggyModuleReader(t *testing.T, boom func(files map[string][]byte) bool) {
	t.Helper()
	all := hosts.All
	hosts.All = slices.Clone(all)
	for i, r := range hosts.All {
		if r.ReadModule == nil {
			continue
		}
		bug := *r
		bug.ReadModule = func(files map[string][]byte, ctx source.ModuleContext) map[string]source.Result {
			if boom(files) {
				panic("a module reader's bug")
			}
			return r.ReadModule(files, ctx)
		}
		hosts.All[i] = &bug
	}
	t.Cleanup(func() { hosts.All = all })
}

// scanToTheEnd starts a server on dir, with a diagnostics cache of its
// own or none, and waits for the end of its first scan.
func scanToTheEnd(t *testing.T, dir string, cache bool) *client {
	t.Helper()
	opts := lsp.Options{}
	if cache {
		opts.CacheDir, opts.BinaryID = t.TempDir(), func() string { return "test build" }
	}
	c := startInitialized(t, opts, map[string]any{"rootUri": string(uri.File(dir)),
		"capabilities": map[string]any{"window": map[string]any{"workDoneProgress": true}}})
	waitScanEnd(c)
	return c
}
