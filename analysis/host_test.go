package analysis_test

import (
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/assist"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
)

// heredocHost is a host file in which a policy sits verbatim between two
// markers, as in a Terraform heredoc; the policy text is the host's own.
const heredocHost = "# ポリシー 🚀\npolicy = <<EOF\n" +
	`{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}` +
	"\nEOF\n"

func heredocDoc(t *testing.T) (*analysis.File, analysis.Span) {
	t.Helper()
	start := strings.Index(heredocHost, "{")
	end := strings.LastIndex(heredocHost, "}") + 1
	var b analysis.HostBuilder
	b.Copy(analysis.Span{Start: start, End: end}, heredocHost[start:end], 1)
	whole := analysis.Span{Start: start, End: end}
	doc := analysis.Document{Name: "aws_iam_policy.p", Text: b.Text(), Host: b.Map(whole), Kind: analysis.KindIdentity, KindReason: "aws_iam_policy.p"}
	return analysis.NewDocumentFile("main.tf", doc, nil), whole
}

// A verbatim document maps findings, edits and hovers one for one onto
// the host's bytes, past multi-byte characters before it.
func TestHostMapVerbatim(t *testing.T) {
	f, whole := heredocDoc(t)
	if f.Kind != analysis.KindIdentity || f.KindSource != analysis.FromHost || f.DocName != "aws_iam_policy.p" {
		t.Fatalf("kind %q from %q, name %q", f.Kind, f.KindSource, f.DocName)
	}
	a := analysis.AnalyzeFile("main.tf", []*analysis.File{f}, nil, analysis.Options{Checks: checks.All})
	var mv *analysis.Finding
	for i := range a.Findings {
		if a.Findings[i].Code == "missing-version" {
			mv = &a.Findings[i]
		}
	}
	if mv == nil {
		t.Fatalf("no missing-version finding: %+v", a.Findings)
	}
	if got := heredocHost[mv.Span.Start:mv.Span.End]; !strings.HasPrefix(got, "{") || mv.Span.Start != whole.Start {
		t.Errorf("missing-version at %v %q, want the document's opening brace at %d", mv.Span, got, whole.Start)
	}
	if len(mv.Fixes) == 0 {
		t.Fatal("the fix that adds Version was dropped, though the heredoc can take it")
	}
	fixed := string(analysis.ApplyEdits([]byte(heredocHost), mv.Fixes[0].Edits))
	if !strings.Contains(fixed, `"Version": "2012-10-17"`) || !strings.HasPrefix(fixed, "# ポリシー 🚀\npolicy = <<EOF\n{") || !strings.HasSuffix(fixed, "}\nEOF\n") {
		t.Errorf("fixed host:\n%s", fixed)
	}
	action := strings.Index(heredocHost, `"s3:GetObject"`) + 2
	text, span, ok := a.Hover(action, assist.Hovers)
	if !ok || !strings.Contains(text.EN, "GetObject") || heredocHost[span.Start:span.End] != `"s3:GetObject"` {
		t.Errorf("hover on the action: %v %q over %q", ok, text.EN, heredocHost[span.Start:span.End])
	}
	if _, d, at := a.DocAt(action); d != f || string(f.Src[at:at+3]) != "3:G" {
		t.Errorf("DocAt(%d) = %v at %d", action, d, at)
	}
	if _, d, _ := a.DocAt(3); d != nil {
		t.Error("an offset in the comment before the heredoc is in no document")
	}
}

// A translated document (the host writes it in its own syntax) places a
// finding on the host element it came from, and offers no fix that
// would have to write JSON into that syntax.
func TestHostMapTranslated(t *testing.T) {
	host := `statement { actions = ["s3:GetObject"] resources = ["*"] }`
	actions := strings.Index(host, `["s3:GetObject"]`)
	element := analysis.Span{Start: actions, End: actions + len(`["s3:GetObject"]`)}
	item := strings.Index(host, `"s3:GetObject"`)
	var b analysis.HostBuilder
	b.Wrap(analysis.Span{Start: 0, End: len(host)}, func() {
		b.Write(`{"Statement": [{"Effect": "Allow", "Action": `)
		b.Wrap(element, func() {
			b.Write("[")
			b.Copy(analysis.Span{Start: item, End: item + len(`"s3:GetObject"`)}, `"s3:GetObject"`, 0)
			b.Write("]")
		})
		b.Write(`, "Resource": "*"}]}`)
	})
	doc := analysis.Document{Name: "data.aws_iam_policy_document.p", Text: b.Text(), Host: b.Map(analysis.Span{Start: 0, End: len(host)}), Kind: analysis.KindIdentity}
	f := analysis.NewDocumentFile("main.tf", doc, nil)
	m := f.Host
	get := f.Policy.Statements[0].Action
	if got := m.Span(get.Value.Span); got != element {
		t.Errorf("Action value maps to %v %q, want the HCL list %v", got, host[got.Start:got.End], element)
	}
	if got := m.Span(get.Value.Items[0].InnerSpan()); host[got.Start:got.End] != "s3:GetObject" {
		t.Errorf("the action string maps to %q", host[got.Start:got.End])
	}
	if got := m.Span(get.KeySpan); got != element {
		t.Errorf("the Action key, written by the reader, maps to %v %q: want the HCL list that follows it", got, host[got.Start:got.End])
	}
	if got := m.Span(analysis.Span{Start: 0, End: 1}); host[got.Start:got.End] != `["s3:GetObject"]` {
		t.Errorf("the document's opening brace maps to %q: want the first element written", host[got.Start:got.End])
	}
	if _, ok := m.Edits([]analysis.Edit{{Span: get.Value.Span, NewText: `["s3:*"]`}}); ok {
		t.Error("an edit of translated text was mapped; it would write JSON into HCL")
	}
	if at, ok := m.DocOffset(item + 2); !ok || string(f.Src[at:at+2]) != "3:" {
		t.Errorf("DocOffset inside the action = %d, %v", at, ok)
	}
}

// A host that writes the document escaped (AWS CLI output holds the
// policy as a JSON string) encodes the new text of each edit.
func TestHostMapEncode(t *testing.T) {
	host := `{"Policy": "{\"Statement\": []}"}`
	open := strings.Index(host, `{\"`)
	var b analysis.HostBuilder
	b.Copy(analysis.Span{Start: open, End: open + 1}, "{", 1)
	b.Write(`"`)
	b.Copy(analysis.Span{Start: open + 3, End: open + 12}, "Statement", 1)
	b.Write(`"`)
	m := b.Map(analysis.Span{Start: open, End: len(host) - 2})
	m.Encode = func(_ int, s string) (string, bool) { return strings.ReplaceAll(s, `"`, `\"`), true }
	edits, ok := m.Edits([]analysis.Edit{{Span: analysis.Span{Start: 1, End: 1}, NewText: `"Version": "2012-10-17", `}})
	if !ok {
		t.Fatal("edit refused")
	}
	got := string(analysis.ApplyEdits([]byte(host), edits))
	if want := `{"Policy": "{\"Version\": \"2012-10-17\", \"Statement\": []}"}`; got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
}

// Hover on Statement says the kind came from the document's use in its
// host, and which use.
func TestKindHoverNamesTheHostUse(t *testing.T) {
	f, _ := heredocDoc(t)
	at := strings.Index(string(f.Src), `"Statement"`) + 1
	text, _, ok := analysis.KindHover(f, at)
	if want := "from its use: `aws_iam_policy.p`"; !ok || !strings.Contains(text.EN, want) || !strings.Contains(text.JA, "aws_iam_policy.p") {
		t.Errorf("hover %q, want it to contain %q", text.EN, want)
	}
}

// A fix of a document that lies in a host file is offered with its
// edits in the host's bytes.
func TestHostMapsAFixIntoItsBytes(t *testing.T) {
	f, whole := heredocDoc(t)
	fix := analysis.Fix{Title: analysis.T("t", "t"), Edits: []analysis.Edit{{Span: analysis.Span{Start: 1, End: 1}, NewText: `"Version": "2012-10-17", `}}}
	got := analysis.ToHost(f, []analysis.Finding{{Code: "c", Span: analysis.Span{Start: 0, End: 1}, Fixes: []analysis.Fix{fix}}})
	if len(got) != 1 || len(got[0].Fixes) != 1 {
		t.Fatalf("findings %+v", got)
	}
	want := []analysis.Edit{{Span: analysis.Span{Start: whole.Start + 1, End: whole.Start + 1}, NewText: `"Version": "2012-10-17", `}}
	if edits := got[0].Fixes[0].Edits; len(edits) != 1 || edits[0] != want[0] {
		t.Errorf("edits %+v, want %+v", edits, want)
	}
}

// duplicate-sid's related place ("first use of this Sid") in a document
// that lies in a host file is mapped onto the host's bytes, as the
// finding is: the check names no document in it, and it was printed at
// the document's own offset read as the host's (main.tf:3:5 for a Sid at
// 5:49, the review's counter-example).
func TestASingleFileRelatedPlaceMapsIntoTheHost(t *testing.T) {
	policy := `{"Version": "2012-10-17", "Statement": [{"Sid": "Dup", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}, {"Sid": "Dup", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}]}`
	host := "# ポリシー 🚀\nresource \"aws_iam_policy\" \"p\" {\n  policy = <<EOF\n" + policy + "\nEOF\n}\n"
	start := strings.Index(host, "{\"Version\"")
	whole := analysis.Span{Start: start, End: start + len(policy)}
	var b analysis.HostBuilder
	b.Copy(whole, policy, 1)
	f := analysis.NewDocumentFile("main.tf", analysis.Document{Name: "aws_iam_policy.p", Text: b.Text(), Host: b.Map(whole), Kind: analysis.KindIdentity, KindReason: "aws_iam_policy.p"}, nil)
	var dup *analysis.Finding
	for _, fd := range analysis.ToHost(f, analysis.Analyze(f, checks.All)) {
		if fd.Code == "duplicate-sid" {
			dup = &fd
		}
	}
	if dup == nil || len(dup.Related) != 1 {
		t.Fatalf("duplicate-sid finding %+v, want one with one related place", dup)
	}
	first := strings.Index(host, `"Dup"`)
	second := strings.LastIndex(host, `"Dup"`)
	if got := dup.Span; got != (analysis.Span{Start: second, End: second + len(`"Dup"`)}) {
		t.Errorf("the finding at %v (%q), want the second Sid at %d", got, host[got.Start:got.End], second)
	}
	if got := dup.Related[0].Span; got != (analysis.Span{Start: first, End: first + len(`"Dup"`)}) {
		t.Errorf("its related place at %v, want the first Sid at %d", got, first)
	}
}
