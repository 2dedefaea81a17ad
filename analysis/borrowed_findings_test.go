package analysis

import "testing"

// A borrowed document's findings stay in the slice the checks reported
// them in, and Recycle gives it to the next document's checks, cleared;
// the findings of a document that is not borrowed are its caller's, and
// read the same after Recycle.
func TestBorrowedFindingsAreFreedWithTheTree(t *testing.T) {
	f := NewDocumentFile("p.iam-policy.json", Document{Text: []byte(fixLaterSrc), Borrowed: true}, nil)
	fs := Analyze(f, []*Check{fixLaterCheck})
	if len(fs) != 1 || cap(fs) != 1 || fs[0].Code != "fix-later" || f.findings == nil {
		t.Fatalf("findings %+v (cap %d), kept with the file: %v; want one fix-later, at its exact capacity, kept with the file", fs, cap(fs), f.findings != nil)
	}
	f.Recycle()
	if fs[0].Code != "" || f.findings != nil {
		t.Errorf("after Recycle: %+v, kept with the file: %v; want the finding cleared and the slice given back", fs[0], f.findings != nil)
	}

	g := NewFile("p.iam-policy.json", []byte(fixLaterSrc), nil)
	gs := Analyze(g, []*Check{fixLaterCheck})
	g.Recycle()
	if len(gs) != 1 || gs[0].Code != "fix-later" || g.findings != nil {
		t.Errorf("a document not borrowed, after Recycle: %+v; want its fix-later finding as reported", gs)
	}
}

// AnalyzeFile gives the one document's findings as the file's, at their
// exact capacity (an append by a caller copies), and a file's own
// findings with a document's, sorted.
func TestAnalyzeFileFindings(t *testing.T) {
	doc := NewFile("p.iam-policy.json", []byte(fixLaterSrc), nil)
	a := AnalyzeFile("p.iam-policy.json", []*File{doc}, nil, Options{Checks: []*Check{fixLaterCheck}})
	if len(a.Findings) != 1 || cap(a.Findings) != 1 || a.Findings[0].Code != "fix-later" {
		t.Fatalf("findings %+v (cap %d), want one fix-later at its exact capacity", a.Findings, cap(a.Findings))
	}
	own := []Finding{{Code: "own", Span: Span{200, 201}}, {Code: "own", Span: Span{0, 1}}}
	a = AnalyzeFile("p.iam-policy.json", []*File{doc}, own, Options{Checks: []*Check{fixLaterCheck}})
	var got []string
	for _, f := range a.Findings {
		got = append(got, f.Code+"@"+f.Span.String())
	}
	if want := []string{"own@0-1", "fix-later@" + a.Findings[1].Span.String(), "own@200-201"}; len(got) != 3 || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("findings %v, want %v", got, want)
	}
	if own[0].Span != (Span{200, 201}) {
		t.Errorf("the file's own findings were reordered: %+v", own)
	}
}
