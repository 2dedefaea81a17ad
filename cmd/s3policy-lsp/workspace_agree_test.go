package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// TestCheckAndServerAgreeOnExamples: on each workspace of
// examples/cross-account, check and the server (which scans the folder
// and publishes every file, opened or not) report the same codes at the
// same places, with the same related places, and s3policy.explain answers as explain does.
func TestCheckAndServerAgreeOnExamples(t *testing.T) {
	dirs, err := os.ReadDir(crossAccountExamples)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dirs {
		if !d.IsDir() {
			continue
		}
		t.Run(d.Name(), func(t *testing.T) {
			dir, err := filepath.Abs(filepath.Join(crossAccountExamples, d.Name()))
			if err != nil {
				t.Fatal(err)
			}
			srv := checkAndServerAgree(t, dir)

			readme, err := os.ReadFile(filepath.Join(dir, "README.md"))
			if err != nil {
				t.Fatal(err)
			}
			args := commandOf(t, string(readme), dir)
			_, want := explainJSON(t, args...)
			var raw json.RawMessage
			srv.call(t, protocol.MethodWorkspaceExecuteCommand, map[string]any{
				"command": lsp.ExplainCommand, "arguments": []any{requestOf(args)},
			}, &raw)
			// The server's answer is explain's, with the URI of each cause's
			// policy besides.
			var got eval.Answer
			var links struct {
				Causes []struct{ Policy, URI string }
			}
			if err := json.Unmarshal(raw, &got); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(raw, &links); err != nil {
				t.Fatal(err)
			}
			gotJSON, _ := json.Marshal(got)
			wantJSON, _ := json.Marshal(want)
			if string(gotJSON) != string(wantJSON) {
				t.Errorf("s3policy.explain\n%s\nexplain\n%s", raw, wantJSON)
			}
			for _, c := range links.Causes {
				if c.URI != string(uri.File(filepath.Join(dir, c.Policy))) {
					t.Errorf("cause of %s links to %s", c.Policy, c.URI)
				}
			}
		})
	}
}

// checkAndServerAgree asserts that check and the server, which scans the
// folder and publishes every file, opened or not, report the same codes at
// the same places with the same related places; it returns the server.
func checkAndServerAgree(t *testing.T, dir string) *testServer {
	t.Helper()
	return checkAndServerAgreeOn(t, dir, policyFilesBelow(t, dir))
}

// checkAndServerAgreeOn is checkAndServerAgree on the files of dir named
// (slash-separated, relative to dir).
func checkAndServerAgreeOn(t *testing.T, dir string, names []string) *testServer {
	t.Helper()
	out, _, _ := runCLI(t, dir, "check", "--format", "json", ".")
	fromCheck := checkPlaces(t, out)
	srv := startServer(t, dir)
	for _, name := range names {
		srv.diagnostics(t, string(uri.File(filepath.Join(dir, filepath.FromSlash(name)))))
	}
	// The configs too, closed: the server publishes a config's own
	// findings (invalid-config) as check reports them, and nothing for
	// a config check finds nothing in.
	configs := configFilesBelow(t, dir)
	for _, name := range configs {
		if fromCheck[name] != nil {
			srv.diagnostics(t, string(uri.File(filepath.Join(dir, filepath.FromSlash(name)))))
		}
	}
	fromServer := srv.places(dir, append(slices.Clip(names), configs...))
	if !reflect.DeepEqual(fromCheck, fromServer) {
		t.Errorf("check reports\n%v\nthe server\n%v", fromCheck, fromServer)
	}
	return srv
}

// On every example folder, of every host (Terraform modules, templates,
// CLI output, standalone JSON), check and the server report the same
// findings at the same places.
func TestCheckAndServerAgreeOnEveryExampleFolder(t *testing.T) {
	root, err := filepath.Abs(filepath.Join("..", "..", "examples"))
	if err != nil {
		t.Fatal(err)
	}
	folders := 0
	err = filepath.WalkDir(root, func(dir string, d fs.DirEntry, err error) error {
		// A root module that only calls child modules holds no policy of
		// its own, and is compared with its children; a config's folder
		// with its policies below, with its config.
		if err != nil || !d.IsDir() || len(policyFiles(t, dir)) == 0 && !holdsTerraform(t, dir) && !holdsConfig(dir) {
			return err
		}
		folders++
		rel, _ := filepath.Rel(root, dir)
		t.Run(filepath.ToSlash(rel), func(t *testing.T) { checkAndServerAgree(t, dir) })
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if folders < 30 {
		t.Errorf("compared %d example folders; the examples hold more", folders)
	}
}

// On a governed folder of 150 policies in subfolders, beside files no
// config governs, the server's first scan (which streams: sets loaded as
// it reads them, loose files published at once) publishes every policy
// file, and each file check finds something in with the same findings at
// the same places.
func TestCheckAndServerAgreeOnAGovernedTree(t *testing.T) {
	dir := t.TempDir()
	dir, _ = filepath.EvalSymlinks(dir)
	if _, err := governed.Write(filepath.Join(dir, "governed"), 150); err != nil {
		t.Fatal(err)
	}
	loose := map[string]string{}
	for i := range 30 { // GetObject on the bucket's ARN: missing-resource-arn, in each file alone
		loose[fmt.Sprintf("loose/p%02d.iam-policy.json", i)] = fmt.Sprintf(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data-%d"}]}`, i)
	}
	writeTree(t, dir, loose)
	names := policyFilesBelow(t, dir)
	if len(names) < 180 {
		t.Fatalf("%d policy files; the folder holds more", len(names))
	}
	out, _, _ := runCLI(t, dir, "check", "--format", "json", ".")
	files := map[string]bool{}
	for _, f := range decodeJSON(t, out) {
		files[f.File] = true
		if !slices.Contains(names, f.File) {
			t.Errorf("check finds something in %s, which the test does not compare", f.File)
		}
	}
	if !files["loose/p00.iam-policy.json"] || len(files) < 60 {
		t.Fatalf("check finds something in %d files; the test would prove little", len(files))
	}
	checkAndServerAgreeOn(t, dir, names)
}

// Upper-case extensions are read by check and by the server alike: one
// owner (internal/tree) decides which files are read.
func TestCheckAndServerAgreeOnUpperCaseExtensions(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		".s3policy.json":            `{"accounts": ["111122223333"], "buckets": {"shared-data": {"account": "444455556666"}}, "files": {"JANE.JSON": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:user/jane"}}}`,
		"JANE.JSON":                 `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`,
		"BUCKET.BUCKET-POLICY.JSON": `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data"}]}`,
	})
	dir, _ = filepath.EvalSymlinks(dir)
	out, _, _ := runCLI(t, dir, "check", "--format", "json", ".")
	if len(decodeJSON(t, out)) == 0 {
		t.Fatal("check found nothing in the upper-case files; the test would prove nothing")
	}
	checkAndServerAgree(t, dir)
}

// requestOf turns explain's flags into the command's argument.
func requestOf(args []string) map[string]any {
	req := map[string]any{}
	names := map[string]string{"--principal": "principal", "--action": "action", "--resource": "resource",
		"--resource-account": "resourceAccount", "--request-payer": "requestPayer", "--object-owner": "objectOwner", "--object-acl": "objectAcl"}
	ctx := map[string][]string{}
	for i := 0; i+1 < len(args); i++ {
		if name, ok := names[args[i]]; ok {
			req[name] = args[i+1]
		}
		if args[i] == "--context" {
			k, v, _ := strings.Cut(args[i+1], "=")
			ctx[k] = append(ctx[k], v)
		}
	}
	if len(ctx) > 0 {
		req["context"] = ctx
	}
	return req
}

// policyFiles lists the .json files of dir but .s3policy.json.
// policyFilesBelow lists the files of dir and its subfolders that hold a
// policy, by slash path relative to dir: those the server publishes
// (the files a Terraform module reads with file() among them).
func policyFilesBelow(t *testing.T, dir string) []string {
	t.Helper()
	out := scannedBelow(t, dir, func(p string) bool { return filepath.Dir(p) != filepath.Clean(dir) && holdsPolicy(t, p) })
	return append(policyFiles(t, dir), out...)
}

// configFilesBelow lists the .s3policy.json files a scan of dir reads,
// as slash paths relative to it.
func configFilesBelow(t *testing.T, dir string) []string {
	t.Helper()
	return scannedBelow(t, dir, tree.IsConfig)
}

// scannedBelow lists the files a scan of dir reads that keep holds, as
// slash paths relative to dir.
func scannedBelow(t *testing.T, dir string, keep func(path string) bool) []string {
	t.Helper()
	paths, _, err := tree.Scan(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, p := range paths {
		if keep(p) {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, filepath.ToSlash(rel))
		}
	}
	return out
}

// holdsConfig reports whether a folder holds a .s3policy.json.
func holdsConfig(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, ".s3policy.json"))
	return err == nil
}

// holdsTerraform reports whether a folder holds a Terraform module's file.
func holdsTerraform(t *testing.T, dir string) bool {
	t.Helper()
	tf, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		t.Fatal(err)
	}
	return len(tf) > 0
}

// holdsPolicy reports whether a file, read alone, holds a policy or
// something its reader says of it.
func holdsPolicy(t *testing.T, path string) bool {
	t.Helper()
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	src := tree.Read(filepath.Base(path), text, nil)
	return !tree.IsConfig(path) && (slices.ContainsFunc(src.Docs, (*analysis.File).IsPolicyFile) || len(src.Findings) > 0)
}

func policyFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() || !tree.Wanted(e.Name()) || tree.IsConfig(e.Name()) {
			continue
		}
		// The server publishes the files that hold a policy; a Terraform
		// module's providers.tf or a scenario file holds none.
		text, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if src := tree.Read(e.Name(), text, nil); slices.ContainsFunc(src.Docs, (*analysis.File).IsPolicyFile) || len(src.Findings) > 0 {
			out = append(out, e.Name())
		}
	}
	return out
}

// testServer is an in-process server with a client that records the
// diagnostics it publishes.
type testServer struct {
	conn    jsonrpc2.Conn
	mu      sync.Mutex
	diags   map[string][]protocol.Diagnostic
	arrived chan struct{} // closed and replaced on every publication
}

func startServer(t *testing.T, root string) *testServer {
	t.Helper()
	serverEnd, clientEnd := net.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		lsp.New(lsp.Options{}).Serve(ctx, serverEnd)
		close(done)
	}()
	s := &testServer{diags: map[string][]protocol.Diagnostic{}, arrived: make(chan struct{})}
	s.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(clientEnd))
	s.conn.Go(ctx, func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		if req.Method() == protocol.MethodTextDocumentPublishDiagnostics {
			var p protocol.PublishDiagnosticsParams
			if json.Unmarshal(req.Params(), &p) == nil {
				s.mu.Lock()
				s.diags[string(p.URI)] = p.Diagnostics
				close(s.arrived)
				s.arrived = make(chan struct{})
				s.mu.Unlock()
			}
		}
		return reply(ctx, nil, nil)
	})
	t.Cleanup(func() {
		cancel()
		s.conn.Close()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			t.Error("the server did not stop")
		}
	})
	s.call(t, protocol.MethodInitialize, map[string]any{"processId": nil, "rootUri": string(uri.File(root)), "capabilities": map[string]any{}, "locale": "en"}, nil)
	if err := s.conn.Notify(ctx, protocol.MethodInitialized, map[string]any{}); err != nil {
		t.Fatal(err)
	}
	return s
}

func (s *testServer) call(t *testing.T, method string, params, result any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := s.conn.Call(ctx, method, params, result); err != nil {
		t.Fatalf("%s: %v", method, err)
	}
}

// diagnostics waits for the first publication for u.
func (s *testServer) diagnostics(t *testing.T, u string) []protocol.Diagnostic {
	t.Helper()
	deadline := time.After(20 * time.Second)
	for {
		s.mu.Lock()
		diags, ok := s.diags[u]
		arrived := s.arrived
		s.mu.Unlock()
		if ok {
			return diags
		}
		select {
		case <-arrived:
		case <-deadline:
			t.Fatalf("no diagnostics for %s", u)
		}
	}
}
