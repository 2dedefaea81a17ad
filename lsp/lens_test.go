package lsp

import (
	"testing"
	"unicode/utf8"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// A lens title names the principal, the action and the first layer that
// stops the request, in the user's language, within 60 characters so
// that two fit on a line.
func TestLensTitle(t *testing.T) {
	long := "arn:aws:iam::111122223333:role/service-role/a-role-name-that-goes-on-and-on-and-on"
	cases := []struct {
		r      eval.Result
		req    eval.Request
		locale string
		want   string
	}{
		{eval.Result{Decision: eval.Allowed}, eval.Request{Principal: "arn:aws:iam::111122223333:user/jane", Action: "s3:GetObject"}, "en", "jane: GetObject ✓"},
		{eval.Result{Decision: eval.ImplicitlyDenied, BlockedBy: []eval.Layer{eval.LayerKMS, eval.LayerSCP}}, eval.Request{Principal: "arn:aws:iam::111122223333:root", Action: "s3:PutObject"}, "en", "111122223333: PutObject ✗ KMS"},
		{eval.Result{Decision: eval.ExplicitlyDenied, BlockedBy: []eval.Layer{eval.LayerResource}}, eval.Request{Principal: long, Action: "kms:Decrypt"}, "ja", "a-role-name-that-goes-o…: kms:Decrypt ✗ バケットポリシー"},
		{eval.Result{Decision: eval.AllowedIf}, eval.Request{Principal: "arn:aws:iam::111122223333:user/jane", Action: "s3:GetObject"}, "en", "jane: GetObject ✓ if conditions hold"},
	}
	for _, c := range cases {
		got := lensTitle(c.r, c.req, c.locale)
		if got != c.want {
			t.Errorf("lensTitle(%s %s) = %q, want %q", c.req.Principal, c.r.Decision, got, c.want)
		}
		if n := utf8.RuneCountInString(got); n > 60 {
			t.Errorf("%q is %d characters", got, n)
		}
	}
}
