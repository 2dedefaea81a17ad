package eval

import (
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// mayReadConfig governs jane's two identity policies and bob's one, and
// two buckets, one of them encrypted with a key (a KMS pass of its own).
const mayReadConfig = `{"buckets": {"data": {"account": "444455556666", "encryption": "aws:kms", "kmsKeyArn": "arn:aws:kms:us-east-1:444455556666:key/k1"},
  "other": {"account": "444455556666"}}, "files": {
  "a.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:role/jane"},
  "b.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:role/jane"},
  "c.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:role/bob"}}}`

// mayReadRequests are the requests of jane and bob on every bucket, object
// and action the tests edit.
func mayReadRequests() []Request {
	var out []Request
	for _, who := range []string{"jane", "bob"} {
		for _, action := range []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket", "s3:DeleteObject", "s3:GetObjectTagging"} {
			for _, res := range []string{"data", "data/x", "other", "other/x", "logs/x", "reports/x"} {
				out = append(out, Request{Principal: "arn:aws:iam::111122223333:role/" + who, Action: action, Resource: "arn:aws:s3:::" + res})
			}
		}
	}
	return out
}

// editAndReuse decides every request in a workspace of files, edits
// file (old replaced by new in its text), and returns the requests whose
// evaluation the workspace after the edit drops (MayRead), with that
// workspace and a fresh one of the edited files.
func editAndReuse(t *testing.T, files map[string]string, file, old, new string) (stale []Request, next, fresh *Workspace) {
	t.Helper()
	prev, err := loadDir(writeFiles(t, files))
	if err != nil {
		t.Fatal(err)
	}
	for _, req := range mayReadRequests() {
		prev.Decide(req)
	}
	edited := strings.Replace(files[file], old, new, 1)
	if edited == files[file] {
		t.Fatalf("%s lacks %q", file, old)
	}
	before := prev.File(filepath.Join(prev.Dir, file))
	after := analysis.NewFile(before.Path, []byte(edited), before.Config)
	after.Facts = before.Facts
	edit := EditedInPlace(prev, before, after)
	if edit == nil {
		t.Fatalf("%s: not an edit in place", file)
	}
	files = maps.Clone(files)
	files[file] = edited
	dir := writeFiles(t, files)
	next, _ = loadDir(dir)
	fresh, _ = loadDir(dir)
	next.Reuse(prev, func(req Request, read *ReadSet) bool {
		// As the server does, the requests of other principals are kept
		// without asking: the policy is not theirs.
		if req.Principal == before.Facts.Principal && read.MayRead(edit) {
			stale = append(stale, req)
			return true
		}
		return false
	})
	return stale, next, fresh
}

// checkFresh fails when a request is decided otherwise by the workspace
// that kept evaluations than by a fresh one.
func checkFresh(t *testing.T, next, fresh *Workspace) {
	t.Helper()
	for _, req := range mayReadRequests() {
		if got, want := said(next.Decide(req)), said(fresh.Decide(req)); !reflect.DeepEqual(got, want) {
			t.Errorf("%s %s %s: kept %+v\nfresh %+v", req.Principal, req.Action, req.Resource, got, want)
		}
	}
}

// An action typed into a statement's list, or taken out of it, makes
// stale the evaluations whose action the statement comes to match or no
// longer matches, and no other: the requests of every bucket whose near
// miss the statement is (it is jane's first Allow of s3:GetObject and of
// s3:PutObject) stay as they were while the statement matches their
// action as before. Before the statement's judgement was compared, every
// evaluation that read it was stale: 11 of jane's requests for each of
// these edits, 17 for the complete action.
func TestATypedActionStalesOnlyTheRequestsItDecides(t *testing.T) {
	files := map[string]string{
		".s3policy.json": mayReadConfig,
		"a.json": `{"Version": "2012-10-17", "Statement": [
  {"Sid": "ReadWrite", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::data/*"},
  {"Sid": "List", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::data"}]}`,
		"b.json": `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Reports", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "arn:aws:s3:::reports/*"}]}`,
		"c.json": `{"Version": "2012-10-17", "Statement": [
  {"Sid": "Other", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::other/*"}]}`,
	}
	for _, c := range []struct {
		name, old, new string
		stale          []string // "action resource" of jane's requests
	}{
		// The first letters of a third action: no request is of s3:D or s3:Del.
		{"typing a new action", `"s3:PutObject"]`, `"s3:PutObject", "s3:Del"]`, nil},
		// The whole action: jane's DeleteObject requests on data's objects
		// are now allowed; the others now have this statement as their
		// near miss.
		{"a new action complete", `"s3:PutObject"]`, `"s3:PutObject", "s3:DeleteObject"]`,
			[]string{"s3:DeleteObject data", "s3:DeleteObject data/x", "s3:DeleteObject other", "s3:DeleteObject other/x", "s3:DeleteObject logs/x", "s3:DeleteObject reports/x"}},
		// GetObject's last letter taken back: the statement no longer
		// allows s3:GetObject on data's objects, and b.json's Reports is
		// now the near miss of GetObject elsewhere; s3:PutObject's
		// requests are judged alike.
		{"a letter taken back", `"s3:GetObject", `, `"s3:GetObjec", `,
			[]string{"s3:GetObject data", "s3:GetObject data/x", "s3:GetObject other", "s3:GetObject other/x", "s3:GetObject logs/x"}},
		// A resource typed into: the statement matches nothing more of
		// these requests, nor less.
		{"typing a resource", `"arn:aws:s3:::data/*"`, `["arn:aws:s3:::data/*", "arn:aws:s3:::lo"]`, nil},
		// A policy variable: the resource matches what the request's
		// context gives it (here the default, logs), which the kept
		// evaluation does not hold: every request that read the statement
		// or that it may now match is evaluated again.
		{"a policy variable", `"arn:aws:s3:::data/*"`, `["arn:aws:s3:::data/*", "arn:aws:s3:::${aws:username, 'logs'}/*"]`,
			[]string{"s3:GetObject data", "s3:GetObject data/x", "s3:GetObject logs/x", "s3:GetObject other", "s3:GetObject other/x", "s3:GetObject reports/x",
				"s3:PutObject data", "s3:PutObject data/x", "s3:PutObject logs/x", "s3:PutObject other", "s3:PutObject other/x", "s3:PutObject reports/x"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			stale, next, fresh := editAndReuse(t, files, "a.json", c.old, c.new)
			var got []string
			for _, req := range stale {
				if !strings.HasSuffix(req.Principal, "/jane") {
					t.Errorf("bob's %s %s is stale: the edit is jane's", req.Action, req.Resource)
					continue
				}
				got = append(got, req.Action+" "+strings.TrimPrefix(req.Resource, "arn:aws:s3:::"))
			}
			slices.Sort(got)
			want := slices.Sorted(slices.Values(c.stale))
			if !slices.Equal(got, want) {
				t.Errorf("stale: %q\nwant %q", got, want)
			}
			checkFresh(t, next, fresh)
		})
	}
}

// Random edits of identity policies (an action or a resource typed,
// taken back or replaced by a wildcard, a policy variable, a placeholder,
// Action turned NotAction, the Effect, the Sid, a condition, a line
// break) leave the workspace after the edit deciding every request as a
// fresh workspace of the edited files does, though it keeps the
// evaluations MayRead does not make stale.
func TestKeptEvaluationsAreFreshAfterRandomEdits(t *testing.T) {
	rng := rand.New(rand.NewPCG(16, 1))
	policies := map[string][]randomStatement{
		"a.json": {
			{sid: "ReadWrite", effect: "Allow", key: "Action", actions: []string{"s3:GetObject", "s3:PutObject"}, resources: []string{"arn:aws:s3:::data/*"}},
			{sid: "List", effect: "Allow", key: "Action", actions: []string{"s3:ListBucket"}, resources: []string{"arn:aws:s3:::data"}},
			{sid: "Key", effect: "Allow", key: "Action", actions: []string{"kms:Decrypt", "kms:GenerateDataKey"}, resources: []string{"arn:aws:kms:us-east-1:444455556666:key/k1"}},
		},
		"b.json": {
			{sid: "Reports", effect: "Allow", key: "Action", actions: []string{"s3:GetObject"}, resources: []string{"arn:aws:s3:::reports/*"}},
			{sid: "NoLogs", effect: "Deny", key: "Action", actions: []string{"s3:PutObject"}, resources: []string{"arn:aws:s3:::logs/*"}},
		},
		"c.json": {
			{sid: "Other", effect: "Allow", key: "Action", actions: []string{"s3:GetObject", "s3:ListBucket"}, resources: []string{"arn:aws:s3:::other/*", "arn:aws:s3:::other"}},
		},
	}
	files := func() map[string]string {
		out := map[string]string{".s3policy.json": mayReadConfig}
		for name, sts := range policies {
			out[name] = renderPolicy(sts)
		}
		return out
	}
	names := []string{"a.json", "b.json", "c.json"}
	kept, rounds := 0, 60
	if testing.Short() {
		rounds = 15
	}
	for round := range rounds {
		name := names[rng.IntN(len(names))]
		before := files()
		sts := slices.Clone(policies[name])
		i := rng.IntN(len(sts))
		switch rng.IntN(12) {
		case 0: // a statement added: the policy is edited whole
			added := sts[i]
			added.sid += "Copy"
			sts = append(sts, added.mutated(rng))
		case 1:
			if len(sts) > 1 {
				sts = slices.Delete(sts, i, i+1)
				break
			}
			fallthrough
		default:
			sts[i] = sts[i].mutated(rng)
		}
		policies[name] = sts
		after := renderPolicy(sts)
		if after == before[name] {
			continue
		}
		t.Run(fmt.Sprintf("round %d %s", round, name), func(t *testing.T) {
			stale, next, fresh := editWhole(t, before, name, after)
			kept += len(mayReadRequests()) - len(stale)
			checkFresh(t, next, fresh)
		})
	}
	if kept == 0 {
		t.Error("no evaluation was ever kept: the test compares nothing kept")
	}
}

// editWhole is editAndReuse with the file's whole text replaced.
func editWhole(t *testing.T, files map[string]string, file, text string) ([]Request, *Workspace, *Workspace) {
	t.Helper()
	return editAndReuse(t, files, file, files[file], text)
}

// randomStatement is a statement the random edits change element by
// element.
type randomStatement struct {
	sid, effect, key   string // key: Action or NotAction
	actions, resources []string
	condition          string
	brokenAcrossLines  bool // the Action list on lines of its own: the next statements move
}

var (
	randomActions   = []string{"s3:GetObject", "s3:GetObjec", "s3:PutObject", "s3:Get*", "s3:*", "*", "s3:ListBucket", "s3:DeleteObject", "s3:D", "kms:Decrypt", "${action}"}
	randomResources = []string{"arn:aws:s3:::data/*", "arn:aws:s3:::data", "arn:aws:s3:::d*", "*", "arn:aws:s3:::other/*", "arn:aws:s3:::lo", "arn:aws:s3:::logs/*",
		"arn:aws:s3:::${aws:PrincipalTag/team}/*", "arn:aws:s3:::${aws:username, 'data'}/*", "arn:aws:s3:::${bucket}/*", "arn:aws:kms:us-east-1:444455556666:key/k1", "arn:aws:kms:*"}
	randomConditions = []string{"", `{"Bool": {"aws:SecureTransport": "true"}}`, `{"StringEquals": {"aws:PrincipalTag/team": "x"}}`}
)

// mutated is the statement with one element changed.
func (s randomStatement) mutated(rng *rand.Rand) randomStatement {
	s.actions, s.resources = slices.Clone(s.actions), slices.Clone(s.resources)
	pick := func(from []string) string { return from[rng.IntN(len(from))] }
	switch rng.IntN(10) {
	case 0, 1: // an action replaced, or its last letter taken back
		i := rng.IntN(len(s.actions))
		if a := s.actions[i]; rng.IntN(2) == 0 && len(a) > 3 {
			s.actions[i] = a[:len(a)-1]
		} else {
			s.actions[i] = pick(randomActions)
		}
	case 2: // an action added
		s.actions = append(s.actions, pick(randomActions))
	case 3: // an action removed
		if len(s.actions) > 1 {
			s.actions = slices.Delete(s.actions, 0, 1)
		}
	case 4, 5: // a resource replaced or added
		if rng.IntN(2) == 0 {
			s.resources[rng.IntN(len(s.resources))] = pick(randomResources)
		} else {
			s.resources = append(s.resources, pick(randomResources))
		}
	case 6:
		s.key = map[string]string{"Action": "NotAction", "NotAction": "Action"}[s.key]
	case 7:
		s.effect = map[string]string{"Allow": "Deny", "Deny": "Allow"}[s.effect]
	case 8:
		if rng.IntN(2) == 0 {
			s.sid += "x"
		} else {
			s.condition = pick(randomConditions)
		}
	case 9:
		s.brokenAcrossLines = !s.brokenAcrossLines
	}
	return s
}

func renderPolicy(sts []randomStatement) string {
	var parts []string
	for _, s := range sts {
		sep := ", "
		if s.brokenAcrossLines {
			sep = ",\n    "
		}
		q := func(items []string) string {
			out := make([]string, len(items))
			for i, x := range items {
				out[i] = fmt.Sprintf("%q", x)
			}
			return "[" + strings.Join(out, sep) + "]"
		}
		st := fmt.Sprintf(`  {"Sid": %q, "Effect": %q, %q: %s, "Resource": %s`, s.sid, s.effect, s.key, q(s.actions), q(s.resources))
		if s.condition != "" {
			st += `, "Condition": ` + s.condition
		}
		parts = append(parts, st+"}")
	}
	return "{\"Version\": \"2012-10-17\", \"Statement\": [\n" + strings.Join(parts, ",\n") + "]}"
}

// An SCP or RCP edited in place is not an EditedDoc: a kept evaluation
// does not record reading their Deny statements (unrecordedLayers), so
// ReadSet.MayRead could not tell which evaluations such an edit changes.
func TestEditedInPlaceRefusesTheLayersWhoseDeniesAreNotRecorded(t *testing.T) {
	for _, kind := range []string{"scp", "rcp"} {
		w, err := loadDir(writeFiles(t, map[string]string{
			".s3policy.json": `{"files": {"org.json": {"kind": "` + kind + `", "account": "111122223333"}}}`,
			"org.json":       `{"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}]}`,
		}))
		if err != nil {
			t.Fatal(err)
		}
		before := w.File(filepath.Join(w.Dir, "org.json"))
		if before == nil || before.Policy == nil || string(before.Kind) != kind {
			t.Fatalf("org.json read as %+v, want an %s", before, kind)
		}
		after := analysis.NewFile(before.Path, []byte(strings.Replace(string(before.Src), "s3:PutObject", "s3:PutObjectAcl", 1)), before.Config)
		after.Facts = before.Facts
		if string(after.Kind) != kind {
			t.Fatalf("the edited org.json read as a %s, want an %s", after.Kind, kind)
		}
		if e := EditedInPlace(w, before, after); e != nil {
			t.Errorf("an %s edited in place is an EditedDoc: MayRead would keep the evaluations it denied", kind)
		}
	}
}
