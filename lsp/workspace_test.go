package lsp_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// copyExample copies a folder of examples/cross-account to a temp folder.
func copyExample(t *testing.T, name string) string {
	t.Helper()
	src := filepath.Join("..", "examples", "cross-account", name)
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func fileURI(dir, name string) string { return string(uri.File(filepath.Join(dir, name))) }

func readText(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// rangeOf is the range of the first occurrence of sub in text (ASCII).
func rangeOf(t *testing.T, text, sub string) protocol.Range {
	t.Helper()
	start := strings.Index(text, sub)
	if start < 0 {
		t.Fatalf("%q not in the text", sub)
	}
	pos := func(off int) protocol.Position {
		line := strings.Count(text[:off], "\n")
		return protocol.Position{Line: uint32(line), Character: uint32(off - strings.LastIndex(text[:off], "\n") - 1)}
	}
	return protocol.Range{Start: pos(start), End: pos(start + len(sub))}
}

// startFolder starts a server on the folder with the given capabilities.
func startFolder(t *testing.T, dir string, capabilities map[string]any) *client {
	t.Helper()
	return startInitialized(t, lsp.Options{}, map[string]any{"rootUri": string(uri.File(dir)), "capabilities": capabilities})
}

func nonEmpty(p protocol.PublishDiagnosticsParams) bool { return len(p.Diagnostics) > 0 }
func empty(p protocol.PublishDiagnosticsParams) bool    { return len(p.Diagnostics) == 0 }

// The scan reports progress and publishes a file nobody opened, with the
// cross-file finding's related information at the exact elements of the
// key policy and of the bucket policy.
func TestWorkspaceScanPublishesClosedFilesWithProgress(t *testing.T) {
	dir := copyExample(t, "kms-key-policy")
	c := startFolder(t, dir, map[string]any{"window": map[string]any{"workDoneProgress": true}})
	jane := c.waitDiagnostics(fileURI(dir, "jane.iam-policy.json"), nonEmpty)

	janeText := readText(t, filepath.Join(dir, "jane.iam-policy.json"))
	keyText := readText(t, filepath.Join(dir, "key.key-policy.json"))
	bucketText := readText(t, filepath.Join(dir, "bucket.bucket-policy.json"))
	if got := codes(jane.Diagnostics); !slices.Equal(got, []string{"kms-missing-actions", "kms-missing-actions"}) {
		t.Fatalf("codes %v", got)
	}
	for i, action := range []string{`"s3:GetObject"`, `"s3:PutObject"`} {
		d := jane.Diagnostics[i]
		if d.Range != rangeOf(t, janeText, action) {
			t.Errorf("diagnostic %d at %+v, want %s", i, d.Range, action)
		}
		want := []protocol.Location{
			{URI: protocol.DocumentURI(fileURI(dir, "key.key-policy.json")), Range: rangeOf(t, keyText, `"*"`)},
			{URI: protocol.DocumentURI(fileURI(dir, "bucket.bucket-policy.json")), Range: rangeOf(t, bucketText, `"arn:aws:iam::111122223333:root"`)},
		}
		var got []protocol.Location
		for _, r := range d.RelatedInformation {
			got = append(got, r.Location)
		}
		if !slices.Equal(got, want) {
			t.Errorf("related %+v\nwant %+v", got, want)
		}
	}

	// The scan streams: a set's diagnostics may come before its end; the
	// end comes once every file is diagnosed.
	waitScanEnd(c)
	for _, name := range []string{"key.key-policy.json", "bucket.bucket-policy.json"} {
		if len(c.published(fileURI(dir, name))) == 0 {
			t.Errorf("the scan's progress ended before %s was published", name)
		}
	}
	var kinds []string
	c.mu.Lock()
	for _, n := range c.notes {
		switch n.method {
		case protocol.MethodWorkDoneProgressCreate:
			kinds = append(kinds, "create")
		case protocol.MethodProgress:
			var p struct {
				Value struct{ Kind string } `json:"value"`
			}
			_ = json.Unmarshal(n.params, &p)
			kinds = append(kinds, p.Value.Kind)
		}
	}
	c.mu.Unlock()
	// One report when the folder is read, maybe one when its analysis
	// starts ("analysing 0 of 3 files"), unless the back was done already.
	if want := []string{"create", "begin", "report", "end"}; !slices.Equal(kinds, want) &&
		!slices.Equal(kinds, []string{"create", "begin", "report", "report", "end"}) {
		t.Errorf("progress %v, want %v, maybe with a second report", kinds, want)
	}
}

// allowingKeyPolicy is the key policy of all-allowed: it lets account
// 111122223333 use the key.
func allowingKeyPolicy(t *testing.T) string {
	return readText(t, filepath.Join("..", "examples", "cross-account", "all-allowed", "key.key-policy.json"))
}

// A key policy fixed on disk clears the finding in the identity policy
// that depends on it, once the client says the file changed.
func TestWorkspaceWatchedChangeReanalysesDependant(t *testing.T) {
	dir := copyExample(t, "kms-key-policy")
	c := startFolder(t, dir, map[string]any{"workspace": map[string]any{
		"didChangeWatchedFiles": map[string]any{"dynamicRegistration": true},
		"codeLens":              map[string]any{"refreshSupport": true},
	}})
	janeURI := fileURI(dir, "jane.iam-policy.json")
	c.waitDiagnostics(janeURI, nonEmpty)
	raw := c.waitNote(protocol.MethodClientRegisterCapability, func(json.RawMessage) bool { return true })
	if !strings.Contains(string(raw), `{"globPattern":"**/*.json"}`) {
		t.Errorf("registration %s does not watch **/*.json", raw)
	}

	keyPath := filepath.Join(dir, "key.key-policy.json")
	if err := os.WriteFile(keyPath, []byte(allowingKeyPolicy(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	c.notify(protocol.MethodWorkspaceDidChangeWatchedFiles, map[string]any{
		"changes": []any{map[string]any{"uri": string(uri.File(keyPath)), "type": 2}},
	})
	c.waitDiagnostics(janeURI, empty)
	// The lenses of the bucket policy depend on the key policy too: a
	// refresh follows the publication that the change caused.
	c.mu.Lock()
	published := len(c.notes)
	c.mu.Unlock()
	waitLensRefresh(c, published-1)
}

// An open buffer of the key policy wins over the disk; closing it brings
// the disk's text back.
func TestWorkspaceOpenBufferOverridesDisk(t *testing.T) {
	dir := copyExample(t, "kms-key-policy")
	c := startFolder(t, dir, nil)
	janeURI, keyURI := fileURI(dir, "jane.iam-policy.json"), fileURI(dir, "key.key-policy.json")
	c.waitDiagnostics(janeURI, nonEmpty)
	c.open(keyURI, allowingKeyPolicy(t), 1)
	c.waitDiagnostics(janeURI, empty)
	c.close(keyURI)
	back := c.waitDiagnostics(janeURI, func(p protocol.PublishDiagnosticsParams) bool {
		return len(p.Diagnostics) > 0 && len(c.published(janeURI)) > 2
	})
	if got := codes(back.Diagnostics); !slices.Equal(got, []string{"kms-missing-actions", "kms-missing-actions"}) {
		t.Errorf("after close: %v", got)
	}
}

func codeLenses(t *testing.T, c *client, u string) []protocol.CodeLens {
	t.Helper()
	var lenses []protocol.CodeLens
	c.call(protocol.MethodTextDocumentCodeLens, map[string]any{"textDocument": map[string]any{"uri": u}}, &lenses)
	return lenses
}

// Code lenses above the bucket policy's grant say, per principal of the
// granted account and action, whether the request gets through.
func TestCodeLensesOnGrants(t *testing.T) {
	for _, tc := range []struct {
		example string
		titles  []string
	}{
		{"all-allowed", []string{"jane: GetObject ✓", "jane: PutObject ✓"}},
		{"kms-key-policy", []string{"jane: GetObject ✗ KMS", "jane: PutObject ✗ KMS"}},
	} {
		t.Run(tc.example, func(t *testing.T) {
			dir := copyExample(t, tc.example)
			c := startFolder(t, dir, nil)
			bucketURI := fileURI(dir, "bucket.bucket-policy.json")
			text := readText(t, filepath.Join(dir, "bucket.bucket-policy.json"))
			c.open(bucketURI, text, 1)
			// The lenses need the other files: wait for the scan to publish them.
			c.waitDiagnostics(fileURI(dir, "jane.iam-policy.json"), func(protocol.PublishDiagnosticsParams) bool { return true })
			lenses := codeLenses(t, c, bucketURI)
			var titles []string
			at := rangeOf(t, text, "{\n      \"Sid\": \"PartnerAccount\"").Start
			for i, l := range lenses {
				titles = append(titles, l.Command.Title)
				if l.Range.Start != at || l.Range.End != at {
					t.Errorf("lens %d at %+v, want %+v", i, l.Range, at)
				}
				if l.Command.Command != lsp.ExplainCommand || len(l.Command.Arguments) != 2 {
					t.Errorf("lens %d command %+v", i, l.Command)
				}
			}
			if !slices.Equal(titles, tc.titles) {
				t.Errorf("titles\n%q\nwant\n%q", titles, tc.titles)
			}
			arg, _ := json.Marshal(lenses[0].Command.Arguments[0])
			if want := `{"action":"s3:GetObject","principal":"arn:aws:iam::111122223333:user/jane","resource":"arn:aws:s3:::shared-data/*"}`; string(arg) != want {
				t.Errorf("argument %s, want %s", arg, want)
			}
			from, _ := json.Marshal(lenses[0].Command.Arguments[1])
			if want := `{"uri":"` + bucketURI + `"}`; string(from) != want {
				t.Errorf("second argument %s, want %s", from, want)
			}
		})
	}
}

// The scan follows no symbolic link out of the folder or around a loop,
// skips files over 1 MB with a notice, and reads .JSON as .json.
func TestWorkspaceScanSkipsLinksAndLargeFiles(t *testing.T) {
	dir, outside := t.TempDir(), t.TempDir()
	const policy = `{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`
	for name, text := range map[string]string{
		"a.iam-policy.json": policy,
		"U.IAM-POLICY.JSON": policy, // read whatever the case of its extension, as check reads it
		"z.iam-policy.json": policy,
		"big.iam-policy.json": `{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*", "Sid": "` +
			strings.Repeat("x", 1<<20) + `"}]}`,
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(outside, "secret.iam-policy.json"), []byte(policy), 0o644); err != nil {
		t.Fatal(err)
	}
	for link, target := range map[string]string{
		"out.iam-policy.json":  filepath.Join(outside, "secret.iam-policy.json"),
		"loop.iam-policy.json": filepath.Join(dir, "loop.iam-policy.json"),
		"back":                 dir, // a folder loop
		"outdir":               outside,
	} {
		if err := os.Symlink(target, filepath.Join(dir, link)); err != nil {
			t.Fatal(err)
		}
	}
	c := startFolder(t, dir, nil)
	c.waitLog("larger than 1 MB")
	c.waitLog("a symbolic link out of the workspace folder")
	c.waitLog("a symbolic link that loops or leads nowhere")
	for _, name := range []string{"a.iam-policy.json", "U.IAM-POLICY.JSON", "z.iam-policy.json"} {
		got := c.waitDiagnostics(fileURI(dir, name), nonEmpty)
		if !slices.Equal(codes(got.Diagnostics), []string{"missing-version"}) {
			t.Errorf("%s: %v", name, codes(got.Diagnostics))
		}
	}
	// z comes last in the one pass that publishes the folder: whatever
	// was skipped has had its chance to appear by now.
	for _, u := range []string{
		fileURI(dir, "big.iam-policy.json"), fileURI(dir, "out.iam-policy.json"), fileURI(dir, "loop.iam-policy.json"),
		fileURI(dir, "back/a.iam-policy.json"), fileURI(dir, "outdir/secret.iam-policy.json"), string(uri.File(filepath.Join(outside, "secret.iam-policy.json"))),
	} {
		if got := c.published(u); len(got) != 0 {
			t.Errorf("%s was published: %+v", u, got)
		}
	}
}

// A client that sends initialized twice gets one scan.
func TestWorkspaceSecondInitializedIsHarmless(t *testing.T) {
	dir := copyExample(t, "kms-key-policy")
	c := startFolder(t, dir, map[string]any{"window": map[string]any{"workDoneProgress": true}})
	c.notify(protocol.MethodInitialized, map[string]any{})
	c.waitDiagnostics(fileURI(dir, "jane.iam-policy.json"), nonEmpty)
	var shutdown any
	c.call(protocol.MethodShutdown, nil, &shutdown)
	c.mu.Lock()
	creates := 0
	for _, n := range c.notes {
		if n.method == protocol.MethodWorkDoneProgressCreate {
			creates++
		}
	}
	c.mu.Unlock()
	if creates != 1 {
		t.Errorf("%d scans, want 1", creates)
	}
}

// s3policy.explain sent at once after initialized, in a folder without
// policies, answers from the whole folder (after the first scan) and says
// that nothing grants the request, rather than failing.
func TestExplainInAnEmptyFolderRightAfterStart(t *testing.T) {
	dir := t.TempDir()
	c := startInitialized(t, lsp.Options{}, map[string]any{"rootUri": string(uri.File(dir))})
	var answer struct {
		Decision  string
		BlockedBy []string
	}
	c.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{
		"command": lsp.ExplainCommand,
		"arguments": []any{map[string]any{
			"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k",
		}},
	}, &answer)
	if answer.Decision != "ImplicitlyDenied" || !slices.Contains(answer.BlockedBy, "identity") {
		t.Errorf("answer %+v, want ImplicitlyDenied on the identity side", answer)
	}
}

// With one folder for a whole repository, the policies of a nested
// .s3policy.json answer s3policy.explain, and each cause names the URI of
// its policy file, which the editors link to.
func TestExplainCausesLinkToTheirPolicy(t *testing.T) {
	nested := copyExample(t, "kms-key-policy")
	repo := filepath.Dir(nested)
	c := startFolder(t, repo, nil)
	var answer struct {
		Decision string
		Causes   []struct {
			Code   string
			Policy string
			Line   int
			URI    string
		}
	}
	c.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{
		"command": lsp.ExplainCommand,
		"arguments": []any{map[string]any{
			"principal": "arn:aws:iam::111122223333:user/jane", "action": "s3:PutObject", "resource": "arn:aws:s3:::shared-data/x",
		}},
	}, &answer)
	if answer.Decision != "ImplicitlyDenied" || len(answer.Causes) != 1 {
		t.Fatalf("answer %+v, want one cause", answer)
	}
	got := answer.Causes[0]
	if got.Code != "kms-missing-actions" || got.Policy != "key.key-policy.json" || got.Line != 4 || got.URI != fileURI(nested, "key.key-policy.json") {
		t.Errorf("cause %+v, want kms-missing-actions at line 4 of %s", got, fileURI(nested, "key.key-policy.json"))
	}
}

// In one folder that holds several example folders, all about the bucket
// shared-data, a lens answers from the folder of the bucket policy it sits
// on (its second argument), as its title does: not from the first folder
// that describes shared-data (all-allowed, where Jane gets through).
func TestLensAnswersFromItsOwnFolder(t *testing.T) {
	repo := t.TempDir()
	for _, name := range []string{"all-allowed", "scp-deny"} {
		if err := os.Rename(copyExample(t, name), filepath.Join(repo, name)); err != nil {
			t.Fatal(err)
		}
	}
	c := startFolder(t, repo, nil)
	dir := filepath.Join(repo, "scp-deny")
	bucketURI := fileURI(dir, "bucket.bucket-policy.json")
	c.open(bucketURI, readText(t, filepath.Join(dir, "bucket.bucket-policy.json")), 1)
	c.waitDiagnostics(fileURI(dir, "jane.iam-policy.json"), nonEmpty)
	lenses := codeLenses(t, c, bucketURI)
	if len(lenses) == 0 || lenses[0].Command.Title != "jane: GetObject ✗ SCP" {
		t.Fatalf("lenses %+v, want jane: GetObject ✗ SCP first", lenses)
	}
	var answer struct {
		Decision  string
		BlockedBy []string
	}
	c.call(protocol.MethodWorkspaceExecuteCommand, map[string]any{
		"command": lenses[0].Command.Command, "arguments": lenses[0].Command.Arguments,
	}, &answer)
	if answer.Decision != "ExplicitlyDenied" || !slices.Equal(answer.BlockedBy, []string{"scp"}) {
		t.Errorf("answer %+v, want ExplicitlyDenied by the SCP", answer)
	}
}

// A lens on an open bucket policy answers from the set as it is after an
// edit elsewhere: the SCP no longer denies Jane, so her lens says ✓, though
// the bucket policy itself was not analysed again.
func TestLensFollowsAnEditToAnotherFile(t *testing.T) {
	dir := copyExample(t, "scp-deny")
	c := startFolder(t, dir, nil)
	bucketURI, scpURI, janeURI := fileURI(dir, "bucket.bucket-policy.json"), fileURI(dir, "scp.scp.json"), fileURI(dir, "jane.iam-policy.json")
	c.open(bucketURI, readText(t, filepath.Join(dir, "bucket.bucket-policy.json")), 1)
	c.open(scpURI, readText(t, filepath.Join(dir, "scp.scp.json")), 1)
	c.waitDiagnostics(janeURI, nonEmpty)
	titles := func() []string {
		var out []string
		for _, l := range codeLenses(t, c, bucketURI) {
			out = append(out, l.Command.Title)
		}
		return out
	}
	if got, want := titles(), []string{"jane: GetObject ✗ SCP", "jane: PutObject ✗ SCP"}; !slices.Equal(got, want) {
		t.Fatalf("before: %q, want %q", got, want)
	}
	c.change(scpURI, strings.Replace(readText(t, filepath.Join(dir, "scp.scp.json")), "shared-data/*", "other-bucket/*", 1), 2)
	c.waitDiagnostics(janeURI, func(p protocol.PublishDiagnosticsParams) bool { return len(p.Diagnostics) == 0 })
	if got, want := titles(), []string{"jane: GetObject ✓", "jane: PutObject ✓"}; !slices.Equal(got, want) {
		t.Errorf("after the SCP no longer names shared-data: %q, want %q", got, want)
	}
}

// When the bucket policy comes to grant Jane's account, the finding on
// her closed identity policy ("grants nothing to account 111122223333")
// goes, though no answer of hers changed (she had no request before).
func TestGrantToTheAccountClearsTheIdentitySide(t *testing.T) {
	dir := copyExample(t, "bucket-policy-other-account")
	c := startFolder(t, dir, nil)
	bucketURI, janeURI := fileURI(dir, "bucket.bucket-policy.json"), fileURI(dir, "jane.iam-policy.json")
	text := readText(t, filepath.Join(dir, "bucket.bucket-policy.json"))
	c.open(bucketURI, text, 1)
	if got := c.waitDiagnostics(janeURI, nonEmpty); !slices.Equal(codes(got.Diagnostics), []string{"missing-resource-arn"}) {
		t.Fatalf("before: %v", codes(got.Diagnostics))
	}
	c.change(bucketURI, strings.Replace(text, "999988887777", "111122223333", 1), 2)
	c.waitDiagnostics(janeURI, func(p protocol.PublishDiagnosticsParams) bool { return len(p.Diagnostics) == 0 })
}

// waitScanEnd waits for the end of the first scan's progress.
func waitScanEnd(c *client) {
	c.waitNote(protocol.MethodProgress, func(raw json.RawMessage) bool {
		return strings.Contains(string(raw), `"kind":"end"`)
	})
}

// Each version of a document edited in a governed folder is analysed and
// published once, and the closed files of the folder, whose findings the
// edit cannot change, are not published again.
func TestGovernedEditPublishesEachVersionOnce(t *testing.T) {
	dir := copyExample(t, "kms-key-policy")
	c := startFolder(t, dir, map[string]any{"window": map[string]any{"workDoneProgress": true}})
	janeURI := fileURI(dir, "jane.iam-policy.json")
	others := []string{fileURI(dir, "key.key-policy.json"), fileURI(dir, "bucket.bucket-policy.json")}
	waitScanEnd(c)
	c.waitDiagnostics(janeURI, nonEmpty)
	for _, u := range others {
		c.waitDiagnostics(u, func(protocol.PublishDiagnosticsParams) bool { return true })
	}
	before := map[string]int{}
	for _, u := range others {
		before[u] = len(c.published(u))
	}

	text := readText(t, filepath.Join(dir, "jane.iam-policy.json"))
	c.open(janeURI, text, 1)
	const last = 7
	for v := 2; v <= last; v++ {
		c.change(janeURI, text+strings.Repeat(" ", v), v)
		if v == 4 { // one version waited for, the others may be coalesced
			c.waitDiagnostics(janeURI, hasVersion(4))
		}
	}
	final := c.waitDiagnostics(janeURI, hasVersion(last))
	if got := codes(final.Diagnostics); !slices.Equal(got, []string{"kms-missing-actions", "kms-missing-actions"}) {
		t.Errorf("version %d: %v", last, got)
	}
	perVersion := map[uint32]int{}
	for _, p := range c.published(janeURI) {
		if p.Version > 0 {
			perVersion[p.Version]++
		}
	}
	for v, n := range perVersion {
		if n != 1 {
			t.Errorf("version %d published %d times, want once", v, n)
		}
	}
	if perVersion[4] != 1 {
		t.Errorf("versions published: %v; want 4 among them", perVersion)
	}
	for _, u := range others {
		if n := len(c.published(u)); n != before[u] {
			t.Errorf("%s published %d more times after edits that cannot change its findings", filepath.Base(u), n-before[u])
		}
	}
}

// The first scan publishes an open document before any closed file, and
// then every closed file of the folder, governed or not; an open
// document of a set waits for the scan to load its set (scanHold), and
// is published then, before the closed files of that set. The scan's
// start (Options.ScanStarted) waits until the server has the documents
// open, so that the scan has not read a file when they come.
func TestScanPublishesOpenDocumentsFirst(t *testing.T) {
	dir := t.TempDir()
	gov := filepath.Join(dir, "gov")
	if err := os.CopyFS(gov, os.DirFS(copyExample(t, "kms-key-policy"))); err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		policy := fmt.Sprintf(`{"Version": "2012-10-17", "Statement": [{"Sid": "S%d", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b%d"}]}`, i, i)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("loose-%02d.iam-policy.json", i)), []byte(policy), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	hold := make(chan struct{}) // the scan waits for the documents to be open
	c := start(t, lsp.Options{ScanStarted: func() func() { <-hold; return nil }})
	var result protocol.InitializeResult
	c.call(protocol.MethodInitialize, map[string]any{"processId": nil, "rootUri": string(uri.File(dir)),
		"capabilities": map[string]any{"window": map[string]any{"workDoneProgress": true}}}, &result)
	c.notify(protocol.MethodInitialized, map[string]any{})
	janeURI := fileURI(gov, "jane.iam-policy.json")
	c.open(janeURI, readText(t, filepath.Join(gov, "jane.iam-policy.json")), 1)
	// A large document, slow to analyse: without the front first, the
	// scan's readers would publish small closed files before it.
	bigURI := fileURI(dir, "big.iam-policy.json")
	var statements []string
	for i := range 300 {
		statements = append(statements, fmt.Sprintf(`{"Sid": "S%d", "Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket", "kms:Decrypt"], "Resource": "arn:aws:s3:::bucket-%d/*"}`, i, i))
	}
	c.open(bigURI, `{"Version": "2012-10-17", "Statement": [`+strings.Join(statements, ",\n")+`]}`, 1)
	c.handled()
	close(hold)

	waitScanEnd(c)
	closed := []string{fileURI(gov, "key.key-policy.json"), fileURI(gov, "bucket.bucket-policy.json")}
	for i := range 20 {
		closed = append(closed, fileURI(dir, fmt.Sprintf("loose-%02d.iam-policy.json", i)))
	}
	for _, u := range closed {
		c.waitDiagnostics(u, func(protocol.PublishDiagnosticsParams) bool { return true })
	}
	final := c.waitDiagnostics(janeURI, func(p protocol.PublishDiagnosticsParams) bool {
		return slices.Equal(codes(p.Diagnostics), []string{"kms-missing-actions", "kms-missing-actions"})
	})
	if final.Version != 1 {
		t.Errorf("the open document's cross-file findings published for version %d, want 1", final.Version)
	}
	c.waitDiagnostics(bigURI, func(protocol.PublishDiagnosticsParams) bool { return true })
	if first := c.published(janeURI)[0]; !slices.Equal(codes(first.Diagnostics), []string{"kms-missing-actions", "kms-missing-actions"}) {
		t.Errorf("the open document of the set was first published with %v, before its set was loaded", codes(first.Diagnostics))
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	firstAt := map[string]int{} // each file's first publication, in order
	for i, n := range c.notes {
		var p protocol.PublishDiagnosticsParams
		if n.method != protocol.MethodTextDocumentPublishDiagnostics || json.Unmarshal(n.params, &p) != nil {
			continue
		}
		if _, seen := firstAt[string(p.URI)]; !seen {
			firstAt[string(p.URI)] = i
		}
	}
	for _, u := range closed {
		if firstAt[u] < firstAt[bigURI] {
			t.Errorf("%s published before the open document in no set", filepath.Base(u))
		}
	}
	for _, u := range closed[:2] {
		if firstAt[u] < firstAt[janeURI] {
			t.Errorf("%s published before the open document of its set", filepath.Base(u))
		}
	}
}

// waitLensRefresh waits for a workspace/codeLens/refresh after the first
// `after` notifications: the back sends one when its queue of closed
// files has drained after an edit with dependants.
func waitLensRefresh(c *client, after int) {
	c.t.Helper()
	deadline := time.After(timeout)
	for {
		c.mu.Lock()
		notes, arrived := c.notes, c.arrived
		c.mu.Unlock()
		if slices.ContainsFunc(notes[after:], func(n note) bool { return n.method == protocol.MethodCodeLensRefresh }) {
			return
		}
		select {
		case <-arrived:
		case <-deadline:
			c.t.Fatalf("no workspace/codeLens/refresh after notification %d:\n%s", after, c.dump())
		}
	}
}

// relatedIn lists a publication's related places in a file, as
// "line:character" (1-based).
func relatedIn(p protocol.PublishDiagnosticsParams, name string) []string {
	var out []string
	for _, d := range p.Diagnostics {
		for _, r := range d.RelatedInformation {
			if filepath.Base(uri.URI(r.Location.URI).Filename()) == name {
				out = append(out, fmt.Sprintf("%d:%d", r.Location.Range.Start.Line+1, r.Location.Range.Start.Character+1))
			}
		}
	}
	return out
}

// A closed file whose findings an edit may change is analysed again, and
// published again only when its diagnostics differ from what the client
// has: a space at the end of a line of the open key policy moves the
// causes the engine places in it (byte offsets), so Jane's closed policy
// is analysed again, but its related places (line and column) are the
// same, and it is not published; a line break before them moves them a
// line down, and it is.
func TestClosedDependantRepublishedOnlyWhenItsFindingsChange(t *testing.T) {
	dir := copyExample(t, "kms-key-policy")
	c := startFolder(t, dir, map[string]any{"workspace": map[string]any{"codeLens": map[string]any{"refreshSupport": true}}})
	janeURI, keyURI := fileURI(dir, "jane.iam-policy.json"), fileURI(dir, "key.key-policy.json")
	first := c.waitDiagnostics(janeURI, nonEmpty)
	if got := relatedIn(first, "key.key-policy.json"); !slices.Equal(got, []string{"11:19", "11:19"}) {
		t.Fatalf("Jane's findings relate to the key policy at %v, want 11:19 twice", got)
	}
	waitLensRefresh(c, 0) // the scan's closed files are all published
	key := readText(t, filepath.Join(dir, "key.key-policy.json"))
	c.open(keyURI, key, 1)
	c.waitDiagnostics(keyURI, hasVersion(1))

	const version = `"Version": "2012-10-17",`
	c.mu.Lock()
	before := len(c.notes)
	c.mu.Unlock()
	c.change(keyURI, strings.Replace(key, version, version+" ", 1), 2)
	c.waitDiagnostics(keyURI, hasVersion(2))
	waitLensRefresh(c, before)
	if n := len(c.published(janeURI)); n != 1 {
		t.Fatalf("Jane's policy published %d times; its findings did not change after the scan's", n)
	}

	c.change(keyURI, strings.Replace(key, version, version+"\n", 1), 3)
	moved := c.waitDiagnostics(janeURI, func(p protocol.PublishDiagnosticsParams) bool { return len(c.published(janeURI)) > 1 })
	if got := relatedIn(moved, "key.key-policy.json"); !slices.Equal(got, []string{"12:19", "12:19"}) {
		t.Errorf("after a line break Jane's findings relate to the key policy at %v, want 12:19 twice", got)
	}
}

// While a document is typed in, the open documents that depend on it
// may wait for a pause (the edited one comes first), but they are never
// left behind: after a burst of edits to the bucket policy, its versions
// are published in order, and Jane's open policy ends with the findings
// of the last version that changed hers (TestDueDependantsWaitForTheNextRound
// makes the wait happen for sure).
func TestOpenDependantsFollowABurstOfEdits(t *testing.T) {
	dir := copyExample(t, "bucket-policy-other-account")
	c := startFolder(t, dir, map[string]any{"window": map[string]any{"workDoneProgress": true}})
	janeURI, bucketURI := fileURI(dir, "jane.iam-policy.json"), fileURI(dir, "bucket.bucket-policy.json")
	jane := readText(t, filepath.Join(dir, "jane.iam-policy.json"))
	bucket := readText(t, filepath.Join(dir, "bucket.bucket-policy.json"))
	c.open(janeURI, jane, 1)
	c.open(bucketURI, bucket, 1)
	// The scan's set gives her policy its cross-file finding.
	c.waitDiagnostics(janeURI, func(p protocol.PublishDiagnosticsParams) bool {
		return slices.Contains(codes(p.Diagnostics), "missing-resource-arn")
	})
	waitScanEnd(c)
	// Odd versions grant another account, even ones Jane's: version 40
	// grants Jane's account, which clears her finding; the versions after
	// it only add spaces at the end, which change nothing of hers, so that
	// her policy is not a dependant of the last rounds.
	const last = 60
	for v := 2; v <= last; v++ {
		account := "999988887777"
		if v%2 == 0 || v > 40 {
			account = "111122223333"
		}
		c.change(bucketURI, strings.Replace(bucket, "999988887777", account, 1)+strings.Repeat(" ", max(0, v-40)), v)
	}
	c.waitDiagnostics(bucketURI, hasVersion(last))
	c.waitDiagnostics(janeURI, func(p protocol.PublishDiagnosticsParams) bool {
		return !slices.Contains(codes(p.Diagnostics), "missing-resource-arn")
	})
	lastSeen := uint32(0)
	for _, p := range c.published(bucketURI) {
		if p.Version < lastSeen {
			t.Fatalf("bucket policy version %d published after version %d", p.Version, lastSeen)
		}
		lastSeen = p.Version
	}
}
