package lsp

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// The dependency index, edited file by file, answers as a set read whole
// from the same texts would, for every principal, and names as
// dependants at least the identity policies of every principal whose
// answer changed and the files that hold a cause of it, before or after
// (each reports what it blocks); an edit that changes no answer has no dependant but
// the file itself (none when its text is what the set holds).
func TestIndexAgreesWithAFreshSet(t *testing.T) {
	dir, _, texts, ix := governedIndex(t, 40)
	answers := func(g *govSet) map[string][]analysis.BlockedRequest {
		out := map[string][]analysis.BlockedRequest{}
		for _, p := range principalsOf(g.ws) {
			out[p] = g.ws.Blocked(p)
		}
		return out
	}
	before := answers(ix.setOf(filepath.Join(dir, "x")))

	// The n-th file of team-000 whose name ends so.
	path := func(suffix string, n int) string {
		matches, _ := filepath.Glob(filepath.Join(dir, "team-000", "*"+suffix))
		if len(matches) <= n {
			t.Fatalf("team-000 has %d files *%s", len(matches), suffix)
		}
		return matches[n]
	}
	replace := func(p, old, new string) (string, []byte) {
		text := texts[p]
		if !bytes.Contains(text, []byte(old)) {
			t.Fatalf("%s lacks %q", p, old)
		}
		return p, bytes.Replace(text, []byte(old), []byte(new), 1)
	}
	type edit struct {
		what string
		path string
		text []byte
	}
	var edits []edit
	add := func(what string, p string, text []byte) { edits = append(edits, edit{what, p, text}) }
	p, text := replace(path(".iam-policy.json", 0), `"Sid": "ReadWriteObjects"`, `"Sid": "ReadWrite"`)
	add("a Sid of an identity policy", p, text)
	p, text = replace(path(".iam-policy.json", 0), `"Effect": "Allow"`, `"Effect": "Deny"`)
	add("an identity policy's Allow made Deny", p, text)
	p, text = replace(path(".bucket-policy.json", 0), `"Effect": "Allow"`, `"Effect": "Deny"`)
	add("a bucket policy's grant made Deny", p, text)
	p, text = replace(path(".key-policy.json", 0), `"kms:Decrypt"`, `"kms:Encrypt"`)
	add("a key policy without Decrypt", p, text)
	p, text = replace(path(".scp.json", 0), `"Version"`, `"Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": "*"}], "Old"`)
	add("an SCP that denies S3", p, text)
	add("a file removed", path(".iam-policy.json", 1), nil)
	for _, e := range edits {
		add("undo: "+e.what, e.path, texts[e.path])
	}

	current := map[string][]byte{}
	for p, text := range texts {
		current[p] = text
	}
	for _, e := range edits {
		deps := ix.update(map[string][]byte{e.path: e.text})
		if e.text == nil {
			delete(current, e.path)
		} else {
			current[e.path] = e.text
		}
		fresh := newIndex()
		fresh.rebuild([]string{dir}, current)
		got, want := answers(ix.setOf(e.path)), answers(fresh.setOf(e.path))
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("after %s: the index answers differently from a fresh set", e.what)
		}
		changed := 0
		for p, answer := range got {
			if reflect.DeepEqual(answer, before[p]) {
				continue
			}
			changed++
			for _, f := range ix.setOf(e.path).ws.Files {
				if f.Kind == analysis.KindIdentity && f.Facts.Principal == p && !deps[f.Path] {
					t.Errorf("after %s: %s's answer changed, but %s is not a dependant", e.what, p, filepath.Base(f.Path))
				}
			}
			for _, b := range append(append([]analysis.BlockedRequest{}, before[p]...), answer...) {
				for _, c := range b.Causes {
					if c.Located && !deps[c.Place.Path] {
						t.Errorf("after %s: %s's answer changed, but %s, which holds a cause, is not a dependant", e.what, p, filepath.Base(c.Place.Path))
					}
				}
			}
		}
		if changed == 0 && (len(deps) > 1 || len(deps) == 1 && !deps[e.path]) {
			t.Errorf("after %s, which changed no answer: %d dependants", e.what, len(deps))
		}
		t.Logf("%s: %d answers changed, %d dependants", e.what, changed, len(deps))
		before = got
	}
}

// A Terraform module is a set of its own with no .s3policy.json, and its
// files' documents come from each other: an edit to one file reads the
// module again whole, and the index answers as the module read afresh.
func TestIndexRereadsATerraformModuleWhole(t *testing.T) {
	dir := t.TempDir()
	texts := exampleModule(t, "kms-missing-actions", dir)
	ix := newIndex()
	ix.rebuild([]string{dir}, texts)
	partner := filepath.Join(dir, "partner.tf")
	g := ix.setOf(partner)
	if g == nil || len(principalsOf(g.ws)) == 0 {
		t.Fatalf("the module is not a set with a principal: %+v", g)
	}
	p := principalsOf(g.ws)[0]
	if len(g.ws.Blocked(p)) == 0 {
		t.Fatal("kms-missing-actions: nothing blocked")
	}
	edited := bytes.Replace(texts[partner], []byte(`"kms:Decrypt", "kms:GenerateDataKey"`), []byte(`"kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"`), 1)
	if bytes.Equal(edited, texts[partner]) {
		t.Fatal("partner.tf lacks its KMS actions")
	}
	deps := ix.update(map[string][]byte{partner: edited})
	texts[partner] = edited
	fresh := newIndex()
	fresh.rebuild([]string{dir}, texts)
	got, want := ix.setOf(partner).ws.Blocked(p), fresh.setOf(partner).ws.Blocked(p)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("after the edit the index answers\n%+v\nwant\n%+v", got, want)
	}
	if !deps[partner] {
		t.Errorf("dependants %v lack the edited file", deps)
	}
	if len(ix.setOf(partner).paths) != 3 {
		t.Errorf("the module holds %d files after the edit, want 3", len(ix.setOf(partner).paths))
	}
}

// mayJoin holds for every document a scenario takes, so that an edit to
// it always makes the request's evaluation stale: over a generated
// governed folder and every cross-account example.
func TestMayJoinCoversEveryScenario(t *testing.T) {
	dir := t.TempDir()
	if _, err := governed.Write(filepath.Join(dir, "generated"), 40); err != nil {
		t.Fatal(err)
	}
	examples, _ := filepath.Glob(filepath.Join("..", "examples", "cross-account", "*"))
	checked := 0
	for _, folder := range append(examples, filepath.Join(dir, "generated")) {
		texts, err := tree.ReadAll(folder, tree.Disk{})
		if err != nil {
			continue // README.md, scenarios.json
		}
		for _, set := range tree.Sets(folder, texts) {
			w := set.Workspace
			byName := map[string]*analysis.File{}
			for _, f := range w.Files {
				byName[w.DocName(f)] = f
			}
			for _, bp := range w.Files {
				for _, g := range w.Grants(bp) {
					s := w.Scenario(g.Request)
					docs := slices.Concat(s.IdentityPolicies, s.Boundaries, s.EndpointPolicies, []*eval.Doc{s.ResourcePolicy, s.SessionPolicy, s.KeyPolicy})
					for _, level := range slices.Concat(s.SCPs, s.RCPs) {
						docs = append(docs, level...)
					}
					for _, d := range docs {
						if d == nil || d.Assumed {
							continue
						}
						checked++
						if f := byName[d.Name]; f == nil || !mayJoin(f, g.Request) {
							t.Errorf("%s: %s takes part in %s %s %s, but mayJoin says no", filepath.Base(folder), d.Name, g.Request.Principal, g.Request.Action, g.Request.Resource)
						}
					}
				}
			}
		}
	}
	if checked < 100 {
		t.Errorf("checked %d documents of scenarios; want the examples and the generated folder to give more", checked)
	}
}

// Every request a set's bucket policies grant is decided after a run of
// edits, through the index (evaluations kept across edits, Reuse), exactly
// as in a set read whole from the same texts, and every principal's
// blocked requests carry the same causes: keystrokes in an identity
// policy's Sid and in a bucket policy's, then edits that change
// decisions (an action removed, a resource renamed, a Deny added, a
// bucket granted to nobody, a file removed), then all undone. Edits to
// the principal's second identity policy, which the first one's
// statements come before (the near miss of a request its policies do not
// allow is the first one's), take the path of an identity policy edited
// in place (eval.ReadSet): a Sid, an Allow that grants a bucket, a
// statement before the first one's near miss would be, a line break that
// moves the lines of the statements after it, another policy language
// version, a keystroke in a statement no request reads before those that
// hold causes.
func TestIncrementalDecisionsAreAFreshSetsDecisions(t *testing.T) {
	dir, layout, texts, ix := governedIndex(t, 60)
	identity, bucket := filepath.Join(dir, filepath.FromSlash(layout.Identity)), filepath.Join(dir, filepath.FromSlash(layout.Bucket))
	second := filepath.Join(dir, filepath.FromSlash(governed.Path(20))) // app-0's second identity policy
	if _, ok := texts[second]; !ok || !strings.Contains(second, ".app-0.") {
		t.Fatalf("%s is not an identity policy of app-0", second)
	}
	current := maps.Clone(texts)
	compared, related := 0, 0 // findings compared, and their related places
	type edit struct{ path, old, new string }
	var edits []edit
	for i, c := range "Xyz" {
		edits = append(edits, edit{identity, `"Sid": "` + "Xyz"[:i], `"Sid": "` + "Xyz"[:i] + string(c)})
		edits = append(edits, edit{bucket, `"Sid": "` + "Xyz"[:i], `"Sid": "` + "Xyz"[:i] + string(c)})
	}
	edits = append(edits,
		edit{second, `"Sid": "ListBuckets"`, `"Sid": "ListBucketsX"`},
		edit{second, `"Sid": "ReadWriteObjects"`, `"Sid": "ReadWrite"`},
		edit{second, `"Statement": [`, `"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data-00005/*",
			"Condition": {"StringEquals": {"aws:PrincipalAccount": "${aws:PrincipalAccount}"}}}, `}, // a policy variable: the version below decides
		edit{second, `"Effect": "Allow",
      "Action": ["s3:ListBucket"]`, `"Effect": "Deny",
      "Action": ["s3:ListBucket"]`},
		edit{second, `"Sid": "ReadWrite"`, "\n\n\"Sid\": \"ReadWrite\""},
		edit{second, `"Version": "2012-10-17"`, `"Version": "2008-10-17"`},
		edit{identity, `ReadWriteObjects",`, "ReadWriteObjects\",\n"},
		edit{identity, `"Statement": [`, `"Statement": [{"Sid": "Unread", "Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "*"}, `},
		edit{identity, `"Sid": "Unread"`, `"Sid": "Unread1"`},                                                          // no request reads it; the places of the causes after it move
		edit{identity, `"s3:DeleteObject", "Resource": "*"`, `["s3:GetObject"], "Resource": "arn:aws:s3:::nothing/*"`}, // now the near miss
		edit{identity, `"Statement": [`, `"Statement": [{"Sid": "First", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::other"}, `},
		edit{identity, `"s3:GetObject", `, ``},
		edit{identity, `"Resource": [`, `"Resource": ["arn:aws:s3:::data-renamed/*", `},
		edit{identity, `"Statement": [`, `"Statement": [{"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}, `},
		edit{bucket, `"s3:ListBucket"`, `"s3:ListBucketVersions"`},
		edit{bucket, `"Effect": "Allow"`, `"Effect": "Deny"`},
		edit{path(t, dir, ".iam-policy.json", 3), "", ""}) // removed
	// apply gives e.path the text (nil: removes it) and compares the index
	// with a fresh set; e names the change in messages.
	apply := func(e edit, text []byte) {
		ix.update(map[string][]byte{e.path: text})
		if text == nil {
			delete(current, e.path)
		} else {
			current[e.path] = text
		}
		fresh := newIndex()
		fresh.rebuild([]string{dir}, current)
		got, want := decisionsOf(ix.setOf(e.path)), decisionsOf(fresh.setOf(e.path))
		if len(got) == 0 || !reflect.DeepEqual(got, want) {
			for k := range want {
				if !reflect.DeepEqual(got[k], want[k]) {
					t.Fatalf("after %q -> %q in %s: %s decided %+v, a fresh set %+v", e.old, e.new, filepath.Base(e.path), k, got[k], want[k])
				}
			}
			t.Fatalf("after %q -> %q in %s: %d decisions, a fresh set %d", e.old, e.new, filepath.Base(e.path), len(got), len(want))
		}
		for _, p := range principalsOf(fresh.setOf(e.path).ws) {
			got, want := ix.setOf(e.path).ws.Blocked(p), fresh.setOf(e.path).ws.Blocked(p)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("after %q -> %q in %s: %s's blocked requests\n%+v\na fresh set's\n%+v", e.old, e.new, filepath.Base(e.path), p, got, want)
			}
		}
		// The findings too: what the checks keep for a principal whose
		// answer was kept (eval.Workspace.KeepPrincipalMemos) is what they
		// would derive afresh.
		for _, f := range sampled(ix.setOf(e.path), identity, second, bucket, e.path) {
			got, want := findingsOf(ix.setOf(e.path), f), findingsOf(fresh.setOf(e.path), f)
			compared += len(want)
			for _, w := range want {
				related += strings.Count(w, " | ")
			}
			if !slices.Equal(got, want) {
				t.Fatalf("after %q -> %q in %s: %s's findings\n%s\na fresh set's\n%s", e.old, e.new, filepath.Base(e.path), filepath.Base(f), strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		}
	}
	decisionsOf(ix.setOf(identity)) // every request evaluated before the edits, as after a scan
	// before holds each edit's file as it was.
	before := make([][]byte, len(edits))
	for i, e := range edits {
		before[i] = current[e.path]
		var text []byte
		if e.old != "" || e.new != "" {
			if !bytes.Contains(current[e.path], []byte(e.old)) {
				t.Fatalf("%s lacks %q", e.path, e.old)
			}
			text = bytes.Replace(current[e.path], []byte(e.old), []byte(e.new), 1)
		}
		apply(e, text)
	}
	// Undone in reverse, each file back to its text before the edit (an
	// edit that removed text is not undone by inserting it at the first
	// place an empty string matches).
	for i := len(edits) - 1; i >= 0; i-- {
		e := edits[i]
		if e.old == "" && e.new == "" {
			ix.update(map[string][]byte{e.path: texts[e.path]})
			current[e.path] = texts[e.path]
			continue
		}
		apply(edit{e.path, e.new, e.old}, before[i])
	}
	if compared < 1000 || related < 1000 {
		t.Errorf("%d findings compared, with %d related places: the comparison proves little", compared, related)
	}
	t.Logf("%d findings compared, with %d related places", compared, related)
}

// sampled lists the named files of the set and every fourth of its other
// files.
func sampled(g *govSet, named ...string) []string {
	var out []string
	for i, p := range g.paths {
		if i%4 == 0 || slices.Contains(named, p) {
			out = append(out, p)
		}
	}
	return out
}

// findingsOf analyses a file of the set and lists its findings: code,
// span, message and related places with their messages.
func findingsOf(g *govSet, path string) []string {
	src := g.sources.get(path)
	result := analysis.AnalyzeFile(path, g.bound(path), src.Findings, analysis.Options{Checks: checks.All})
	var out []string
	for _, f := range result.Findings {
		line := fmt.Sprintf("%s %v %s", f.Code, f.Span, f.Message.Text().EN)
		for _, r := range f.Related {
			line += fmt.Sprintf(" | %s %s %v %s", r.File, r.Doc, r.Span, r.Message.EN)
		}
		out = append(out, line)
	}
	return out
}

// path is the n-th file of team-000 whose name ends so.
func path(t *testing.T, dir, suffix string, n int) string {
	t.Helper()
	matches, _ := filepath.Glob(filepath.Join(dir, "team-000", "*"+suffix))
	if len(matches) <= n {
		t.Fatalf("team-000 has %d files *%s", len(matches), suffix)
	}
	return matches[n]
}

// A loose file that joined the set before the module read it (the round
// of a didOpen saw the buffer of the didChange that adds file(), while
// the index was given the didOpen's text) is read again as the bucket
// policy the module makes it when the module's edit reaches the index.
func TestIndexRereadsAFileTheModuleBeginsToRead(t *testing.T) {
	ix, tf, policy, after, bucketPolicy := moduleAndFileItMayRead(t)
	ix.update(map[string][]byte{policy: bucketPolicy}) // joins, read alone
	if docs := ix.setOf(policy).bound(policy); len(docs) != 1 || docs[0].Kind == analysis.KindBucket {
		t.Fatalf("before the module reads it, b.json is %+v, want one document read alone", docs)
	}
	deps := ix.update(map[string][]byte{tf: after})
	docs := ix.setOf(policy).bound(policy)
	if len(docs) != 1 || docs[0].Kind != analysis.KindBucket {
		t.Fatalf("after the edit b.json is %+v, want the bucket policy of aws_s3_bucket_policy.b", docs)
	}
	if !deps[policy] {
		t.Errorf("dependants %v lack b.json", deps)
	}
}

// sameAnswer tells apart two answers that differ in any one field of a
// blocked request or of a cause, and counts nil and empty as one; it
// fails to compile or fails here when BlockedRequest gains a field it
// does not compare.
func TestSameAnswerComparesEveryField(t *testing.T) {
	if n := reflect.TypeFor[analysis.BlockedRequest]().NumField(); n != 6 {
		t.Fatalf("BlockedRequest has %d fields; sameAnswer compares 6", n)
	}
	base := func() analysis.BlockedRequest {
		return analysis.BlockedRequest{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*",
			Grant: analysis.Place{Path: "b.json", Span: analysis.Span{Start: 1, End: 2}}, GrantedTo: "arn:aws:iam::111122223333:root",
			Causes: []analysis.Cause{{Code: "kms-missing-actions", Message: analysis.T("en", "ja"), Place: &analysis.Place{Path: "k.json", Span: analysis.Span{Start: 3, End: 4}}, Located: true}}}
	}
	changes := map[string]func(*analysis.BlockedRequest){
		"action":        func(b *analysis.BlockedRequest) { b.Action = "s3:PutObject" },
		"resource":      func(b *analysis.BlockedRequest) { b.Resource = "arn:aws:s3:::c/*" },
		"grant place":   func(b *analysis.BlockedRequest) { b.Grant.Span.End = 5 },
		"granted to":    func(b *analysis.BlockedRequest) { b.GrantedTo = "*" },
		"conditional":   func(b *analysis.BlockedRequest) { b.Conditional = true },
		"cause code":    func(b *analysis.BlockedRequest) { b.Causes[0].Code = "scp-denies-s3" },
		"cause message": func(b *analysis.BlockedRequest) { b.Causes[0].Message = analysis.T("en", "jp") },
		"cause place":   func(b *analysis.BlockedRequest) { b.Causes[0].Place.Doc = "d" },
		"cause located": func(b *analysis.BlockedRequest) { b.Causes[0].Located = false },
		"another cause": func(b *analysis.BlockedRequest) { b.Causes = append(b.Causes, b.Causes[0]) },
	}
	if !sameAnswer([]analysis.BlockedRequest{base()}, []analysis.BlockedRequest{base()}) {
		t.Error("two equal answers differ")
	}
	for what, change := range changes {
		b := base()
		change(&b)
		if sameAnswer([]analysis.BlockedRequest{base()}, []analysis.BlockedRequest{b}) {
			t.Errorf("answers that differ in the %s are the same", what)
		}
	}
	if !sameAnswer(nil, []analysis.BlockedRequest{}) || sameAnswer(nil, []analysis.BlockedRequest{base()}) {
		t.Error("nil and empty answers")
	}
}

// The element that blocks a principal's requests points at the identity
// policy that asks for them: typing into that policy moves the place
// without changing the principal's answer, and the SCP that blocks is a
// dependant, published again with the place where it is now.
func TestTypingInAnAskingPolicyMovesTheBlockersRelatedPlace(t *testing.T) {
	dir := t.TempDir()
	const jane = "arn:aws:iam::111122223333:user/jane"
	files := map[string]string{
		".s3policy.json": `{"accounts": ["111122223333"], "buckets": {"beta": {"account": "444455556666"}}, "files": {
  "jane-*.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "` + jane + `"},
  "beta.bucket-policy.json": {"kind": "bucket", "account": "444455556666", "bucket": "beta"},
  "uploads.scp.json": {"kind": "scp", "account": "111122223333"}}}`,
		"jane-a.iam-policy.json":  `{"Version": "2012-10-17", "Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::beta/*"}]}`,
		"jane-b.iam-policy.json":  `{"Version": "2012-10-17", "Statement": [{"Sid": "B", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::beta/*"}]}`,
		"beta.bucket-policy.json": `{"Version": "2012-10-17", "Statement": [{"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:PutObject", "Resource": "arn:aws:s3:::beta/*"}]}`,
		"uploads.scp.json":        `{"Version": "2012-10-17", "Statement": [{"Sid": "NoUploads", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}]}`,
	}
	texts := map[string][]byte{}
	for name, text := range files {
		texts[filepath.Join(dir, name)] = []byte(text)
	}
	ix := newIndex()
	ix.rebuild([]string{dir}, texts)
	scp, asking := filepath.Join(dir, "uploads.scp.json"), filepath.Join(dir, "jane-a.iam-policy.json")
	before := findingsOf(ix.setOf(scp), scp)
	if !slices.ContainsFunc(before, func(f string) bool { return strings.Contains(f, "jane-a.iam-policy.json") }) {
		t.Fatalf("the SCP's findings do not point at jane-a: %q", before)
	}
	answer := slices.Clone(ix.setOf(scp).ws.Blocked(jane))
	typed := []byte(strings.Replace(files["jane-a.iam-policy.json"], `"Sid": "A"`, `"Sid": "Ab"`, 1))
	deps := ix.update(map[string][]byte{asking: typed})
	if now := ix.setOf(scp).ws.Blocked(jane); !sameAnswer(answer, now) {
		t.Fatalf("the answer changed, the test no longer shows a kept answer:\n%+v\n%+v", answer, now)
	}
	after := findingsOf(ix.setOf(scp), scp)
	if slices.Equal(before, after) {
		t.Fatalf("the SCP's findings did not move with jane-a's Action: %q", after)
	}
	if !deps[scp] {
		t.Errorf("dependants %v lack the SCP, whose related place moved:\nbefore %q\nafter  %q", slices.Sorted(maps.Keys(deps)), before, after)
	}
}

// sidEdited finds the statement whose Sid alone an edit changed: one run
// of bytes inside the Sid string in both versions, with no quote,
// backslash or line break, typed or taken back anywhere in it; anything
// else is -1.
func TestSidEdited(t *testing.T) {
	const policy = `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Logs", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/*"},
  {"Sid": "Reports", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::reports/*"}]}`
	for _, c := range []struct {
		name, old, new string
		want           int
	}{
		{"typed at the start", `"Reports"`, `"xReports"`, 1},
		{"typed at the end", `"Reports"`, `"Reportsx"`, 1},
		{"typed inside", `"Reports"`, `"Repxorts"`, 1},
		{"taken back", `"Logs"`, `"Lgs"`, 0},
		{"emptied", `"Logs"`, `""`, 0},
		{"a letter doubled", `"Logs"`, `"Loogs"`, 0},
		{"a quote typed", `"Logs"`, `"Lo"gs"`, -1},
		{"a backslash typed", `"Logs"`, `"Lo\\gs"`, -1},
		{"a line break typed", `"Sid": "Logs"`, "\"Sid\":\n \"Logs\"", -1},
		{"the Sid's key", `"Sid": "Logs"`, `"Sod": "Logs"`, -1},
		{"an action", `"s3:PutObject"`, `"s3:PutObjectX"`, -1},
		{"two Sids", `"Logs", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/*"},
  {"Sid": "Reports"`, `"LogsX", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/*"},
  {"Sid": "ReportsX"`, -1},
	} {
		t.Run(c.name, func(t *testing.T) {
			text := strings.Replace(policy, c.old, c.new, 1)
			if text == policy {
				t.Fatalf("%q is not in the policy", c.old)
			}
			before := analysis.NewFile("/p.json", []byte(policy), nil)
			after := analysis.NewFile("/p.json", []byte(text), nil)
			if got := sidEdited(before, after); got != c.want {
				t.Errorf("sidEdited = %d, want %d", got, c.want)
			}
		})
	}
}

// An edit shares the set's documents with the set before it: only the
// edited file's are new, in its place (eval.Swapped), the set before is
// left as it was, and the documents the checks get are copies bound to
// the new set's workspace; a file that joins the set is added to a
// workspace built document by document, which shares the others too.
func TestAnEditSharesTheDocumentsItLeftAlone(t *testing.T) {
	dir, layout, texts, ix := governedIndex(t, 40)
	edited := filepath.Join(dir, filepath.FromSlash(layout.Identity))
	joined := filepath.Join(dir, "team-000", "new.json")
	for _, c := range []struct {
		name    string
		changes map[string][]byte
	}{
		{"a Sid typed in", map[string][]byte{edited: bytes.Replace(texts[edited], []byte(`"Sid": "`), []byte(`"Sid": "X`), 1)}},
		{"a file added", map[string][]byte{joined: []byte(`{"Version": "2012-10-17", "Statement": []}`)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			g := ix.setOf(edited)
			files := slices.Clone(g.ws.Files)
			ix.update(c.changes)
			next := ix.setOf(edited)
			if next == g || !slices.Equal(g.ws.Files, files) {
				t.Fatal("the set before the edit was changed, or not replaced")
			}
			shared := map[*analysis.File]bool{}
			for _, f := range next.ws.Files {
				shared[f] = true
			}
			for _, f := range files {
				if _, changed := c.changes[f.Path]; shared[f] == changed {
					t.Errorf("%s: shared %v", f.Path, shared[f])
				}
			}
			for path := range c.changes {
				docs := next.bound(path)
				if len(docs) != 1 || docs[0].Workspace != analysis.Workspace(next.ws) || next.sources.get(path).Docs[0].Workspace != nil {
					t.Fatalf("%s: %d documents for the checks, not bound to the set's workspace or the set's own bound", path, len(docs))
				}
			}
		})
	}
}

// governedIndex writes a governed folder of n policies (bench/governed)
// and indexes it as the first scan leaves it.
func governedIndex(t testing.TB, n int) (string, governed.Layout, map[string][]byte, *index) {
	t.Helper()
	dir := t.TempDir()
	layout, err := governed.Write(dir, n)
	if err != nil {
		t.Fatal(err)
	}
	texts, err := tree.ReadAll(dir, tree.Disk{})
	if err != nil {
		t.Fatal(err)
	}
	ix := newIndex()
	ix.rebuild([]string{dir}, texts)
	return dir, layout, texts, ix
}

// After more keystrokes than a workspace's maps of names and places hold
// over the base they share (eval's layered maps), typed into a Sid and an
// Action of an identity policy and into a bucket policy, the set answers
// every principal and finds in the edited files what a set read afresh
// from the same texts does.
func TestManyKeystrokesAgreeWithAFreshSet(t *testing.T) {
	dir, layout, texts, ix := governedIndex(t, 40)
	identity, bucket := filepath.Join(dir, filepath.FromSlash(layout.Identity)), filepath.Join(dir, filepath.FromSlash(layout.Bucket))
	now := maps.Clone(texts)
	for i := range 150 {
		path, key := identity, `"Sid": "`
		switch i % 3 {
		case 1:
			key = `"Action": ["s3:GetObjec`
		case 2:
			path = bucket
		}
		at := bytes.Index(texts[path], []byte(key)) + len(key)
		now[path] = slices.Concat(texts[path][:at], []byte(strings.Repeat("x", i%4)), texts[path][at:])
		ix.update(map[string][]byte{path: now[path]})
	}
	fresh := newIndex()
	fresh.rebuild([]string{dir}, now)
	g, want := ix.setOf(identity), fresh.setOf(identity)
	for _, p := range principalsOf(want.ws) {
		if got, want := g.ws.Blocked(p), want.ws.Blocked(p); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: after 150 keystrokes blocked\n%+v\na fresh set's\n%+v", p, got, want)
		}
	}
	for _, path := range []string{identity, bucket} {
		if got, want := findingsOf(g, path), findingsOf(want, path); !slices.Equal(got, want) {
			t.Errorf("%s: after 150 keystrokes\n%q\na fresh set's\n%q", filepath.Base(path), got, want)
		}
	}
}

// No document the index keeps names a workspace (analysis.File.Workspace)
// but the copies the checks get, bound to their set as it is now: after
// the first scan, keystrokes, a file added and a Terraform module read
// again whole, a check that reads the workspace of any document it can
// reach finds the current one or none, never one an edit replaced.
func TestNoDocumentNamesAnOldWorkspace(t *testing.T) {
	dir, layout, texts, ix := governedIndex(t, 30)
	identity := filepath.Join(dir, filepath.FromSlash(layout.Identity))
	bucket := filepath.Join(dir, filepath.FromSlash(layout.Bucket))
	onlyCurrent(t, "the first scan", ix)
	for _, c := range []struct {
		name string
		path string
		text []byte
	}{
		{"a Sid typed in", identity, bytes.Replace(texts[identity], []byte(`"Sid": "`), []byte(`"Sid": "X`), 1)},
		{"a bucket policy's Action typed in", bucket, bytes.Replace(texts[bucket], []byte(`"s3:ListBucket"]`), []byte(`"s3:ListBucke"]`), 1)},
		{"a file added", filepath.Join(dir, "team-000", "new.json"), []byte(`{"Version": "2012-10-17", "Statement": []}`)},
	} {
		ix.update(map[string][]byte{c.path: c.text})
		onlyCurrent(t, c.name, ix)
	}

	src := filepath.Join("..", "examples", "terraform", "kms-missing-actions")
	dir = t.TempDir()
	texts = map[string][]byte{}
	for _, name := range []string{"bucket.tf", "partner.tf", "providers.tf"} {
		text, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		texts[filepath.Join(dir, name)] = text
	}
	ix = newIndex()
	ix.rebuild([]string{dir}, texts)
	partner := filepath.Join(dir, "partner.tf")
	ix.update(map[string][]byte{partner: bytes.Replace(texts[partner], []byte(`"kms:Decrypt"`), []byte(`"kms:Decrypt", "kms:Encrypt"`), 1)})
	onlyCurrent(t, "a Terraform module read again", ix)
}

// onlyCurrent fails when a document of a set of ix, or one a check given
// a file's bound documents reaches, names a workspace but the set's.
func onlyCurrent(t *testing.T, when string, ix *index) {
	t.Helper()
	for _, g := range ix.all() {
		for _, f := range slices.Concat(g.ws.Files, g.ws.Broken) {
			if f.Workspace != nil {
				t.Errorf("%s: %s is bound to a workspace the set shares it beyond", when, f.Path)
			}
		}
		for _, path := range g.paths {
			for _, d := range g.bound(path) {
				if d.Workspace != analysis.Workspace(g.ws) {
					t.Fatalf("%s: %s is checked with another workspace than its set's", when, path)
				}
				for _, other := range d.Workspace.PolicyFiles() {
					if other.Workspace != nil && other.Workspace != d.Workspace {
						t.Fatalf("%s: a check of %s reads %s bound to an old workspace", when, path, other.Path)
					}
				}
			}
		}
	}
}

// A file created after the module's edit that reads it with file() (the
// other order of TestIndexRereadsAFileTheModuleBeginsToRead) is read as
// the module makes it, as a fresh scan of the same files reads it, not
// alone (found in review).
func TestIndexReadsAFileJoiningAfterTheModuleReadsIt(t *testing.T) {
	ix, tf, policy, after, bucketPolicy := moduleAndFileItMayRead(t)
	ix.update(map[string][]byte{tf: after})
	deps := ix.update(map[string][]byte{policy: bucketPolicy})
	docs := ix.setOf(policy).bound(policy)
	if len(docs) != 1 || docs[0].Kind != analysis.KindBucket || docs[0].KindSource != analysis.FromHost {
		t.Fatalf("b.json, which main.tf reads with file(), is %+v, want the bucket policy of aws_s3_bucket_policy.b", docs)
	}
	if !deps[policy] {
		t.Errorf("dependants %v lack b.json", deps)
	}
}

// moduleAndFileItMayRead is an index of a folder whose main.tf has a
// bucket policy of its own text, with the edit of main.tf (after) that
// makes it read policies/b.json with file(), and that file's text.
func moduleAndFileItMayRead(t *testing.T) (ix *index, tf, policy string, after, bucketPolicy []byte) {
	dir := t.TempDir()
	tf, policy = filepath.Join(dir, "main.tf"), filepath.Join(dir, "policies", "b.json")
	const before = "resource \"aws_s3_bucket\" \"b\" { bucket = \"data\" }\nresource \"aws_s3_bucket_policy\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n  policy = \"{}\"\n}\n"
	after = []byte(strings.Replace(before, `policy = "{}"`, `policy = file("${path.module}/policies/b.json")`, 1))
	bucketPolicy = []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`)
	ix = newIndex()
	ix.rebuild([]string{dir}, map[string][]byte{tf: []byte(before)})
	return ix, tf, policy, after, bucketPolicy
}

// textNames finds a name in a bucket policy's text exactly where
// bytes.Contains does: in the generated bucket policies for every name
// of their workspace's buckets and for pieces of their text, and in
// random texts of name bytes, break bytes and multi-byte runes.
func TestTextNamesAsBytesContains(t *testing.T) {
	dir, layout, texts, ix := governedIndex(t, 40)
	g := ix.setOf(filepath.Join(dir, filepath.FromSlash(layout.Bucket)))
	var names []string
	for name := range g.ws.Buckets {
		names = append(names, name)
	}
	bucket := texts[filepath.Join(dir, filepath.FromSlash(layout.Bucket))]
	for i := 0; i+12 < len(bucket); i += 97 {
		names = append(names, string(bucket[i:i+1+i%12]))
	}
	names = append(names, "", "*", "arn:aws:s3:::", `", "`, "x\ny", "nowhere-at-all")
	check := func(src []byte, names []string) {
		t.Helper()
		tn := newTextNames(src)
		for _, name := range names {
			if got, want := tn.contains(name), bytes.Contains(src, []byte(name)); got != want {
				t.Fatalf("%q in %q: %v, bytes.Contains %v", name, src, got, want)
			}
		}
	}
	for _, text := range texts {
		check(text, names)
	}
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := []string{"a", "b", "-", ".", "\"", ",", ":", "/", " ", "\n", "{", "}", "é", "\xff", "*"}
	word := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteString(alphabet[r.IntN(len(alphabet))])
		}
		return b.String()
	}
	for range 2000 {
		src := []byte(word(r.IntN(40)))
		check(src, []string{word(1), word(2), word(3), word(r.IntN(6))})
	}
}

// A set's files after many edits, of more files than a sourceMap keeps
// beside its base (files changed, created and deleted, one at a time and
// several at once, some of them read by a module and some moved from one
// module to another), are those a map written in place holds, with the
// same files of each module, and the sourceMap an edit started from still
// holds its own.
func TestSourceMapAfterManyEdits(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 11))
	want := map[string]*tree.Source{}
	m := newSourceMap()
	source := func(path string) *tree.Source {
		return &tree.Source{Path: path, Module: []string{"", "", "/w/a", "/w/b"}[rng.IntN(4)]}
	}
	for i := range 20 {
		path := fmt.Sprintf("/w/f%d.json", i)
		want[path] = source(path)
		m.base[path] = want[path]
	}
	m.indexModules()
	modulesOf := func(files map[string]*tree.Source) map[string][]string {
		out := map[string][]string{}
		for path, src := range files {
			if src.Module != "" {
				out[src.Module] = append(out[src.Module], path)
			}
		}
		for _, paths := range out {
			slices.Sort(paths)
		}
		return out
	}
	for edit := range 300 {
		before, beforeWant := m, maps.Clone(want)
		changes := map[string]*tree.Source{}
		for range 1 + rng.IntN(3) {
			path := fmt.Sprintf("/w/f%d.json", rng.IntN(200))
			changes[path] = nil
			if rng.IntN(4) > 0 {
				changes[path] = source(path)
			}
		}
		for path, src := range changes {
			if src == nil {
				delete(want, path)
			} else {
				want[path] = src
			}
		}
		m = m.with(changes)
		if got := maps.Collect(m.all()); !maps.Equal(got, want) {
			t.Fatalf("edit %d: %d files, want %d", edit, len(got), len(want))
		}
		got := map[string][]string{}
		for module, paths := range m.modules {
			got[module] = slices.Sorted(slices.Values(paths))
		}
		if !reflect.DeepEqual(got, modulesOf(want)) {
			t.Fatalf("edit %d: the modules' files %v, want %v", edit, got, modulesOf(want))
		}
		for path := range changes {
			if m.get(path) != want[path] || before.get(path) != beforeWant[path] {
				t.Fatalf("edit %d: %s is %v (before the edit %v), want %v (%v)", edit, path, m.get(path), before.get(path), want[path], beforeWant[path])
			}
		}
		if got := maps.Collect(before.all()); !maps.Equal(got, beforeWant) {
			t.Fatalf("edit %d changed the files before it", edit)
		}
		if len(m.edited) > maxEdited {
			t.Fatalf("edit %d: %d edited files beside the base", edit, len(m.edited))
		}
	}
}

// decisionsOf is the set's answer to each request its policies grant, by
// request.
func decisionsOf(g *govSet) map[string]eval.Result {
	out := map[string]eval.Result{}
	for _, f := range g.ws.Files {
		for _, gr := range g.ws.Grants(f) {
			out[fmt.Sprint(gr.Request)] = g.ws.Decide(gr.Request)
		}
	}
	return out
}
