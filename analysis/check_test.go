package analysis

import (
	"fmt"
	"slices"
	"testing"
)

const mergePolicy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`

// reporting is a check that reports the given findings as they are.
func reporting(fs ...Finding) *Check {
	return &Check{Code: "merge-test", Severity: Warning, Run: func(p *Pass) {
		for _, f := range fs {
			p.Report(f)
		}
	}}
}

func related(file string, start int, msg string) Related {
	return Related{File: file, Span: Span{start, start + 1}, Message: T(msg, msg)}
}

// Findings of one code at one span are one finding with the related
// places of each, each once, in the order reported.
func TestDuplicatesMergeTheirRelatedPlaces(t *testing.T) {
	span := Span{1, 10}
	a, b, c := related("a.json", 1, "a"), related("b.json", 2, "b"), related("", 3, "c")
	f := NewFile("/w/p.iam-policy.json", []byte(mergePolicy), nil)
	got := Analyze(f, []*Check{reporting(
		Finding{Span: span, Message: SayText(T("first", "最初")), Related: []Related{a, b}},
		Finding{Span: span, Message: SayText(T("second", "二番目")), Related: []Related{b, c}},
	)})
	if len(got) != 1 || got[0].Message.Text().EN != "first" || !slices.Equal(got[0].Related, []Related{a, b, c}) {
		t.Fatalf("got %+v", got)
	}
}

// A cause shared by many requests keeps its own related places, then the
// nearest of the others, MaxRelated in all, and counts the places left
// out, each place once (issue 16: "and 1,612 other grants").
func TestRelatedPlacesAreBoundedNearestFirst(t *testing.T) {
	span := Span{1, 10}
	cause, grant := related("../scp/deny.scp.json", 5, "the SCP denies"), related("../b/0.bucket-policy.json", 7, "grant 0")
	fs := []Finding{{Span: span, Message: SayText(T("denied", "拒否")), Related: []Related{cause, grant}}}
	for i := 1; i <= 100; i++ {
		fs = append(fs, Finding{Span: span, Message: SayText(T("denied", "拒否")), Related: []Related{
			cause, // already listed
			related(fmt.Sprintf("../b/%d.bucket-policy.json", i), 7, fmt.Sprintf("grant %d of GetObject", i)),
			related(fmt.Sprintf("../b/%d.bucket-policy.json", i), 7, fmt.Sprintf("grant %d of PutObject", i)), // the same place again
		}})
	}
	near := related("same-folder.bucket-policy.json", 9, "near")
	here := related("", 2, "here")
	fs = append(fs, Finding{Span: span, Related: []Related{near, here}})
	f := NewFile("/w/i/p.iam-policy.json", []byte(mergePolicy), nil)
	got := Analyze(f, []*Check{reporting(fs...)})
	if len(got) != 1 {
		t.Fatalf("%d findings", len(got))
	}
	if want := []Related{cause, grant, here, near}; !slices.Equal(got[0].Related, want) {
		t.Errorf("related %+v\nwant %+v", got[0].Related, want)
	}
	// 100 other bucket policies, each one place however many grants.
	if want := "denied (and 100 other related places, not listed)"; got[0].Message.Text().EN != want {
		t.Errorf("message %q, want %q", got[0].Message.Text().EN, want)
	}
	if want := "拒否 (ほかに関連する箇所が 100 件あります。一覧にはありません)"; got[0].Message.Text().JA != want {
		t.Errorf("message %q, want %q", got[0].Message.Text().JA, want)
	}
}

// A finding with few related places is left as the check wrote it.
func TestFewRelatedPlacesAreKept(t *testing.T) {
	rs := []Related{related("a.json", 1, "a"), related("b.json", 2, "b"), related("c.json", 3, "c")}
	f := NewFile("/w/p.iam-policy.json", []byte(mergePolicy), nil)
	got := Analyze(f, []*Check{reporting(Finding{Span: Span{1, 2}, Message: SayText(T("m", "m")), Related: rs})})
	if len(got) != 1 || got[0].Message.Text().EN != "m" || !slices.Equal(got[0].Related, rs) {
		t.Fatalf("got %+v", got)
	}
}

// A check that bounds its related places itself counts those it left
// out (NotListed): the message says so once, with the places its
// duplicates left out and those the merge leaves out.
func TestPlacesACheckLeftOutAreCountedOnce(t *testing.T) {
	rs := []Related{related("a.json", 1, "a"), related("b.json", 2, "b"), related("c.json", 3, "c"), related("d.json", 4, "d")}
	f := NewFile("/w/p.iam-policy.json", []byte(mergePolicy), nil)
	alone := Analyze(f, []*Check{reporting(Finding{Span: Span{1, 2}, Message: SayText(T("m", "m")), Related: rs, NotListed: 7})})
	if len(alone) != 1 || alone[0].Message.Text().EN != "m (and 7 other related places, not listed)" || alone[0].NotListed != 0 || !slices.Equal(alone[0].Related, rs) {
		t.Fatalf("got %+v", alone)
	}
	merged := Analyze(f, []*Check{reporting(
		Finding{Span: Span{1, 2}, Message: SayText(T("m", "m")), Related: rs, NotListed: 7},
		Finding{Span: Span{1, 2}, Message: SayText(T("n", "n")), Related: []Related{related("e.json", 5, "e")}, NotListed: 2},
	)})
	if len(merged) != 1 || merged[0].Message.Text().EN != "m (and 10 other related places, not listed)" || merged[0].Message.Text().JA != "m (ほかに関連する箇所が 10 件あります。一覧にはありません)" {
		t.Fatalf("got %+v", merged)
	}
}

// BenchmarkMergeManyDuplicates is the shape of a 5,000-file governed
// folder: one cause for thousands of requests, each with its own grant.
// Merging used to compare every related place with every other.
func BenchmarkMergeManyDuplicates(b *testing.B) {
	span := Span{1, 10}
	var fs []Finding
	for i := range 5000 {
		fs = append(fs, Finding{Code: "c", Span: span, Related: []Related{
			related("../scp/deny.scp.json", 5, "the SCP denies"),
			related(fmt.Sprintf("../b/%d.bucket-policy.json", i), 7, "grant")}})
	}
	for b.Loop() {
		mergeDuplicates(slices.Clone(fs))
	}
}

// analyze collects findings in a slice kept for the next document: the
// findings it returns are their own, exactly as many as reported, and
// the next document's analysis neither changes them nor sees them.
func TestFindingsAreTheirOwnAfterTheNextDocument(t *testing.T) {
	first := Analyze(NewFile("p.iam-policy.json", []byte(fixLaterSrc), nil), []*Check{fixLaterCheck})
	if len(first) != 1 || cap(first) != 1 {
		t.Fatalf("first document: %d findings in a slice of %d, want 1 in 1", len(first), cap(first))
	}
	want := fmt.Sprintf("%+v", first)
	two := `{"Statement": [{"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": "*"}, {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`
	second := Analyze(NewFile("q.iam-policy.json", []byte(two), nil), []*Check{fixLaterCheck})
	if len(second) != 2 || second[0].Span.Start >= second[1].Span.Start {
		t.Errorf("second document: %+v, want its two findings in order", second)
	}
	if got := fmt.Sprintf("%+v", first); got != want {
		t.Errorf("the first document's findings changed with the second's analysis:\n%s\nwant\n%s", got, want)
	}
	if none := Analyze(NewFile("r.iam-policy.json", []byte(`{"Statement": []}`), nil), []*Check{fixLaterCheck}); none != nil {
		t.Errorf("a document without findings: %+v, want nil", none)
	}
}
