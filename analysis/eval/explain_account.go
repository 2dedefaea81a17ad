package eval

import (
	"slices"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// CodeBucketAccountUnknown is the cause that says the decision depends on
// the bucket's account, which nobody gives (Explain).
const CodeBucketAccountUnknown = "bucket-account-unknown"

// BucketAccountKnown reports whether the scenario says which account owns
// the request's bucket: the request's ResourceAccount, or the bucket's
// facts (.s3policy.json, a Terraform or CloudFormation bucket, an import,
// the scenario's "bucket").
func (s *Scenario) BucketAccountKnown() bool {
	return s.Request.ResourceAccount != "" || s.Bucket != nil && s.Bucket.Account != ""
}

// Explain decides the scenario's request for explain. Evaluate takes a
// bucket whose account nobody gives to be the caller's; Explain decides the
// request in another account too, where both the caller's policies and the
// bucket's must allow. When both decisions agree it answers as Evaluate
// does; otherwise the answer is AllowedIf when one allows (Denied when
// neither does, ImplicitlyDenied when only one of them is explicit), and
// its first cause (CodeBucketAccountUnknown) says the decision of each
// case and how to give the account; the causes of the denied case follow.
func Explain(s *Scenario) Result { return s.explain(nil, false) }

// Explain gathers the request's scenario (Scenario) and decides it as
// Explain does. (When the bucket's facts do not give its account, the
// account its bucket policy belongs to does: gather puts it in the
// scenario's request.) In an account nobody gives, the RCPs are those of
// every account.
func (w *Workspace) Explain(req Request) (*Scenario, Result) {
	s := w.Scenario(req)
	if s.BucketAccountKnown() || parsePrincipal(req.Principal).account == "" {
		return s, Evaluate(s)
	}
	c := w.cache()
	c.mu.Lock()
	rcps := c.rcpsOf(w, "")
	c.mu.Unlock()
	return s, s.explain(rcps, true)
}

// explain is Explain, with the RCPs of a bucket in another account when
// setRCPs (else the scenario's).
func (s *Scenario) explain(rcps [][]*Doc, setRCPs bool) Result {
	same := s.decideUnknowns()
	p := parsePrincipal(s.Request.Principal)
	if s.BucketAccountKnown() || p.account == "" {
		return same
	}
	// The second evaluation writes in the same rooms.
	same.Causes, same.BlockedBy = slices.Clone(same.Causes), slices.Clone(same.BlockedBy)
	kept := s.RCPs
	s.elsewhere = true
	if setRCPs {
		s.RCPs = rcps
	}
	other := s.decideUnknowns()
	s.elsewhere, s.RCPs = false, kept
	if other.Decision == same.Decision {
		return same
	}
	other.Causes, other.BlockedBy = slices.Clone(other.Causes), slices.Clone(other.BlockedBy)
	return bothAccounts(s, p.account, &same, &other)
}

// bothAccounts is the answer when the bucket's account decides: the
// decision that holds in both cases, the cause that says each, then the
// causes of the case that is denied (of both, each once, when both are).
func bothAccounts(s *Scenario, caller string, same, other *Result) Result {
	allows := func(r *Result) bool { return r.Decision == Allowed || r.Decision == AllowedIf }
	out := Result{Decision: ImplicitlyDenied, about: same.about}
	if allows(same) || allows(other) {
		out.Decision = AllowedIf
	}
	policy := ""
	if s.ResourcePolicy != nil {
		policy = s.ResourcePolicy.Name
	}
	out.Causes = append(out.Causes, Cause{Code: CodeBucketAccountUnknown, Layer: LayerResource, Policy: policy, Statement: -1,
		Message: accountUnknownMessage(analysis.BucketOfARN(s.Request.Resource), caller, same, other)})
	for _, r := range []*Result{other, same} {
		for i := range r.Causes {
			if c := &r.Causes[i]; !slices.ContainsFunc(out.Causes, func(o Cause) bool { return sameCause(&out, &o, r, c) }) {
				out.add(*c)
			}
		}
	}
	return out
}

// sameCause reports whether cause a of result ra says what cause b of rb
// does, at the same place.
func sameCause(ra *Result, a *Cause, rb *Result, b *Cause) bool {
	return a.Code == b.Code && a.Layer == b.Layer && a.Policy == b.Policy && a.Statement == b.Statement &&
		a.Explicit == b.Explicit && ra.Say(a) == rb.Say(b)
}

// accountUnknownMessage says that nobody gives the bucket's account, the
// decision in the caller's account and in another, and how to give it.
func accountUnknownMessage(bucket, caller string, same, other *Result) analysis.Text {
	return analysis.Tf(
		"nobody says which account owns bucket %s: in %s, the caller's account, the request is %s; in another account, %s. Give the bucket's account to decide (--resource-account, \"resourceAccount\" in the request, or \"account\" under the bucket in .s3policy.json)",
		"バケット %s を所有するアカウントが指定されていません。呼び出し元と同じ %s ならリクエストは %s、別のアカウントなら %s です。判定するにはバケットのアカウントを指定してください (--resource-account、リクエストの \"resourceAccount\"、または .s3policy.json のバケットの \"account\")",
		bucket, caller, decisionWords(same), decisionWords(other))
}

// decisionWords is a decision as explain's text prints it: with the
// layers that block it.
func decisionWords(r *Result) string {
	out := string(r.Decision)
	for i, l := range r.BlockedBy {
		if i == 0 {
			out += " (blocked by "
		} else {
			out += ", "
		}
		out += string(l)
	}
	if len(r.BlockedBy) > 0 {
		out += ")"
	}
	return out
}
