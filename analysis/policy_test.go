package analysis_test

import (
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

func mustPolicy(t *testing.T, src string) *analysis.Policy {
	t.Helper()
	root, err := analysis.ParseJSON([]byte(src))
	if err != nil {
		t.Fatal(err.Msg.EN)
	}
	return analysis.NewPolicy(root)
}

func strs(vs []*analysis.Value) []string {
	out := make([]string, len(vs))
	for i, v := range vs {
		out[i] = v.Str
	}
	return out
}

func TestPolicySingleStatementObject(t *testing.T) {
	p := mustPolicy(t, `{"Version": "2012-10-17", "Id": "x", "Statement": {"Sid": "One", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}}`)
	if len(p.Statements) != 1 || p.Statements[0].Index != 0 || p.Statements[0].Label() != "One" || !p.Statements[0].IsDeny() {
		t.Fatalf("statements %+v", p.Statements)
	}
	if p.VersionText() != "2012-10-17" || p.ID == nil {
		t.Errorf("version %q, id %v", p.VersionText(), p.ID)
	}
}

func TestPolicyStatementArraySkipsNonObjects(t *testing.T) {
	p := mustPolicy(t, `{"Statement": ["x", {"Effect": "Allow"}, null, {"Sid": 5, "Effect": ["Allow"]}]}`)
	var idx []int
	for _, s := range p.Statements {
		idx = append(idx, s.Index)
	}
	if !slices.Equal(idx, []int{1, 3}) {
		t.Fatalf("statement indexes %v, want [1 3]", idx)
	}
	// A Sid or Effect that is not a string reads as absent.
	s := p.Statements[1]
	if s.Label() != "Statement 4" || s.EffectText() != "" || s.IsAllow() {
		t.Errorf("label %q, effect %q", s.Label(), s.EffectText())
	}
	if p.VersionText() != "" {
		t.Errorf("version %q, want none", p.VersionText())
	}
}

// A statement's elements are looked up as Value.Get does: by exact name,
// the last of duplicate members winning, as in the IAM policy parser.
func TestPolicyStatementElementsLastWins(t *testing.T) {
	p := mustPolicy(t, `{"Statement": [{"Effect": "Allow", "effect": "Deny", "Action": "s3:GetObject", "Effect": "Deny", "Resource": "*", "Action": ["s3:PutObject"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}]}`)
	s := p.Statements[0]
	for name, got := range map[string]*analysis.Field{"Effect": s.Effect, "Action": s.Action, "Resource": s.Resource, "Condition": s.Condition} {
		if want := s.Obj.Get(name); got != want || got == nil {
			t.Errorf("%s: %v, want the member Get finds, %v", name, got, want)
		}
	}
	if !s.IsDeny() || !slices.Equal(strs(s.Actions()), []string{"s3:PutObject"}) || s.Sid != nil || s.NotAction != nil || len(s.Conditions()) != 1 {
		t.Errorf("effect %q, actions %v, sid %v, conditions %d", s.EffectText(), strs(s.Actions()), s.Sid, len(s.Conditions()))
	}
}

func TestPolicyStringsAndActions(t *testing.T) {
	p := mustPolicy(t, `{"Statement": [{"Action": ["s3:GetObject", 1, "s3:PutObject"], "Resource": "arn:aws:s3:::b", "NotResource": {"x": 1}}]}`)
	s := p.Statements[0]
	if got := strs(s.Actions()); !slices.Equal(got, []string{"s3:GetObject", "s3:PutObject"}) {
		t.Errorf("actions %v", got)
	}
	if got := strs(s.Resources()); !slices.Equal(got, []string{"arn:aws:s3:::b"}) {
		t.Errorf("resources %v", got)
	}
	if analysis.Strings(s.NotResource) != nil || analysis.Strings(nil) != nil {
		t.Errorf("an object or a missing element has no strings")
	}
}

// Strings (and StringValues, of the field's value) gives the string
// items of an array, whatever kinds its items mix and wherever they sit, in a tree parsed in place or kept (which
// remembers whether its items are all strings) and in a tree built by
// hand (which does not).
func TestStringsOfEveryArray(t *testing.T) {
	for _, c := range []struct {
		array string
		want  []string
	}{
		{`["a", "b"]`, []string{"a", "b"}},
		{`["a", 1, "b"]`, []string{"a", "b"}},
		{`[1, "a", "b"]`, []string{"a", "b"}},
		{`["a", "b", null]`, []string{"a", "b"}},
		{`[["a"], "b"]`, []string{"b"}},
		{`[1, 2]`, nil},
		{`[]`, nil},
	} {
		for _, kept := range []bool{false, true} {
			doc := `{"Statement": {"Action": ` + c.array + `}}`
			f := analysis.NewDocumentFile("p.iam-policy.json", analysis.Document{Text: []byte(doc), Kept: kept}, nil)
			if got := strs(analysis.Strings(f.Policy.Statements[0].Action)); !slices.Equal(got, c.want) {
				t.Errorf("%s (kept %v): %q, want %q", c.array, kept, got, c.want)
			}
			if got := strs(analysis.StringValues(f.Policy.Statements[0].Action.Value)); !slices.Equal(got, c.want) {
				t.Errorf("StringValues of %s (kept %v): %q, want %q", c.array, kept, got, c.want)
			}
		}
	}
	a, b := &analysis.Value{Kind: analysis.String, Str: "a"}, &analysis.Value{Kind: analysis.String, Str: "b"}
	byHand := &analysis.Field{Value: &analysis.Value{Kind: analysis.Array, Items: []*analysis.Value{a, b}}}
	if got := strs(analysis.Strings(byHand)); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("an array built by hand: %q", got)
	}
	byHand.Value.Items = append(byHand.Value.Items, &analysis.Value{Kind: analysis.Number, Str: "1"})
	if got := strs(analysis.Strings(byHand)); !slices.Equal(got, []string{"a", "b"}) {
		t.Errorf("an array built by hand with a number: %q", got)
	}
}

func TestPolicyPrincipals(t *testing.T) {
	p := mustPolicy(t, `{"Statement": [
  {"Principal": "*"},
  {"Principal": {"AWS": ["arn:aws:iam::111122223333:root", "*"], "Service": "s3.amazonaws.com", "CanonicalUser": 7}},
  {"Principal": ["*"]}
]}`)
	all := analysis.Principals(p.Statements[0].Principal)
	if len(all) != 1 || all[0].Type != "*" || !all[0].IsEveryone() {
		t.Errorf("\"*\": %+v", all)
	}
	var got []string
	for _, r := range analysis.Principals(p.Statements[1].Principal) {
		got = append(got, r.Type+"="+r.Value.Str+"/"+map[bool]string{true: "everyone", false: "named"}[r.IsEveryone()])
	}
	want := []string{"AWS=arn:aws:iam::111122223333:root/named", "AWS=*/everyone", "Service=s3.amazonaws.com/named"}
	if !slices.Equal(got, want) {
		t.Errorf("principals %v\nwant %v", got, want)
	}
	if analysis.Principals(p.Statements[2].Principal) != nil {
		t.Errorf("an array is not a principal")
	}
	// AllPrincipals yields the same, and stops where its loop breaks.
	var first []string
	for r := range analysis.AllPrincipals(p.Statements[1].Principal) {
		if first = append(first, r.Type+"="+r.Value.Str); len(first) == 2 {
			break
		}
	}
	if want := []string{"AWS=arn:aws:iam::111122223333:root", "AWS=*"}; !slices.Equal(first, want) {
		t.Errorf("AllPrincipals, two: %v, want %v", first, want)
	}
}

func TestPolicyConditions(t *testing.T) {
	p := mustPolicy(t, `{"Statement": {"Condition": {
  "StringEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"], "s3:x-amz-acl": "bucket-owner-full-control"},
  "Bool": {"aws:SecureTransport": false},
  "NumericLessThan": 5,
  "Null": {"aws:TokenIssueTime": {"x": 1}}
}}}`)
	s := p.Statements[0]
	var got []string
	for _, c := range s.Conditions() {
		got = append(got, c.Operator.Key+" "+c.Key.Key+" "+string(rune('0'+len(c.Values))))
	}
	want := []string{"StringEquals aws:SourceVpce 2", "StringEquals s3:x-amz-acl 1", "Bool aws:SecureTransport 1", "Null aws:TokenIssueTime 0"}
	if !slices.Equal(got, want) {
		t.Errorf("conditions %v\nwant %v", got, want)
	}
	if !s.HasConditionKey("AWS:sourcevpce") || s.HasConditionKey("aws:SourceIp") {
		t.Errorf("HasConditionKey must match case-insensitively and only present keys")
	}
}

func TestIsPolicy(t *testing.T) {
	for src, want := range map[string]bool{
		`{"Statement": []}`: true, `{"Version": "2012-10-17"}`: false, `[{"Statement": []}]`: false, `null`: false,
	} {
		root, _ := analysis.ParseJSON([]byte(src))
		if analysis.IsPolicy(root) != want {
			t.Errorf("IsPolicy(%s) = %v", src, !want)
		}
	}
}

func TestPolicyDerivedBuildsOncePerKey(t *testing.T) {
	type keyA struct{}
	type keyB struct{}
	p := mustPolicy(t, `{"Statement":[{"Effect":"Allow"},{"Effect":"Deny"}]}`)
	builds := 0
	count := func(p *analysis.Policy) any { builds++; return len(p.Statements) + builds }
	first := p.Derived(keyA{}, count)
	again := p.Derived(keyA{}, count)
	other := p.Derived(keyB{}, count)
	if first != 3 || again != 3 || other != 4 || builds != 2 {
		t.Fatalf("Derived gave %v, %v, %v after %d builds; want 3, 3, 4 after 2", first, again, other, builds)
	}
}

// A policy keeps what the checks derive from it in one allocation for
// four values, two for up to eight (the checks, iamref and the policy's
// own ResourceARNs ask for eight keys: deny-blocks-access, condition
// keys, ungranted buckets, kms-missing-actions, the causes index, object
// ownership, resolved actions, Resource entries read as ARNs).
func TestPolicyDerivedKeepsItsValuesInFewAllocations(t *testing.T) {
	type k1 struct{}
	type k2 struct{}
	type k3 struct{}
	type k4 struct{}
	type k5 struct{}
	type k6 struct{}
	type k7 struct{}
	type k8 struct{}
	keys := []any{k1{}, k2{}, k3{}, k4{}, k5{}, k6{}, k7{}, k8{}}
	value := new(int) // a pointer: boxing it allocates nothing
	build := func(*analysis.Policy) any { return value }
	for _, c := range []struct{ values, allocs int }{{1, 1}, {4, 1}, {5, 2}, {8, 2}} {
		policies := make([]*analysis.Policy, 101) // a policy for each run
		for i := range policies {
			policies[i] = mustPolicy(t, `{"Statement": {"Effect": "Allow"}}`)
		}
		next := 0
		allocs := testing.AllocsPerRun(100, func() {
			p := policies[next]
			next++
			for range 2 {
				for _, k := range keys[:c.values] {
					p.Derived(k, build)
				}
			}
		})
		if allocs != float64(c.allocs) {
			t.Errorf("%d values derived from a policy take %v allocations, want %d", c.values, allocs, c.allocs)
		}
	}
}

// HasOtherMembers is what unknown-element asks before comparing each
// member with StatementElements: only a member none of them, spelt
// exactly, makes it true.
func TestStatementHasOtherMembers(t *testing.T) {
	p := mustPolicy(t, `{"Statement": [
		{"Sid": "A", "Effect": "Allow", "Principal": "*", "NotPrincipal": "*", "Action": "s3:*", "NotAction": "s3:*", "Resource": "*", "NotResource": "*", "Condition": {}},
		{"Effect": "Allow", "Actions": "s3:*"},
		{"effect": "Allow"}]}`)
	for i, want := range []bool{false, true, true} {
		if got := p.Statements[i].HasOtherMembers(); got != want {
			t.Errorf("statement %d: HasOtherMembers() = %v, want %v", i, got, want)
		}
	}
}

// TestPolicyValuesShareTheTree: a lone value, and an array of values of
// the right kinds, are listed without a slice of their own, and appending
// to the list leaves the tree as it was.
func TestPolicyValuesShareTheTree(t *testing.T) {
	p := mustPolicy(t, `{"Statement": {"Action": "s3:GetObject", "Resource": ["arn:aws:s3:::a", "arn:aws:s3:::b"], "Condition": {
  "StringEquals": {"aws:SourceVpce": ["vpce-1", "vpce-2"], "s3:x-amz-acl": "bucket-owner-full-control", "aws:PrincipalTag/x": ["a", {"b": 1}, 3]},
  "Bool": {"aws:SecureTransport": false},
  "NumericLessThan": {"s3:max-keys": 10}
}}}`)
	s := p.Statements[0]
	var conds []analysis.Condition
	allocs := testing.AllocsPerRun(100, func() {
		_ = s.Actions()
		_ = s.Resources()
	})
	if allocs != 0 {
		t.Errorf("Actions and Resources: %v allocations, want none", allocs)
	}
	actions := s.Actions()
	if len(actions) != 1 || actions[0] != s.Action.Value || cap(actions) != 1 {
		t.Fatalf("actions %v (cap %d), want the Action value alone", strs(actions), cap(actions))
	}
	more := append(actions, s.Resources()...)
	if s.Action.Value.Str != "s3:GetObject" || !slices.Equal(strs(more), []string{"s3:GetObject", "arn:aws:s3:::a", "arn:aws:s3:::b"}) {
		t.Errorf("after an append: Action %q, list %v", s.Action.Value.Str, strs(more))
	}
	conds = s.Conditions()
	var got []string
	for _, c := range conds {
		got = append(got, c.Key.Key+"="+strings.Join(strs(c.Values), ","))
	}
	want := []string{"aws:SourceVpce=vpce-1,vpce-2", "s3:x-amz-acl=bucket-owner-full-control", "aws:PrincipalTag/x=a,3", "aws:SecureTransport=false", "s3:max-keys=10"}
	if !slices.Equal(got, want) {
		t.Errorf("conditions %v\nwant %v", got, want)
	}
	if v := conds[1].Values; cap(v) != 1 || v[0] != conds[1].Key.Value {
		t.Errorf("a lone condition value: cap %d, want the key's own value", cap(v))
	}
	root, _ := analysis.ParseJSON([]byte(`{"Statement": {"Condition": {"StringEquals": {"a:b": "x", "c:d": ["y", "z"]}, "Bool": {"e:f": true}}}}`))
	allocs = testing.AllocsPerRun(100, func() { analysis.NewPolicy(root) })
	// The policy, its statement and the list of it, and the conditions.
	if allocs > 4 {
		t.Errorf("NewPolicy of a statement of three conditions: %v allocations, want at most 4", allocs)
	}
}

// A policy's Resource entries are read as ARNs once: each statement's, in
// order, are its Resources (a lone string, the strings of a list; a
// non-object item of Statement shifts the indexes), the table is the
// same on each ask, and a statement of another policy is read apart.
func TestPolicyResourceARNsAreEachStatementsResources(t *testing.T) {
	p := mustPolicy(t, `{"Statement": [
		{"Effect": "Allow", "Resource": "arn:aws:s3:::a/*"},
		"not a statement",
		{"Effect": "Allow", "Resource": ["arn:aws:s3:::b", 7, "*", "arn:aws:kms:us-east-1:111122223333:key/k"]},
		{"Effect": "Deny", "NotResource": "arn:aws:s3:::c"}]}`)
	arns := p.ResourceARNs()
	if again := p.ResourceARNs(); again != arns {
		t.Fatalf("ResourceARNs read the policy again")
	}
	for _, s := range p.Statements {
		var got []string
		for _, r := range arns.Of(s) {
			a, ok := r.ARN()
			got = append(got, r.Value.Str+" "+a.Service+" "+a.Resource+" "+strconv.FormatBool(ok))
			if !slices.Contains(s.Resources(), r.Value) {
				t.Errorf("statement %d: %q is not one of its Resources", s.Index, r.Value.Str)
			}
		}
		want := map[int][]string{
			0: {"arn:aws:s3:::a/* s3 a/* true"},
			2: {"arn:aws:s3:::b s3 b true", "*   false", "arn:aws:kms:us-east-1:111122223333:key/k kms key/k true"},
		}[s.Index]
		if !slices.Equal(got, want) {
			t.Errorf("statement %d: Of = %q; want %q", s.Index, got, want)
		}
	}
	other := mustPolicy(t, `{"Statement": {"Effect": "Allow", "Resource": "arn:aws:s3:::d"}}`).Statements[0]
	if got := arns.Of(other); len(got) != 1 || got[0].Value != other.Resources()[0] {
		t.Errorf("Of a statement of another policy = %+v; want its own Resource", got)
	}
}
