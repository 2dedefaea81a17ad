package assist_test

import (
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/assist"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
)

// completeAt completes at the position of the empty «» marker in a
// document that need not parse.
func completeAt(t *testing.T, marked string) (string, []analysis.CompletionItem) {
	t.Helper()
	src, spans := checktest.Unmark(marked)
	f := analysis.NewFile("a.iam-policy.json", []byte(src), nil)
	return src, assist.IAMCompleter(f, spans[0].Start)
}

func find(items []analysis.CompletionItem, label string) *analysis.CompletionItem {
	i := slices.IndexFunc(items, func(it analysis.CompletionItem) bool { return it.Label == label })
	if i < 0 {
		return nil
	}
	return &items[i]
}

func labels(items []analysis.CompletionItem) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Label
	}
	return out
}

func TestCompleteHalfTypedAction(t *testing.T) {
	src, items := completeAt(t, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:Get«»`)
	it := find(items, "s3:GetObject")
	if it == nil {
		t.Fatalf("no s3:GetObject among %d items", len(items))
	}
	if it.Detail != "Read" || it.Doc.EN != "Grants permission to retrieve objects from Amazon S3" || it.Kind != analysis.CompleteAction {
		t.Errorf("item: %+v", *it)
	}
	if got := src[:it.Replace.Start] + it.NewText + src[it.Replace.End:]; got != `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject` {
		t.Errorf("applied: %s", got)
	}
}

func TestCompleteServicePrefix(t *testing.T) {
	_, items := completeAt(t, `{"Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "km«»"]}]}`)
	it := find(items, "kms")
	if it == nil || it.NewText != "kms:" || it.Detail != "AWS Key Management Service" {
		t.Fatalf("kms item: %+v", it)
	}
}

func TestCompleteConditionOperator(t *testing.T) {
	src, items := completeAt(t, `{"Statement": [{"Effect": "Allow", "Action": "s3:ListBucket", "Condition": {«»`)
	it := find(items, "ForAnyValue:StringLikeIfExists")
	if it == nil || find(items, "StringEquals") == nil || find(items, "NullIfExists") != nil {
		t.Fatalf("operators: %v", labels(items)[:5])
	}
	if it.NewText != `"ForAnyValue:StringLikeIfExists"` || it.Replace.Start != len(src) {
		t.Errorf("item: %+v", *it)
	}
}

func TestCompleteConditionKeys(t *testing.T) {
	_, items := completeAt(t, `{"Statement": [
  {"Effect": "Allow", "Action": "kms:Decrypt", "Condition": {"StringEquals": {"x": "y"}}},
  {"Effect": "Allow", "Action": ["s3:ListBucket"], "Condition": {"StringLike": {"«»"}}}`)
	if find(items, "s3:prefix") == nil || find(items, "aws:SourceVpce") == nil {
		t.Fatalf("keys: %v", labels(items))
	}
	if it := find(items, "aws:PrincipalTag/${TagKey}"); it == nil || !it.Snippet || it.NewText != "aws:PrincipalTag/${1:TagKey}" {
		t.Errorf("template key: %+v", it)
	}
	if find(items, "kms:ViaService") != nil || find(items, "s3:x-amz-acl") != nil {
		t.Errorf("keys of other statements or actions offered: %v", labels(items))
	}
}

func TestCompleteStatementElements(t *testing.T) {
	_, items := completeAt(t, `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "«»`)
	if got := labels(items); !slices.Equal(got, []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}) {
		t.Errorf("elements: %v", got)
	}
	_, items = completeAt(t, `{«»`)
	if got := labels(items); !slices.Equal(got, []string{"Version", "Id", "Statement"}) {
		t.Errorf("top level: %v", got)
	}
}

func TestCompleteEffectAndSnippet(t *testing.T) {
	_, items := completeAt(t, `{"Statement": [{"Effect": "A«»"}]}`)
	if got := labels(items); !slices.Equal(got, []string{"Allow", "Deny"}) {
		t.Errorf("effect: %v", got)
	}
	_, items = completeAt(t, `{"Statement": [{"Effect": "Allow"}, «»]}`)
	if len(items) != 1 || !items[0].Snippet || items[0].Kind != analysis.CompleteSnippet {
		t.Errorf("snippet: %+v", items)
	}
}

// TestCompleteEveryPrefix completes at every offset of every prefix of a
// half-typed document (none may panic), and checks the last one.
func TestCompleteEveryPrefix(t *testing.T) {
	src := `{"Statement": [{"Effect": "Allow", "Action": ["s3:Get\"x", "s3:GetObject"], "Condition": {"Bool": {"aws:Sec`
	var last []analysis.CompletionItem
	for i := 0; i <= len(src); i++ {
		f := analysis.NewFile("a.iam-policy.json", []byte(src[:i]), nil)
		for j := 0; j <= i; j++ {
			last = assist.IAMCompleter(f, j)
		}
	}
	if it := find(last, "aws:SecureTransport"); it == nil || it.Detail != "Bool" || it.NewText != "aws:SecureTransport" {
		t.Errorf("aws:SecureTransport: %+v", it)
	}
}

// TestEveryServiceCompletesAndHovers completes the actions of every
// service in the data and hovers on its first action.
func TestEveryServiceCompletesAndHovers(t *testing.T) {
	for _, p := range iamdata.Prefixes() {
		svc := iamdata.Lookup(p)
		_, items := completeAt(t, `{"Statement": [{"Effect": "Allow", "Action": "`+p+`:«»`)
		if len(items) != len(svc.Actions)+1 {
			t.Errorf("%s: %d completions, want %d actions and %s:*", p, len(items), len(svc.Actions), p)
		}
		if len(svc.Actions) == 0 {
			continue
		}
		hoverAt(t, `{"Statement": [{"Effect": "Allow", "Action": «"`+p+`:`+svc.Actions[0].Name()+`"»}]}`)
	}
}
