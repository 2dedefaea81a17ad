package iamref

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

func TestPatternDisjoint(t *testing.T) {
	for _, c := range []struct {
		a, b     string
		disjoint bool
	}{
		{"arn:aws:s3:::bucket-12", "arn:aws:s3:::bucket-3/*", true},   // heads differ
		{"arn:aws:s3:::bucket-12", "arn:aws:s3:::bucket-12/*", false}, // decided by MayMatchARN
		{"arn:aws:s3:::a/*.txt", "arn:aws:s3:::*.csv", true},          // tails differ
		{"arn:aws:s3:::a/*", "arn:aws:s3:::*", false},
		{"s3:getobject", "s3:putobject", true},
		{"s3:get*", "s3:getobject", false},
		{"s3:get?bject", "s3:getobject", false},
		{"abc", "abcd", true},
		{"arn:aws:s3:::${aws:username}/x", "arn:aws:s3:::jane/x", false}, // a variable is a wildcard
		{"arn:aws:s3:::{{ bucket }}", "arn:aws:s3:::b", false},
		{"", "", false},
		{"*", "anything", false},
	} {
		if got := NewPattern(c.a).Disjoint(NewPattern(c.b)); got != c.disjoint {
			t.Errorf("Disjoint(%q, %q) = %v, want %v", c.a, c.b, got, c.disjoint)
		}
		if got := NewPattern(c.b).Disjoint(NewPattern(c.a)); got != c.disjoint {
			t.Errorf("Disjoint(%q, %q) = %v, want %v", c.b, c.a, got, c.disjoint)
		}
	}
}

// Disjoint is a shortcut: whenever it says so, the full comparisons must
// answer false.
func TestPatternDisjointAgreesWithGlobs(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	alphabet := "ab:*?${}/"
	word := func() string {
		b := make([]byte, r.IntN(9))
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	for range 200000 {
		a, b := word(), word()
		if !NewPattern(a).Disjoint(NewPattern(b)) {
			continue
		}
		if GlobsIntersect(a, b) || MayMatchARN(a, b) || GlobsIntersect(VariablesToStar(a), VariablesToStar(b)) {
			t.Fatalf("Disjoint(%q, %q), yet the patterns intersect", a, b)
		}
	}
}

func TestResolveMatchesParseAction(t *testing.T) {
	src := `{"Statement":[
		{"Effect":"Allow","Action":["s3:GetObject","s3:Get*","nosuch:Thing","s3:NoSuchAction","*"],"Resource":"*"},
		"not a statement",
		{"Effect":"Deny","NotAction":"s3:PutObject","Resource":"*"},
		{"Effect":"Allow","Action":"kms:Decrypt","Resource":"*"}]}`
	root, err := analysis.ParseJSON([]byte(src))
	if err != nil {
		t.Fatal(err.Msg.EN)
	}
	p := analysis.NewPolicy(root)
	r := Resolve(p)
	if Resolve(p) != r {
		t.Fatal("Resolve built the policy's entries twice")
	}
	for _, s := range p.Statements {
		entries := r.Entries(s)
		values := ActionEntries(s)
		if len(entries) != len(values) {
			t.Fatalf("statement %d: %d entries, want %d", s.Index, len(entries), len(values))
		}
		for i, v := range values {
			want, ok := ParseAction(v)
			if entries[i].OK != ok || !reflect.DeepEqual(entries[i].Parsed(), want) {
				t.Errorf("statement %d entry %q: %+v, want %+v (%v)", s.Index, v.Str, entries[i], want, ok)
			}
		}
		got, complete := r.Actions(s)
		want, wantComplete := StatementActions(s)
		if complete != wantComplete || !reflect.DeepEqual(got, want) {
			t.Errorf("statement %d: Actions %d (%v), StatementActions %d (%v)", s.Index, len(got), complete, len(want), wantComplete)
		}
	}
	if got, complete := r.Actions(p.Statements[2]); !complete || len(got) != 1 || got[0].Name() != "Decrypt" {
		t.Errorf("kms statement: %v %v", got, complete)
	}
}

// The entries of a policy that write one text share one Action, with
// their own Value, whether the policy writes a few texts (looked through)
// or more than fewEntries (then in a map): the same answer either way.
func TestResolveSharesTheActionOfOneText(t *testing.T) {
	for _, distinct := range []int{1, fewEntries, fewEntries + 1, 3 * fewEntries} {
		var actions []string
		for i := range distinct {
			actions = append(actions, fmt.Sprintf(`"s3:Get%dObject"`, i))
		}
		list := "[" + strings.Join(actions, ",") + "]"
		src := `{"Statement":[{"Effect":"Allow","Action":` + list + `,"Resource":"*"},{"Effect":"Deny","NotAction":` + list + `,"Resource":"*"}]}`
		root, err := analysis.ParseJSON([]byte(src))
		if err != nil {
			t.Fatal(err.Msg.EN)
		}
		p := analysis.NewPolicy(root)
		r := Resolve(p)
		first, again := r.Entries(p.Statements[0]), r.Entries(p.Statements[1])
		if len(first) != distinct || len(again) != distinct {
			t.Fatalf("%d texts: %d and %d entries", distinct, len(first), len(again))
		}
		for i := range first {
			if again[i].Action != first[i].Action || again[i].Value == first[i].Value || again[i].Value.Str != first[i].Value.Str {
				t.Errorf("%d texts, entry %d: %q does not share the Action of %q", distinct, i, again[i].Value.Str, first[i].Value.Str)
			}
			for j := range i {
				if first[j].Action == first[i].Action {
					t.Errorf("%d texts: entries %d and %d share an Action", distinct, j, i)
				}
			}
		}
	}
}

// NewPattern's literal head and tail end where strings.IndexAny and
// LastIndexAny find a wildcard, a variable's $ or a brace; IsLiteral
// answers as Literal.
func TestNewPatternLiteralEnds(t *testing.T) {
	for _, s := range []string{"", "s3:GetObject", "s3:Get*", "*", "arn:aws:s3:::b/${aws:username}/*", "a?b{c}d", "${x}", "}tail", "head$", "a{b", "a?b"} {
		p := NewPattern(s)
		head, tail := s, s
		if i := strings.IndexAny(s, "*?${}"); i >= 0 {
			head, tail = s[:i], s[strings.LastIndexAny(s, "*?${}")+1:]
		}
		if p.headText() != head || p.tailText() != tail || p.Text != s {
			t.Errorf("NewPattern(%q): head %q tail %q, want %q %q", s, p.headText(), p.tailText(), head, tail)
		}
		if want := !strings.ContainsAny(s, "*?${}"); p.Literal() != want || IsLiteral(s) != want {
			t.Errorf("NewPattern(%q).Literal() = %v, IsLiteral = %v, want %v", s, p.Literal(), IsLiteral(s), want)
		}
	}
}
