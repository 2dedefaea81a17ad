package analysis

import (
	"math/rand/v2"
	"slices"
	"sort"
	"testing"
)

// SortFindings orders as a stable sort by span and code does: findings
// equal in both keep the order they were reported in (the merge keeps the
// first of them and adds the others' places in that order).
func TestSortFindingsIsStable(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	codes := []string{"a", "b", "c"}
	for round := range 2000 {
		fs := make([]Finding, r.IntN(40))
		for i := range fs {
			start := r.IntN(6)
			fs[i] = Finding{Code: codes[r.IntN(len(codes))], Span: Span{start, start + r.IntN(3)}, NotListed: i}
		}
		want := slices.Clone(fs)
		sort.SliceStable(want, func(i, j int) bool {
			a, b := want[i], want[j]
			if a.Span != b.Span {
				return a.Span.Start < b.Span.Start || a.Span.Start == b.Span.Start && a.Span.End < b.Span.End
			}
			return a.Code < b.Code
		})
		SortFindings(fs)
		if !slices.EqualFunc(fs, want, func(a, b Finding) bool { return a.Code == b.Code && a.Span == b.Span && a.NotListed == b.NotListed }) {
			t.Fatalf("round %d: got %+v\nwant %+v", round, fs, want)
		}
	}
}

// Duplicates reported apart, with other findings between them, are still
// one finding, the first one reported with what the later ones add, in
// document order among the others.
func TestDuplicatesReportedApartMerge(t *testing.T) {
	a, b := related("a.json", 1, "a"), related("b.json", 2, "b")
	f := NewFile("/w/p.iam-policy.json", []byte(mergePolicy), nil)
	got := Analyze(f, []*Check{reporting(
		Finding{Span: Span{5, 9}, Message: SayText(T("later", "後")), Related: []Related{a}},
		Finding{Span: Span{1, 3}, Message: SayText(T("sooner", "先"))},
		Finding{Span: Span{5, 9}, Message: SayText(T("again", "再")), Related: []Related{b},
			Fixes: []Fix{{Title: T("fix", "修正")}}},
	)})
	if len(got) != 2 || got[0].Message.Text().EN != "sooner" || got[1].Message.Text().EN != "later" ||
		!slices.Equal(got[1].Related, []Related{a, b}) || len(got[1].AllFixes()) != 1 || got[1].AllFixes()[0].Title.EN != "fix" {
		t.Fatalf("got %+v", got)
	}
}
