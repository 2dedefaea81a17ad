package analysis

import (
	"fmt"
	"strings"
	"testing"
)

// quoteAfter is a FixWords for the tests: append Args.S[0] to the array
// at, titled with it; it counts its calls in written.
var written int

func quoteAfter(doc *FixDoc, at *Value, a *Args) []Fix {
	written++
	return []Fix{{Title: T("Add "+a.S[0], a.S[0]+" を追加"), Edits: AppendString(doc.Src, at, a.S[0])}}
}

// fixLaterCheck reports each Action array of the policy with a fix
// written later, adding "s3:ListBucket" to it.
var fixLaterCheck = &Check{Code: "fix-later", Severity: Warning, Run: func(p *Pass) {
	for _, s := range p.Policy.Statements {
		if s.Action != nil {
			p.Report(Finding{Span: s.Action.Value.Span, Message: Say(greeting, Args{S: [3]string{"s3:ListBucket"}}),
				FixLater: FixOf(quoteAfter, s.Action.Value)})
		}
	}
}}

const fixLaterSrc = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"}]}`

func TestFixLaterIsWrittenWhenAsked(t *testing.T) {
	written = 0
	f := NewFile("p.iam-policy.json", []byte(fixLaterSrc), nil)
	fs := Analyze(f, []*Check{fixLaterCheck})
	if len(fs) != 1 || written != 0 || !fs[0].HasFixes() || len(fs[0].Fixes) != 0 {
		t.Fatalf("findings %+v, fixes written %d: want one finding with a fix not yet written", fs, written)
	}
	fixes := fs[0].AllFixes()
	if written != 1 || len(fixes) != 1 || fixes[0].Title != T("Add s3:ListBucket", "s3:ListBucket を追加") {
		t.Fatalf("fixes %+v, written %d times", fixes, written)
	}
	want := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": "*"}]}`
	if got := string(ApplyEdits([]byte(fixLaterSrc), fixes[0].Edits)); got != want {
		t.Errorf("fixed:\n%s\nwant\n%s", got, want)
	}
	at := strings.Index(fixLaterSrc, `["s3:GetObject"]`)
	if got, want := fs[0].FixLater.String(), fmt.Sprintf("{at:%d-%d}", at, at+len(`["s3:GetObject"]`)); got != want {
		t.Errorf("%%v of the fix %s, want %s (where it edits, not where it lies in memory)", got, want)
	}
}

// A fix written later, read once its document is recycled, would read
// another file's tree: AllFixes refuses. A fix written when reported is
// data, and reads the same after.
func TestFixesOfARecycledDocument(t *testing.T) {
	f := NewFile("p.iam-policy.json", []byte(fixLaterSrc), nil)
	fs := Analyze(f, []*Check{fixLaterCheck})
	if len(fs) != 1 || len(fs[0].AllFixes()) != 1 {
		t.Fatalf("findings %+v", fs)
	}
	f.Recycle()
	func() {
		defer func() {
			if r := recover(); r == nil || !strings.Contains(r.(string), "recycled") {
				t.Errorf("AllFixes after Recycle: recovered %v, want a panic that says the document was recycled", r)
			}
		}()
		fs[0].AllFixes()
	}()

	written := &Check{Code: "written", Severity: Warning, Run: func(p *Pass) {
		v := p.Policy.Statement.Value
		p.Report(Finding{Span: v.Span, Message: SayText(T("m", "m")), Fixes: []Fix{{Title: T("t", "t"), Edits: AppendString(p.Src, v, "x")}}})
	}}
	f = NewFile("p.iam-policy.json", []byte(fixLaterSrc), nil)
	fs = Analyze(f, []*Check{written})
	before := fmt.Sprint(fs[0].AllFixes())
	f.Recycle()
	if after := fmt.Sprint(fs[0].AllFixes()); len(fs) != 1 || after != before {
		t.Errorf("a written fix after Recycle: %s, want %s", after, before)
	}
}

func TestReportingAFixLaterAllocatesNothing(t *testing.T) {
	f := NewFile("p.iam-policy.json", []byte(fixLaterSrc), nil)
	at := f.Policy.Statement.Value
	var fs []Finding
	p := &Pass{File: f, Check: fixLaterCheck, findings: &fs}
	fs = make([]Finding, 0, 1)
	p.Report(Finding{Span: at.Span, Message: Say(greeting, Args{S: [3]string{"x"}}), FixLater: FixOf(quoteAfter, at)}) // the document's origin, once
	allocs := testing.AllocsPerRun(100, func() {
		fs = fs[:0]
		p.Report(Finding{Span: at.Span, Message: Say(greeting, Args{S: [3]string{"x"}}), FixLater: FixOf(quoteAfter, at)})
	})
	if allocs != 0 {
		t.Errorf("%v allocations to report a finding with a fix, want 0", allocs)
	}
}

// A duplicate's merge rewrites the message, which a fix written later
// reads: the merge writes the fixes first.
func TestMergedFindingKeepsItsFixLater(t *testing.T) {
	twice := &Check{Code: "twice", Severity: Warning, Run: func(p *Pass) {
		fixLaterCheck.Run(p)
		v := p.Policy.Statements[0].Action.Value
		p.Report(Finding{Span: v.Span, Message: SayText(T("again", "again")), Related: []Related{{Span: Span{1, 2}, Message: T("r", "r")}},
			Fixes: []Fix{{Title: T("Other", "Other"), Edits: []Edit{{Span: Span{v.Span.Start, v.Span.Start}, NewText: ""}}}}})
	}}
	fs := Analyze(NewFile("p.iam-policy.json", []byte(fixLaterSrc), nil), []*Check{twice})
	if len(fs) != 1 {
		t.Fatalf("findings %+v, want the two merged", fs)
	}
	fixes := fs[0].AllFixes()
	if len(fixes) != 2 || fixes[0].Title.EN != "Add s3:ListBucket" || fixes[1].Title.EN != "Other" || fs[0].FixLater.words != nil {
		t.Errorf("merged fixes %+v, FixLater %v", fixes, fs[0].FixLater)
	}
}

// A duplicate that adds related places and no fix leaves the merged
// finding's fix to be written when asked: the count of the places left
// out is said after the words, whose arguments the fix still reads.
func TestMergeWithoutFixesLeavesTheFixLater(t *testing.T) {
	related := &Check{Code: "related", Severity: Warning, Run: func(p *Pass) {
		fixLaterCheck.Run(p)
		var places []Related
		for i := range 5 {
			places = append(places, Related{Span: Span{i, i + 1}, Message: T("r", "r")})
		}
		p.Report(Finding{Span: p.Policy.Statements[0].Action.Value.Span, Message: SayText(T("again", "again")), Related: places})
	}}
	written = 0
	fs := Analyze(NewFile("p.iam-policy.json", []byte(fixLaterSrc), nil), []*Check{related})
	if len(fs) != 1 || written != 0 || len(fs[0].Fixes) != 0 || !fs[0].HasFixes() || len(fs[0].Related) != MaxRelated {
		t.Fatalf("findings %+v, fixes written %d: want one, its %d related places kept, its fix not written", fs, written, MaxRelated)
	}
	want := Text{EN: "hello, s3:ListBucket (and 1 other related place, not listed)",
		JA: "s3:ListBucket さん、こんにちは (ほかに関連する箇所が 1 件あります。一覧にはありません)"}
	if got := fs[0].Message.Text(); got != want {
		t.Errorf("message %q, want %q", got, want)
	}
	fixes := fs[0].AllFixes()
	if written != 1 || len(fixes) != 1 || fixes[0].Title != T("Add s3:ListBucket", "s3:ListBucket を追加") {
		t.Errorf("fixes %+v, written %d times: want the fix its words write", fixes, written)
	}
}
