package checks

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// The index of causes says of every document what a direct computation
// says, scanning every principal's blocked requests for the document and
// every statement of the principal's identity policies for each request:
// on the generated governed folder of the benchmarks (several principals
// with many identity policies, bucket, key, endpoint and SCP policies).
func TestCauseIndexAgreesWithADirectScan(t *testing.T) {
	w := generatedWorkspace(t, 120)
	codes := []string{analysis.CodeMissingResourceARN, analysis.CodeSCPDeniesS3, analysis.CodeDenyBlocksAccess,
		"endpoint-policy-blocks", "kms-missing-actions", "session-policy-blocks", boundaryBlocksCode}
	groups, heres := 0, 0
	for _, f := range w.PolicyFiles() {
		for _, code := range codes {
			if f.Kind == analysis.KindIdentity {
				got := map[string]int{}
				for _, g := range causesOf(w, f.Facts.Principal).groupsOf(w, f)[code] {
					got[groupName(g.span, *g.first, *g.cause, g.conditional)] = g.count
				}
				want := directGroups(w, f, code)
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Errorf("%s %s:\nindex  %v\ndirect %v", f.Path, code, got, want)
				}
				groups += len(got)
				continue
			}
			var got []string
			for _, p := range principalsOf(w) {
				for _, h := range hereOf(w, p).of(docKey{f.Path, f.DocName})[code] {
					got = append(got, hereName(h))
				}
			}
			want := directHere(w, f, code)
			if !slices.Equal(got, want) {
				t.Errorf("%s %s:\nindex  %v\ndirect %v", f.Path, code, got, want)
			}
			heres += len(got)
		}
	}
	// The folder has findings of both sides, or the test shows nothing.
	if groups < 50 || heres < 10 {
		t.Errorf("%d identity groups and %d elements elsewhere: the folder shows too little", groups, heres)
	}
}

func groupName(span analysis.Span, first analysis.BlockedRequest, c analysis.Cause, conditional bool) string {
	return fmt.Sprintf("%v %s %s %v %v %s:%v %v", span, first.Action, first.Resource, first.Grant, c.Located, c.Place.Path, c.Place.Span, conditional)
}

func hereName(h *blockedHere) string {
	var rs []string
	for _, b := range h.requests {
		rs = append(rs, b.Action+" "+b.Resource+" "+b.GrantedTo)
	}
	return fmt.Sprintf("%s %v %v", h.principal, h.place, rs)
}

// directGroups computes the identity policy f's groups by scanning its
// principal's blocked requests and, for each, every statement of the
// principal's identity policies: the name of each group and the number
// of requests in it.
func directGroups(w analysis.Workspace, id *analysis.File, code string) map[string]int {
	p := id.Facts.Principal
	var policies []*analysis.File
	for _, f := range w.PolicyFiles() {
		if f.Kind == analysis.KindIdentity && f.Facts != nil && f.Facts.Principal == p && f.Policy != nil && f.Policy.Statement != nil {
			policies = append(policies, f)
		}
	}
	type group struct {
		name  string
		count int
	}
	byKey := map[string]*group{}
	for _, b := range w.Blocked(p) {
		counted := map[string]bool{}
		for _, c := range b.Causes {
			if reportedCode(w, c) != code {
				continue
			}
			var span analysis.Span
			var ok, inThisFile bool
			if owner := slices.IndexFunc(policies, func(f *analysis.File) bool {
				return c.Located && f.Path == c.Place.Path && f.DocName == c.Place.Doc
			}); owner >= 0 {
				span, ok = id.Policy.Statement.KeySpan, policies[owner] == id && code == missingBucketCode
				inThisFile = true
			} else {
				span, ok = directAsks(id, b)
			}
			if !ok {
				continue
			}
			// A group is one element and kind of cause and decision,
			// named by its first request.
			key := fmt.Sprintf("%v %v %v %v", span, c.Located, inThisFile, b.Conditional)
			g := byKey[key]
			if g == nil {
				g = &group{name: groupName(span, b, c, b.Conditional)}
				byKey[key] = g
			}
			if !counted[key] {
				counted[key] = true
				g.count++
			}
		}
	}
	out := map[string]int{}
	for _, g := range byKey {
		out[g.name] = g.count
	}
	return out
}

// directUnasked reports whether none of the principal's identity
// policies asks for the request: no check reports it.
func directUnasked(w analysis.Workspace, p string, b analysis.BlockedRequest) bool {
	policies := 0
	for _, f := range w.PolicyFiles() {
		if f.Kind == analysis.KindIdentity && f.Facts != nil && f.Facts.Principal == p && f.Policy != nil && f.Policy.Statement != nil {
			if _, asks := directAsks(f, b); asks {
				return false
			}
			policies++
		}
	}
	return policies > 0
}

// directAsks is the first Allow statement of f whose Action and
// Resource match the request, at its matching Action entry.
func directAsks(f *analysis.File, b analysis.BlockedRequest) (analysis.Span, bool) {
	for _, st := range f.Policy.Statements {
		if !st.IsAllow() {
			continue
		}
		s := askingStatement{statementAsks: &statementAsks{st: st, actions: st.Actions(), resources: st.Resources(),
			notAction: analysis.Strings(st.NotAction), notResource: analysis.Strings(st.NotResource)}}
		if span, ok := s.asksFor(b.Action, b.Resource); ok {
			return span, true
		}
	}
	return analysis.Span{}, false
}

// directHere is the former scan of causesHere: principal by principal,
// every blocked request's causes of the code placed in the document,
// grouped by element.
func directHere(w analysis.Workspace, f *analysis.File, code string) []string {
	var out []string
	for _, p := range principalsOf(w) {
		var order []analysis.Span
		byPlace := map[analysis.Span]*blockedHere{}
		for _, b := range w.Blocked(p) {
			if directUnasked(w, p, b) {
				continue
			}
			for _, c := range b.Causes {
				if reportedCode(w, c) != code || !c.Located || c.Place.Path != f.Path || c.Place.Doc != f.DocName {
					continue
				}
				h := byPlace[c.Place.Span]
				if h == nil {
					h = &blockedHere{principal: p, place: c.Place.Span}
					byPlace[c.Place.Span] = h
					order = append(order, c.Place.Span)
				}
				h.requests = append(h.requests, &b)
			}
		}
		for _, s := range order {
			out = append(out, hereName(byPlace[s]))
		}
	}
	return out
}

// A principal's policy asks for a request when an Allow statement's
// Action (or NotAction) and Resource (or NotResource) match it, a
// wildcard as well as a literal bucket; the element is the first such
// statement's matching Action entry (NotAction's key), one per policy;
// none when no policy asks (the request no check reports).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
func TestPoliciesThatAskForARequest(t *testing.T) {
	const principal = "arn:aws:iam::111122223333:user/jane"
	cfg := `{"files": {"*.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "` + principal + `"}}}`
	docs := []string{
		`{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::alpha"},
  {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::alpha/*"}]}`,
		`{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["s3:PutObject", "s3:Get*"], "Resource": "arn:aws:s3:::al*/*"},
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::alpha/*"}]}`,
		`{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "NotAction": "iam:*", "NotResource": "arn:aws:s3:::beta/*"}]}`,
	}
	w := eval.NewWorkspace(t.TempDir())
	c, errs := analysis.ParseConfig(w.Dir, []byte(cfg))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	w.AddConfig(filepath.Join(w.Dir, analysis.ConfigName), c)
	for i, d := range docs {
		w.AddFile(analysis.NewFile(filepath.Join(w.Dir, fmt.Sprintf("p%d.iam-policy.json", i)), []byte(d), c))
	}
	asks := asksOf(w, principal)
	text := func(a askedAt) string {
		return filepath.Base(a.policy.Path) + " " + string(a.policy.Src[a.span.Start:a.span.End])
	}
	for _, tc := range []struct {
		action, resource string
		want             []string
	}{
		{"s3:GetObject", "arn:aws:s3:::alpha/*", []string{`p1.iam-policy.json "s3:Get*"`, `p2.iam-policy.json "NotAction"`}},
		{"s3:ListBucket", "arn:aws:s3:::alpha", []string{`p0.iam-policy.json "s3:ListBucket"`, `p2.iam-policy.json "NotAction"`}},
		{"s3:GetObject", "arn:aws:s3:::beta/*", nil},
		{"s3:ListBucket", "arn:aws:s3:::beta", []string{`p2.iam-policy.json "NotAction"`}},
	} {
		var got []string
		for _, a := range asks.of(tc.action, tc.resource, nil) {
			got = append(got, text(a))
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s on %s: %q, want %q", tc.action, tc.resource, got, tc.want)
		}
	}
}

// The related places of an element that blocks requests, told apart by
// their numbers in the principal's index, are those a direct
// computation gives, keying each place by its path, document and span:
// the first MaxRelated of the asking elements and grants, each once,
// and a count of the other places, each once and none that is listed.
// On the generated governed folder, where an SCP blocks hundreds of
// requests, so that most places are left out.
func TestRelatedHereAgreesWithKeyingEachPlace(t *testing.T) {
	w := generatedWorkspace(t, 400)
	elements, counted := 0, 0
	eachElementHere(w, func(pass *analysis.Pass, h *blockedHere) {
		related, notListed := relatedHere(pass, h)
		wantRelated, wantNotListed := directRelatedHere(w, pass, h)
		if fmt.Sprint(related) != fmt.Sprint(wantRelated) || notListed != wantNotListed {
			t.Errorf("%s %s %v:\nindex  %d %v\ndirect %d %v", pass.Path, pass.Check.Code, h.place, notListed, related, wantNotListed, wantRelated)
		}
		elements++
		counted += notListed
	})
	if elements < 5 || counted < 100 {
		t.Errorf("%d elements, %d places left out: the folder shows too little", elements, counted)
	}
}

// directRelatedHere keys each related place by its path, document and
// span, and finds the asking element of each request again.
func directRelatedHere(w analysis.Workspace, pass *analysis.Pass, h *blockedHere) (related []analysis.Related, notListed int) {
	type relatedKey struct {
		place                       analysis.Place
		ask                         bool
		action, resource, grantedTo string
	}
	seen := map[relatedKey]bool{}
	shown, left := map[analysis.Place]bool{}, map[analysis.Place]bool{}
	add := func(k relatedKey, r analysis.Related) {
		switch {
		case seen[k]:
		case len(related) < analysis.MaxRelated:
			related = append(related, r)
			shown[k.place] = true
		default:
			left[k.place] = true
		}
		seen[k] = true
	}
	for _, b := range h.requests {
		if asked := asksOf(w, h.principal).of(b.Action, b.Resource, nil); len(asked) > 0 {
			at := asked[0]
			add(relatedKey{analysis.Place{Path: at.policy.Path, Doc: at.policy.DocName, Span: at.span}, true, b.Action, b.Resource, ""},
				analysis.Related{File: relTo(pass.Path, at.policy.Path), Doc: at.policy.DocName, Span: at.span,
					Message: analysis.Tf("%s asks for %s on %s here", "%[1]s はここで %[3]s への %[2]s を求めています", shortName(h.principal), b.Action, b.Resource)})
		}
		add(relatedKey{b.Grant, false, b.Action, b.Resource, b.GrantedTo}, grantRelated(pass.Path, *b))
	}
	for p := range left {
		if !shown[p] {
			notListed++
		}
	}
	return related, notListed
}

// generatedWorkspace is the workspace of a governed folder of n policies
// as the benchmarks generate it (bench/governed).
func generatedWorkspace(t testing.TB, n int) *eval.Workspace {
	t.Helper()
	dir, texts := generatedTexts(t, n)
	return tree.Sets(dir, texts)[0].Workspace
}

// generatedTexts writes a governed folder of n policies (bench/governed)
// and reads its files back, by path.
func generatedTexts(t testing.TB, n int) (dir string, texts map[string][]byte) {
	t.Helper()
	dir = t.TempDir()
	if _, err := governed.Write(dir, n); err != nil {
		t.Fatal(err)
	}
	texts, err := tree.ReadAll(dir, tree.Disk{})
	if err != nil {
		t.Fatal(err)
	}
	return dir, texts
}

// The causes' words of an element's hover: each once, the first
// MaxRelated, then a count of the other words; a word said again, by
// the same message or by another that says the same, is not counted.
func TestCauseDetailsSayEachCauseOnceAndCountTheOthers(t *testing.T) {
	var causes []*analysis.Cause
	var requests []*analysis.BlockedRequest
	for _, s := range []string{"a", "b", "a", "c", "d", "e", "d", "f", "e"} {
		causes = append(causes, &analysis.Cause{Message: analysis.T("deny "+s, "拒否 "+s)})
		requests = append(requests, &analysis.BlockedRequest{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/" + s})
	}
	var got []string
	numbers := map[actionOn]int32{}
	var at, requestNo []int32 // the requests as an answer of their own
	for i, b := range requests {
		at = append(at, int32(i))
		requestNo = append(requestNo, numberOf(numbers, actionOn{b.Action, b.Resource}))
	}
	for _, t := range causeDetails(requests, causes, at, requestNo) {
		got = append(got, t.EN+" / "+t.JA)
	}
	want := []string{"deny a / 拒否 a", "deny b / 拒否 b", "deny c / 拒否 c", "deny d / 拒否 d", "(and 2 more, alike) / (ほかに同様のものが 2 件あります)"}
	if !slices.Equal(got, want) {
		t.Errorf("causeDetails = %q, want %q", got, want)
	}
}

// The cross-account uses a bucket policy lacks a grant for, found from
// the identity policies that name its buckets, are those of every
// identity policy of the workspace whose bucket's policy it is, in the
// workspace's order: on the generated governed folder.
func TestUsesOfBucketPolicyAgreeWithEveryIdentityPolicy(t *testing.T) {
	w := generatedWorkspace(t, 200)
	name := func(us []crossAccountUse) []string {
		var out []string
		for _, u := range us {
			out = append(out, fmt.Sprintf("%s %s %s %v", u.identity.Path, u.bucket, u.account, u.actions))
		}
		return out
	}
	uses := 0
	for _, f := range w.PolicyFiles() {
		if f.Kind != analysis.KindBucket {
			continue
		}
		var want []crossAccountUse
		for _, id := range w.PolicyFiles() {
			if id.Kind == analysis.KindIdentity {
				for _, u := range crossAccountUses(w, id) {
					if u.policy.Path == f.Path {
						want = append(want, u)
					}
				}
			}
		}
		if got := usesOfBucketPolicy(w, f); !slices.Equal(name(got), name(want)) {
			t.Errorf("%s:\ngot  %q\nwant %q", f.Path, name(got), name(want))
		}
		uses += len(want)
	}
	if uses < 10 {
		t.Errorf("%d uses: the folder shows too little", uses)
	}
}

// A Resource entry may match an S3 ARN unless it writes out another
// service: a KMS key's statement, which every principal's policy has,
// is left off the statements each request looks at.
func TestMayMatchS3(t *testing.T) {
	for r, want := range map[string]bool{
		"arn:aws:kms:us-east-1:444455556666:key/1": false, "arn:aws:kms:*:*:key/*": false, "arn:aws:dynamodb:*:*:table/t": false,
		"arn:aws:s3:::b/*": true, "arn:aws:S3:::b": true, "arn:aws:s3:us-east-1::b/*": true, "arn:aws:*:*:*:*": true,
		"arn:*:kms:*": true, "*": true, "${var.bucket_arn}": true, "arn:aws:s*:::b": true,
	} {
		if got := mayMatchS3(r); got != want {
			t.Errorf("mayMatchS3(%q) = %v, want %v", r, got, want)
		}
	}
}

// A cause's code is numbered in a uint8 (causeIn.code): every code is a
// check's, and there must be fewer checks than that counts.
func TestCauseCodesFitTheirNumber(t *testing.T) {
	if n := len(All); n > math.MaxUint8+1 {
		t.Errorf("%d checks: causeIn.code (a uint8) cannot number their codes", n)
	}
}

// An element's causes' words and actions, told apart by the numbers the
// principal's index gives each request's action and resource, are those
// told apart by hashing what each cause says (analysis.Saying) and by
// comparing the actions and resources: on the generated governed folder, where an
// SCP's element says the engine's shared words of hundreds of requests.
func TestCauseDetailsAgreeWithHashingWhatEachCauseSays(t *testing.T) {
	w := generatedWorkspace(t, 200)
	elements, counted, manyResources := 0, 0, 0
	eachElementHere(w, func(pass *analysis.Pass, h *blockedHere) {
		got, want := causeDetails(h.requests, h.causes, h.at, h.ix.requestNo), causeDetailsHashed(h.requests, h.causes)
		if !slices.Equal(got, want) {
			t.Errorf("%s %s %v:\nnumbered %q\nhashed   %q", pass.Path, pass.Check.Code, h.place, got, want)
		}
		var actions []string
		for _, b := range h.requests {
			if !slices.Contains(actions, b.Action) {
				actions = append(actions, b.Action)
			}
		}
		if got := elementActions(h); !slices.Equal(got, actions) {
			t.Errorf("%s %s %v: actions %q, want %q", pass.Path, pass.Check.Code, h.place, got, actions)
		}
		var resources []string
		for _, b := range h.requests {
			if !slices.Contains(resources, b.Resource) {
				resources = append(resources, b.Resource)
			}
		}
		if got := elementResources(h); !slices.Equal(got, resources) {
			t.Errorf("%s %s %v: resources %q, want %q", pass.Path, pass.Check.Code, h.place, got, resources)
		}
		if len(resources) > 1 {
			manyResources++
		}
		elements++
		if len(want) > analysis.MaxRelated {
			counted++
		}
	})
	if elements < 5 || counted < 5 || manyResources < 5 {
		t.Errorf("%d elements, %d with words left out, %d with more than one resource: the folder shows too little", elements, counted, manyResources)
	}
}

// eachElementHere calls do with each element of every document but the
// identity policies that blocks a principal's requests, and its pass.
func eachElementHere(w analysis.Workspace, do func(*analysis.Pass, *blockedHere)) {
	for _, f := range w.PolicyFiles() {
		if f.Kind == analysis.KindIdentity {
			continue
		}
		for _, c := range All {
			pass := &analysis.Pass{File: f, Check: c}
			for _, h := range causesHere(pass) {
				do(pass, h)
			}
		}
	}
}

// causeDetailsHashed is causeDetails as it was: each cause's words
// hashed (analysis.Saying).
func causeDetailsHashed(requests []*analysis.BlockedRequest, causes []*analysis.Cause) []analysis.Text {
	seen := map[analysis.Saying]bool{}
	return wordsOnce(requests, causes, func(i int, c *analysis.Cause) bool {
		said := requests[i].Saying(c)
		if seen[said] {
			return false
		}
		seen[said] = true
		return true
	})
}

// Messages past the few compared are numbered by hashing, and keep their
// numbers: each message the same number each time, two messages two.
func TestMessageNumbersPastTheFewCompared(t *testing.T) {
	var ns messageNumbers
	want := map[analysis.CauseMessage]int{}
	for round := range 3 {
		for i := range 3 * fewMessages {
			m := analysis.T(fmt.Sprint("deny ", i), fmt.Sprint("拒否 ", i))
			got := ns.of(m)
			if n, ok := want[m]; ok && got != n {
				t.Fatalf("round %d: message %d numbered %d, then %d", round, i, n, got)
			}
			want[m] = got
		}
	}
	numbers := map[int]bool{}
	for _, n := range want {
		numbers[n] = true
	}
	if len(numbers) != 3*fewMessages {
		t.Errorf("%d messages got %d numbers", 3*fewMessages, len(numbers))
	}
}

// A workspace finding's hover is written only when asked for
// (analysis.LaterExplain): asked after every file of the folder was
// analysed and its parts of the indexes forgotten, as the server does
// in a first scan before an editor opens the file, it says what it said
// when it was reported, the causes' words and then the check's; and the
// hover of its span shows it.
func TestAWorkspaceFindingsHoverWrittenLaterIsTheHoverItHadWhenReported(t *testing.T) {
	w := generatedWorkspace(t, 200)
	causeChecks := workspaceCauseChecks()
	type reported struct {
		file    *analysis.File
		finding analysis.Finding
		hover   analysis.Text // asked for as soon as it was reported
	}
	var all []reported
	later := map[analysis.Kind]int{}
	for _, f := range w.PolicyFiles() {
		for _, fd := range analysis.Analyze(f, causeChecks) {
			all = append(all, reported{f, fd, fd.Explanation()})
			if fd.ExplainLater.String() == "{later}" {
				later[f.Kind]++
			}
		}
		ForgetDocuments(w, []*analysis.File{f})
	}
	if later[analysis.KindIdentity] < 20 || later[analysis.KindSCP] == 0 || later[analysis.KindKey] == 0 || later[analysis.KindBucket] == 0 {
		t.Fatalf("findings with a hover written later, by kind: %v; the folder shows too little", later)
	}
	for _, r := range all {
		fd := r.finding
		check := ByCode(fd.Code)
		if got := fd.Explanation(); got != r.hover {
			t.Errorf("%s %s %v: hover now\n%q\nwhen reported\n%q", r.file.Path, fd.Code, fd.Span, got.EN, r.hover.EN)
		}
		if fd.ExplainLater.String() == "{later}" && (fd.Explain != check.Explain || !strings.HasSuffix(r.hover.EN, "\n\n"+check.Explain.EN) || !strings.HasSuffix(r.hover.JA, "\n\n"+check.Explain.JA)) {
			t.Errorf("%s %s %v: hover %q, want the causes' words, then the check's", r.file.Path, fd.Code, fd.Span, r.hover.EN)
		}
		shown, _, ok := analysis.Hover(r.file, []analysis.Finding{fd}, fd.Span.Start, nil)
		if !ok || !strings.Contains(shown.EN, r.hover.EN) || !strings.Contains(shown.JA, r.hover.JA) {
			t.Errorf("%s %s %v: the hover shows %q, not %q", r.file.Path, fd.Code, fd.Span, shown.EN, r.hover.EN)
		}
	}
}
