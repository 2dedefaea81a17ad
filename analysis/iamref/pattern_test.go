package iamref

import (
	"math/rand/v2"
	"testing"
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
