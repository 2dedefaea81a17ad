package checks

import (
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamref"
)

// A statement's Resource patterns are made once per policy, whichever Deny
// asks first, and are the same patterns for the Deny statements that ask
// at once (go test -race): they were made again for each Deny an Allow
// met.
func TestResourcePatternsAreMadeOncePerPolicy(t *testing.T) {
	root, serr := analysis.ParseJSON([]byte(`{"Statement": [
  {"Effect": "Allow", "Action": "s3:GetObject", "Resource": ["arn:aws:s3:::${var.bucket}/home/${aws:username}/*", 7, "arn:aws:s3:::logs"]},
  {"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::other/*"},
  {"Effect": "Deny", "Action": "s3:Get*", "Resource": "arn:aws:s3:::b/home/*"},
  {"Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::logs/*"},
  {"Effect": "Deny", "Action": "s3:PutObject", "NotResource": "arn:aws:s3:::other/*"}
]}`))
	if serr != nil {
		t.Fatal(serr)
	}
	p := analysis.NewPolicy(root)
	want := []bool{true, false, true} // the third: a NotResource may meet any resource
	var wg sync.WaitGroup
	for range 4 {
		for i, deny := range p.Statements[2:] {
			wg.Go(func() {
				if got := cancelsAllow(p, deny); got != want[i] {
					t.Errorf("cancelsAllow(statement %d) = %v, want %v", deny.Index, got, want[i])
				}
			})
		}
	}
	wg.Wait()
	pats := patternsOf(p)
	first := pats.allows[0].resourcePatterns()
	var texts []string
	for _, r := range first {
		texts = append(texts, r.Text)
	}
	// The placeholder stands for anything; the policy variable keeps its
	// text (a pattern treats it as a wildcard); the number is no string.
	if len(texts) != 2 || texts[0] != "arn:aws:s3:::*/home/${aws:username}/*" || texts[1] != "arn:aws:s3:::logs" {
		t.Errorf("resource patterns %q", texts)
	}
	if again := pats.of(p.Statements[0]).resourcePatterns(); &again[0] != &first[0] {
		t.Error("the Allow's resource patterns were made again")
	}
	if got := pats.of(p.Statements[4]).resourcePatterns(); len(got) != 0 {
		t.Errorf("a NotResource statement has resource patterns %v", got)
	}
}

// cancelsWhole compares a literal Deny action by its text and the others
// as patterns: a Deny takes all an Allow grants when its actions, any
// case, wildcards and placeholders as written, cover every action of it.
func TestCancelsWholeComparesActions(t *testing.T) {
	for _, tc := range []struct {
		deny string
		want bool
	}{
		{`"s3:GetObject"`, false},
		{`["S3:getobject", "s3:PutObject"]`, true},
		{`"s3:*Object"`, true},
		{`"s3:Get*"`, false},
		{`["s3:GetObject", "s3:${var.action}"]`, false}, // a placeholder is text here, as before
		{`["s3:GetObject", "s3:Put?bject"]`, true},
	} {
		root, serr := analysis.ParseJSON([]byte(`{"Statement": [
  {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::b/*"},
  {"Effect": "Deny", "Action": ` + tc.deny + `, "Resource": "arn:aws:s3:::b/*"}]}`))
		if serr != nil {
			t.Fatal(serr)
		}
		p := analysis.NewPolicy(root)
		if got := cancelsWhole(p, p.Statements[1]); got != tc.want {
			t.Errorf("Deny of %s: cancelsWhole = %v, want %v", tc.deny, got, tc.want)
		}
	}
}

// valuesJoined is strings.Join of the values' texts, without their slice.
func TestValuesJoinedIsJoin(t *testing.T) {
	f := analysis.NewFile("p.iam-policy.json", []byte(`[[], ["s3:GetObject"], ["s3:GetObject", "", "arn:aws:s3:::b/*"]]`), nil)
	for _, list := range f.Root.Items {
		var texts []string
		for _, v := range list.Items {
			texts = append(texts, v.Str)
		}
		if got, want := valuesJoined(list.Items), strings.Join(texts, ", "); got != want {
			t.Errorf("valuesJoined(%q) = %q, want %q", texts, got, want)
		}
	}
}

// Two statements whose Action texts, or Resource keys (the text up to the
// first '/'), are literal and share no bit are told apart without their
// patterns; every pair the bits tell apart is one the patterns find
// disjoint, and a wildcard, variable, placeholder or empty list is never
// told apart.
func TestLiteralTextsTellApartOnlyDisjointLists(t *testing.T) {
	resources := [][]string{
		{"arn:aws:s3:::b1", "arn:aws:s3:::b1/*"},
		{"arn:aws:s3:::b2/*"},
		{"arn:aws:s3:::b"},
		{"arn:aws:s3:::bb/*"},
		{"arn:aws:s3:::b/home/*"},
		{"arn:aws:s3:::b*"},
		{"arn:aws:s3:::${var.bucket}/*"},
		{"arn:aws:s3:::b1/${aws:username}/*"},
		{"arn:aws:s3:::{{ bucket }}"},
		{"*"},
		{},
	}
	literal := []bool{true, true, true, true, true, false, false, true, false, false, false}
	var lists []literalTexts
	var patterns [][]iamref.Pattern
	for i, rs := range resources {
		lt := literalTexts{literal: len(rs) > 0}
		var ps []iamref.Pattern
		for _, r := range rs {
			lt.addKey(resourceKey(r))
			ps = append(ps, iamref.NewPattern(analysis.ReplacePlaceholders(r, "*")))
		}
		if lt.literal != literal[i] {
			t.Errorf("%q: literal %v, want %v", rs, lt.literal, literal[i])
		}
		lists, patterns = append(lists, lt), append(patterns, ps)
	}
	apart := 0
	for i := range lists {
		for j := range lists {
			if lists[i].disjoint(lists[j]) {
				apart++
				if overlaps(patterns[i], patterns[j], false, false) {
					t.Errorf("%q and %q told apart, but their patterns overlap", resources[i], resources[j])
				}
				// cancelsWhole matches the entries as written.
				for _, r := range resources[i] {
					for _, p := range resources[j] {
						if analysis.MatchWildcard(p, r, false) {
							t.Errorf("%q and %q told apart, but %q matches %q", resources[i], resources[j], p, r)
						}
					}
				}
			}
		}
	}
	// b1, b2, b and bb: each literal pair but a list with itself, and b
	// with b/home/*, unless two keys share a bit.
	if apart < 10 {
		t.Errorf("%d ordered pairs told apart, want at least 10", apart)
	}
	for _, pair := range [][2]int{{0, 1}, {2, 3}, {0, 3}} {
		if lists[pair[0]].bits&lists[pair[1]].bits == 0 && !lists[pair[0]].disjoint(lists[pair[1]]) {
			t.Errorf("%q and %q not told apart", resources[pair[0]], resources[pair[1]])
		}
	}
	if lists[2].disjoint(lists[4]) {
		t.Errorf("b and b/home/* told apart: they share bucket b's key")
	}

	var get, put, both, wild literalTexts
	for _, c := range []struct {
		lt      *literalTexts
		actions []string
	}{{&get, []string{"s3:getobject"}}, {&put, []string{"s3:putobject"}}, {&both, []string{"s3:getobject", "s3:putobject"}}, {&wild, []string{"s3:get*"}}} {
		*c.lt = literalTexts{literal: true}
		for _, a := range c.actions {
			c.lt.addAction(iamref.NewPattern(a))
		}
	}
	if !both.covers(get) || !both.covers(put) || !wild.covers(get) || !get.covers(wild) {
		t.Error("a list is said to miss an action it may cover")
	}
	if get.bits != put.bits && (get.covers(put) || !get.disjoint(put)) {
		t.Error("s3:getobject is not told apart from s3:putobject")
	}
	if wild.literal || wild.disjoint(put) || both.disjoint(get) {
		t.Error("lists that may share an action are told apart")
	}
}

// reachesNamedBucket, which looks up the one bucket an entry names, says
// what asking reachesBucket of every bucket the config names says, for
// entries that name one bucket, its objects, a pattern, a placeholder or
// no S3 resource, and for names a config may hold (with a "/" too).
func TestReachesNamedBucketIsReachesBucketOfEachName(t *testing.T) {
	buckets := []string{"logs", "data", "data-archive", "team-7", "odd/name", "x"}
	patterns := []string{
		"arn:aws:s3:::logs", "arn:aws:s3:::logs/*", "arn:aws:s3:::logs/2024/*", "arn:aws:s3:::data",
		"arn:aws:s3:::data-archive/a", "arn:aws:s3:::missing", "arn:aws:s3:::missing/*", "arn:aws:s3:::odd",
		"arn:aws:s3:::odd/name", "arn:aws:s3:::odd/name/*", "arn:aws:s3:::data*", "arn:aws:s3:::*",
		"arn:aws:s3:::team-?/*", "arn:aws:s3:::${aws:username}", "arn:aws:s3:::logs${x}", "*",
		"arn:aws:kms:us-east-1:111122223333:key/1", "arn:aws:s3:::", "arn:aws:s3:::x/", "arn:aws:s3:*:*:logs",
	}
	for n := 0; n <= len(buckets); n++ {
		cfg := &analysis.Config{Buckets: map[string]*analysis.BucketFacts{}}
		for _, b := range buckets[:n] {
			cfg.Buckets[b] = &analysis.BucketFacts{Name: b}
		}
		named := namedBuckets(cfg)
		for _, p := range patterns {
			want := slices.ContainsFunc(named, func(b string) bool { return reachesBucket(p, b) })
			if got := reachesNamedBucket(cfg, named, p); got != want {
				t.Errorf("buckets %v, %q: %v, reachesBucket of each: %v", named, p, got, want)
			}
		}
	}
}
