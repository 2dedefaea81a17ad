package lsp_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// The diagnostics cache: a server started again on a workspace it has
// seen publishes what the last one published for the closed files of each
// unchanged set root, before analysing them; any doubt is a miss.

// twoTeams is a workspace of two governed folders, each the
// kms-key-policy example: jane.iam-policy.json has two kms-missing-actions
// findings that point into the key and bucket policies of her folder.
func twoTeams(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, team := range []string{"team-a", "team-b"} {
		if err := os.CopyFS(filepath.Join(dir, team), os.DirFS(copyExample(t, "kms-key-policy"))); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// teamFiles are the policy files of a team's folder.
var teamFiles = []string{"jane.iam-policy.json", "key.key-policy.json", "bucket.bucket-policy.json"}

// cachedServer starts a server on dir with its cache in cacheDir and the
// initialize params (nil for none); beforeLoad, if not nil, is the scan's
// hook: called with each root once its files are read, before its sets
// reach the scheduler. open, if not nil, is opened between initialize and
// initialized.
func cachedServer(t *testing.T, dir, cacheDir string, params map[string]any, beforeLoad func(root string), open func(c *client)) *client {
	t.Helper()
	return cachedServerWith(t, lsp.Options{}, dir, cacheDir, params, beforeLoad, open)
}

// cachedServerWith is cachedServer with the options opts.
func cachedServerWith(t *testing.T, opts lsp.Options, dir, cacheDir string, params map[string]any, beforeLoad func(root string), open func(c *client)) *client {
	t.Helper()
	opts.CacheDir, opts.BinaryID = cacheDir, func() string { return "test build" }
	c := startServer(t, lsp.NewWithScanHook(opts, beforeLoad))
	if params == nil {
		params = map[string]any{}
	}
	params["rootUri"] = string(uri.File(dir))
	params["capabilities"] = map[string]any{}
	params["processId"] = nil
	var result protocol.InitializeResult
	c.call(protocol.MethodInitialize, params, &result)
	if open != nil {
		open(c)
	}
	c.notify(protocol.MethodInitialized, map[string]any{})
	return c
}

// stop ends a session: the next server starts on what it left.
func (c *client) stop() {
	c.t.Helper()
	c.call(protocol.MethodShutdown, nil, nil)
	c.notify(protocol.MethodExit, nil)
	c.waitExit()
}

// lastPublished gives the params of the last publication for each URI,
// byte for byte.
func (c *client) lastPublished() map[string]string {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]string{}
	for _, n := range c.notes {
		var p protocol.PublishDiagnosticsParams
		if n.method == protocol.MethodTextDocumentPublishDiagnostics && json.Unmarshal(n.params, &p) == nil {
			out[string(p.URI)] = string(n.params)
		}
	}
	return out
}

// firstRun runs a server on dir until it has written its cache, and
// returns what it published last for each file.
func firstRun(t *testing.T, dir, cacheDir string) map[string]string {
	t.Helper()
	c := cachedServer(t, dir, cacheDir, nil, nil, nil)
	c.waitLog("diagnostics cache: kept 0 roots unchanged and wrote 2 (6 files)")
	pubs := c.lastPublished()
	c.stop()
	jane := pubs[fileURI(dir, "team-a/jane.iam-policy.json")]
	if !strings.Contains(jane, "kms-missing-actions") || !strings.Contains(jane, "relatedInformation") {
		t.Fatalf("jane's diagnostics are not those of the example: %s", jane)
	}
	if len(pubs) != 6 {
		t.Fatalf("the first run published %d files, want 6", len(pubs))
	}
	return pubs
}

// received waits until the client has, for each of uris, the params
// want; it reports what it still lacks when the timeout passes.
func (c *client) received(want map[string]string, uris []string) (missing []string) {
	deadline := time.After(timeout)
	for {
		c.mu.Lock()
		arrived := c.arrived
		c.mu.Unlock()
		got := c.lastPublished()
		missing = nil
		for _, u := range uris {
			if got[u] != want[u] {
				missing = append(missing, u)
			}
		}
		if len(missing) == 0 {
			return nil
		}
		select {
		case <-arrived:
		case <-deadline:
			return missing
		}
	}
}

// teamURIs lists the URIs of a team's files.
func teamURIs(dir, team string) []string {
	var out []string
	for _, f := range teamFiles {
		out = append(out, fileURI(dir, team+"/"+f))
	}
	return out
}

// A second server on the unchanged workspace has every closed file's
// diagnostics published, byte for byte as the first server's last, when
// the scan has read a root and before the root's sets reach the
// scheduler (the hook): nothing but the cache can have published them.
// The fresh analysis that follows publishes nothing new, and the entries
// stay.
func TestASecondServerPublishesTheCachedDiagnosticsBeforeAnalysing(t *testing.T) {
	dir, cacheDir := twoTeams(t), t.TempDir()
	first := firstRun(t, dir, cacheDir)

	var mu sync.Mutex
	var before []string // per root: what the client lacked when the root was read
	var c *client
	ready := make(chan struct{})
	hook := func(root string) {
		<-ready
		missing := c.received(first, teamURIs(dir, filepath.Base(root)))
		mu.Lock()
		before = append(before, filepath.Base(root)+": "+strings.Join(missing, " "))
		mu.Unlock()
	}
	c = cachedServer(t, dir, cacheDir, nil, hook, nil)
	close(ready)
	c.waitLog("diagnostics cache: kept 2 roots unchanged and wrote 0 (0 files)")
	mu.Lock()
	slices.Sort(before)
	if want := []string{"team-a: ", "team-b: "}; !slices.Equal(before, want) {
		t.Errorf("files not published from the cache before their root's analysis: %q", before)
	}
	mu.Unlock()
	for _, team := range []string{"team-a", "team-b"} {
		c.waitLog("diagnostics cache: published 3 files of " + filepath.Join(dir, team) + " from the cache")
	}
	if got := c.lastPublished(); !mapsEqual(got, first) {
		t.Errorf("the second server's diagnostics differ from the first's:\n%v\n%v", got, first)
	}
	for _, u := range append(teamURIs(dir, "team-a"), teamURIs(dir, "team-b")...) {
		if n := len(c.published(u)); n != 1 {
			t.Errorf("%s published %d times, want once (from the cache)", u, n)
		}
	}
}

func mapsEqual(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// A key policy changed on disk between two runs makes its root a miss:
// jane, whose findings point into it, gets only her fresh diagnostics
// (none: the key now lets her account in), never the cached ones; the
// other root still comes from the cache, and the changed root's entry is
// written again.
func TestAFileChangedOnDiskBetweenRunsIsAMiss(t *testing.T) {
	dir, cacheDir := twoTeams(t), t.TempDir()
	first := firstRun(t, dir, cacheDir)
	if err := os.WriteFile(filepath.Join(dir, "team-a", "key.key-policy.json"), []byte(allowingKeyPolicy(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	c := cachedServer(t, dir, cacheDir, nil, nil, nil)
	c.waitLog("diagnostics cache: kept 1 roots unchanged and wrote 1 (3 files)")
	janeA := fileURI(dir, "team-a/jane.iam-policy.json")
	if pubs := c.published(janeA); len(pubs) != 1 || len(pubs[0].Diagnostics) != 0 {
		t.Errorf("jane of team-a was published %+v, want her fresh [] alone", pubs)
	}
	c.waitLog("diagnostics cache: published 3 files of " + filepath.Join(dir, "team-b") + " from the cache")
	for _, m := range c.logMessages() {
		if strings.Contains(m, "files of "+filepath.Join(dir, "team-a")+" from the cache") {
			t.Errorf("the changed root came from the cache: %s", m)
		}
	}
	got := c.lastPublished()
	for _, u := range teamURIs(dir, "team-b") {
		if got[u] != first[u] {
			t.Errorf("%s: %s, want %s", u, got[u], first[u])
		}
	}
	entries, _ := filepath.Glob(filepath.Join(cacheDir, "v1", "*", "*.diags"))
	if len(entries) != 2 {
		t.Errorf("entries %v, want the unchanged root's and the changed root's new one", entries)
	}
}

// Another language for the messages is another key: no root comes from
// the cache, and jane's messages are in Japanese from the first.
func TestAnotherLanguageIsAMiss(t *testing.T) {
	dir, cacheDir := twoTeams(t), t.TempDir()
	first := firstRun(t, dir, cacheDir)
	c := cachedServer(t, dir, cacheDir, map[string]any{"initializationOptions": map[string]any{"locale": "ja"}}, nil, nil)
	c.waitLog("diagnostics cache: kept 0 roots unchanged and wrote 2 (6 files)")
	janeA := fileURI(dir, "team-a/jane.iam-policy.json")
	pubs := c.published(janeA)
	if len(pubs) != 1 || len(pubs[0].Diagnostics) != 2 || c.lastPublished()[janeA] == first[janeA] {
		t.Fatalf("jane of team-a published %+v, want her Japanese findings once", pubs)
	}
	if msg := pubs[0].Diagnostics[0].Message; !strings.ContainsFunc(msg, func(r rune) bool { return r >= 0x3040 && r <= 0x30ff }) {
		t.Errorf("message %q is not Japanese", msg)
	}
	for _, m := range c.logMessages() {
		if strings.Contains(m, "from the cache, before analysing") {
			t.Errorf("a root came from the cache: %s", m)
		}
	}
}

// A corrupt entry (one byte changed) or a truncated one is a miss, said
// in the log; the server analyses as without a cache and writes the
// entry again.
func TestACorruptOrTruncatedEntryIsAMiss(t *testing.T) {
	dir, cacheDir := twoTeams(t), t.TempDir()
	first := firstRun(t, dir, cacheDir)
	entries, _ := filepath.Glob(filepath.Join(cacheDir, "v1", "*", "*.diags"))
	if len(entries) != 2 {
		t.Fatalf("entries %v", entries)
	}
	written := map[string]string{}
	for i, e := range entries {
		data, err := os.ReadFile(e)
		if err != nil {
			t.Fatal(err)
		}
		written[e] = string(data)
		if i == 0 {
			data[len(data)/2] ^= 0x20
		} else {
			data = data[:len(data)-7]
		}
		if err := os.WriteFile(e, data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	c := cachedServer(t, dir, cacheDir, nil, nil, nil)
	c.waitLog("diagnostics cache: kept 0 roots unchanged and wrote 2 (6 files)")
	misses := 0
	for _, m := range c.logMessages() {
		switch {
		case strings.Contains(m, "a miss:") && strings.Contains(m, "(truncated or corrupt)"):
			misses++
		case strings.Contains(m, "from the cache, before analysing"):
			t.Errorf("a root came from the cache: %s", m)
		}
	}
	if misses != 2 {
		t.Errorf("%d misses logged, want 2:\n%s", misses, strings.Join(c.logMessages(), "\n"))
	}
	if got := c.lastPublished(); !mapsEqual(got, first) {
		t.Errorf("diagnostics differ from the first run's")
	}
	for _, e := range entries {
		if data, err := os.ReadFile(e); err != nil || string(data) != written[e] {
			t.Errorf("%s not written again as the first run wrote it: %v", e, err)
		}
	}
}

// A document open with another text than the disk's under a root keeps
// the root from the cache: the key was made of the disk.
func TestAnOpenDocumentOtherThanTheDiskKeepsItsRootFromTheCache(t *testing.T) {
	dir, cacheDir := twoTeams(t), t.TempDir()
	firstRun(t, dir, cacheDir)
	keyA := fileURI(dir, "team-a/key.key-policy.json")
	c := cachedServer(t, dir, cacheDir, nil, nil, func(c *client) { c.open(keyA, allowingKeyPolicy(t), 1) })
	c.waitLog("diagnostics cache: " + filepath.Join(dir, "team-a") + " not published from the cache: " + filepath.Join(dir, "team-a", "key.key-policy.json") + " is open with other text than on disk")
	janeA := fileURI(dir, "team-a/jane.iam-policy.json")
	c.waitDiagnostics(janeA, empty)
	if pubs := c.published(janeA); len(pubs) != 1 {
		t.Errorf("jane of team-a published %+v, want her fresh [] alone", pubs)
	}
	c.waitLog("diagnostics cache: published 3 files of " + filepath.Join(dir, "team-b") + " from the cache")
}

// A document open under a root that is not on disk (a restored unsaved
// editor of a file deleted since) takes part in the root's sets, so in the
// findings of its other files: the root's entry, keyed by the disk alone,
// is neither written while it is open nor published while it is open.
func TestAnOpenDocumentNotOnDiskKeepsItsRootOutOfTheCache(t *testing.T) {
	dir, cacheDir := twoTeams(t), t.TempDir()
	keyPath := filepath.Join(dir, "team-a", "key.key-policy.json")
	keyText := readText(t, keyPath)
	if err := os.Remove(keyPath); err != nil {
		t.Fatal(err)
	}
	openKey := func(c *client) { c.open(string(uri.File(keyPath)), keyText, 1) }
	notRead := keyPath + " is open and was not read from disk"

	c := cachedServer(t, dir, cacheDir, nil, nil, openKey)
	c.waitLog("diagnostics cache: " + filepath.Join(dir, "team-a") + " not published from the cache: " + notRead)
	c.waitLog("diagnostics cache: kept 0 roots unchanged and wrote 1 (3 files)")
	c.stop()

	c = cachedServer(t, dir, cacheDir, nil, nil, nil)
	c.waitLog("diagnostics cache: kept 1 roots unchanged and wrote 1 (2 files)")
	c.stop()

	c = cachedServer(t, dir, cacheDir, nil, nil, openKey)
	c.waitLog("diagnostics cache: " + filepath.Join(dir, "team-a") + " not published from the cache: " + notRead)
	c.waitLog("diagnostics cache: kept 1 roots unchanged and wrote 0 (0 files)")
	// The open key policy takes part in jane's set: her findings relate
	// into it.
	c.waitDiagnostics(fileURI(dir, "team-a/jane.iam-policy.json"), func(p protocol.PublishDiagnosticsParams) bool {
		return len(p.Diagnostics) == 2 && len(p.Diagnostics[0].RelatedInformation) > 0 && p.Diagnostics[0].RelatedInformation[0].Location.URI == uri.File(keyPath)
	})
}

// A document open with the disk's text is analysed fresh, and the rest of
// its root comes from the cache; the entry stays as it is.
func TestAnOpenDocumentAsOnDiskLeavesItsRootToTheCache(t *testing.T) {
	dir, cacheDir := twoTeams(t), t.TempDir()
	first := firstRun(t, dir, cacheDir)
	janeA := fileURI(dir, "team-a/jane.iam-policy.json")
	c := cachedServer(t, dir, cacheDir, nil, nil, func(c *client) {
		c.open(janeA, readText(t, filepath.Join(dir, "team-a", "jane.iam-policy.json")), 1)
	})
	c.waitLog("diagnostics cache: kept 2 roots unchanged and wrote 0 (0 files)")
	c.waitLog("diagnostics cache: published 2 files of " + filepath.Join(dir, "team-a") + " from the cache")
	// Opened before the scan began, she may be published alone first
	// (no cross-file findings), then with her set; never as a closed file.
	c.waitDiagnostics(janeA, func(p protocol.PublishDiagnosticsParams) bool { return len(p.Diagnostics) == 2 })
	for _, p := range c.published(janeA) {
		if p.Version != 1 {
			t.Errorf("jane, open, published as a closed file: %+v", p)
		}
	}
	got := c.lastPublished()
	for _, u := range teamURIs(dir, "team-a")[1:] {
		if got[u] != first[u] {
			t.Errorf("%s: %s, want %s", u, got[u], first[u])
		}
	}
}

// checksCounted are the checks, each counting the files it runs on, by
// path.
func checksCounted(mu *sync.Mutex, ran map[string]int) []*analysis.Check {
	var out []*analysis.Check
	for _, ch := range checks.All {
		counted := *ch
		if run := ch.Run; run != nil {
			counted.Run = func(p *analysis.Pass) {
				mu.Lock()
				ran[filepath.Base(p.Path)]++
				mu.Unlock()
				run(p)
			}
		}
		out = append(out, &counted)
	}
	return out
}

// Files no config governs are each analysed alone: one found unchanged
// in the cache is published from it and not analysed at all (no check
// runs on it); one changed is analysed, and a file that holds no policy
// stays unpublished.
func TestFilesReadAloneComeFromTheCacheUnanalysed(t *testing.T) {
	dir, cacheDir := t.TempDir(), t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "examples", "structure"))); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"name": "not a policy"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	ran := map[string]int{}
	opts := lsp.Options{Checks: checksCounted(&mu, ran)}
	c := cachedServerWith(t, opts, dir, cacheDir, nil, nil, nil)
	c.waitLog("diagnostics cache: kept 0 roots unchanged and wrote 0 (0 files), and 9 files read alone (0 came from the cache)")
	first := c.lastPublished()
	c.stop()
	changed := "missing-version.iam-policy.json"
	if len(first) != 8 || !strings.Contains(first[fileURI(dir, changed)], `"code":"missing-version"`) || ran[changed] == 0 {
		t.Fatalf("the first run published %d files, %s: %s (checks ran %v)", len(first), changed, first[fileURI(dir, changed)], ran)
	}
	text := strings.Replace(readText(t, filepath.Join(dir, changed)), "{", `{"Version": "2012-10-17",`, 1)
	if err := os.WriteFile(filepath.Join(dir, changed), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}

	mu.Lock()
	clear(ran)
	mu.Unlock()
	c = cachedServerWith(t, opts, dir, cacheDir, nil, nil, nil)
	c.waitLog("diagnostics cache: kept 0 roots unchanged and wrote 0 (0 files), and 9 files read alone (8 came from the cache)")
	mu.Lock()
	if len(ran) != 1 || ran[changed] == 0 {
		t.Errorf("checks ran on %v, want %s alone", ran, changed)
	}
	mu.Unlock()
	got := c.lastPublished()
	for u, params := range first {
		switch {
		case strings.HasSuffix(u, changed):
			if strings.Contains(got[u], `"code":"missing-version"`) {
				t.Errorf("%s published its old diagnostics: %s", changed, got[u])
			}
		case got[u] != params:
			t.Errorf("%s: %s, want %s", u, got[u], params)
		}
	}
	if _, ok := got[fileURI(dir, "package.json")]; ok || len(got) != 8 {
		t.Errorf("published %d files, package.json among them: %v", len(got), ok)
	}
}

// An edit during the first scan keeps the server from writing the cache:
// what it published is not only the disk's.
func TestAnEditDuringTheScanKeepsNothing(t *testing.T) {
	dir, cacheDir := twoTeams(t), t.TempDir()
	janeA := fileURI(dir, "team-a/jane.iam-policy.json")
	text := readText(t, filepath.Join(dir, "team-a", "jane.iam-policy.json"))
	var c *client
	ready := make(chan struct{})
	var once sync.Once
	c = cachedServer(t, dir, cacheDir, nil, func(string) {
		<-ready
		once.Do(func() {
			c.change(janeA, text+" ", 2)
			c.handled() // the edit is applied before the scan goes on, not when the loaded machine gets to it
		})
	}, func(c *client) { c.open(janeA, text, 1) })
	close(ready)
	c.waitLog("diagnostics cache: files changed during the first scan: nothing kept for the next start")
	if entries, _ := filepath.Glob(filepath.Join(cacheDir, "v1", "*", "*.diags")); len(entries) != 0 {
		t.Errorf("entries written: %v", entries)
	}
}

// A file the walk leaves out (over 1 MB) counts in its root's key: one
// that appears between two runs makes the root a miss.
func TestAFileLeftOutCountsInTheKey(t *testing.T) {
	dir, cacheDir := twoTeams(t), t.TempDir()
	firstRun(t, dir, cacheDir)
	big := `{"Statement": [` + strings.Repeat(" ", 1<<20) + `]}`
	if err := os.WriteFile(filepath.Join(dir, "team-a", "big.iam-policy.json"), []byte(big), 0o644); err != nil {
		t.Fatal(err)
	}
	c := cachedServer(t, dir, cacheDir, nil, nil, nil)
	c.waitLog("diagnostics cache: kept 1 roots unchanged and wrote 1 (3 files)")
	for _, m := range c.logMessages() {
		if strings.Contains(m, "files of "+filepath.Join(dir, "team-a")+" from the cache") {
			t.Errorf("the root with a new file left out came from the cache: %s", m)
		}
	}
}

// A loose entry with one file's diagnostics changed on disk (read before
// its checksum is) is a miss from that file on: the files before it come
// from the cache, it and those after it are analysed, what is published
// is the first run's, and the entry is written again as the first run
// wrote it.
func TestACorruptLooseEntryIsAMissFromTheCorruptFileOn(t *testing.T) {
	dir, cacheDir := t.TempDir(), t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(filepath.Join("..", "examples", "structure"))); err != nil {
		t.Fatal(err)
	}
	c := cachedServer(t, dir, cacheDir, nil, nil, nil)
	c.waitLog("diagnostics cache: kept 0 roots unchanged and wrote 0 (0 files), and 8 files read alone (0 came from the cache)")
	first := c.lastPublished()
	c.stop()
	entries, _ := filepath.Glob(filepath.Join(cacheDir, "v1", "*", "*.diags"))
	if len(entries) != 1 {
		t.Fatalf("entries %v", entries)
	}
	written, err := os.ReadFile(entries[0])
	if err != nil {
		t.Fatal(err)
	}
	// The fourth file's diagnostics: its code changed.
	data := slices.Clone(written)
	at := 0
	for range 4 {
		at += bytes.Index(data[at:], []byte(`"code":"`)) + 1
	}
	data[at+len(`"code":"`)] ^= 0x01
	if err := os.WriteFile(entries[0], data, 0o600); err != nil {
		t.Fatal(err)
	}

	c = cachedServer(t, dir, cacheDir, nil, nil, nil)
	kept := c.waitLog("diagnostics cache: kept 0 roots unchanged and wrote 0 (0 files), and 8 files read alone")
	if got := c.lastPublished(); !mapsEqual(got, first) {
		t.Errorf("diagnostics differ from the first run's")
	}
	miss := slices.IndexFunc(c.logMessages(), func(m string) bool {
		return strings.Contains(m, "the files read alone: a miss from here on: ") && strings.HasSuffix(m, ": its diagnostics are not what their hash says")
	})
	_, after, _ := strings.Cut(kept, "read alone (")
	hits, _ := strconv.Atoi(after[:strings.IndexByte(after, ' ')])
	if miss < 0 || hits != 3 { // the files before the corrupt one, in path order
		t.Errorf("the corrupt file logged: %v; %d files came from the cache, want the 3 before it", miss >= 0, hits)
	}
	if again, err := os.ReadFile(entries[0]); err != nil || !bytes.Equal(again, written) {
		t.Errorf("the entry not written again as the first run wrote it: %v", err)
	}
}
