package checks

import (
	"path/filepath"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// The cause checks also run across the workspace (RunWorkspace): for an
// identity policy whose principal .s3policy.json names, the workspace
// evaluates every request a bucket policy of another account grants that
// principal, and each cause that blocks one is reported in the identity
// policy under the code of the check the cause names, with Related
// entries at the blocking element in the other file and at the bucket
// policy's grant.

// missingBucketCode is the cause that lies in the identity policy itself.
const missingBucketCode = analysis.CodeMissingResourceARN

const requesterPaysCode = analysis.CodeRequesterPays

// reportWorkspaceCauses is the RunWorkspace of the cause checks.
func reportWorkspaceCauses(pass *analysis.Pass) {
	if pass.Workspace == nil || pass.Kind != analysis.KindIdentity || pass.Facts == nil || pass.Facts.Principal == "" || pass.Policy.Statement == nil {
		return
	}
	for _, b := range pass.Workspace.Blocked(pass.Facts.Principal) {
		for _, c := range b.Causes {
			if c.Code == pass.Check.Code {
				reportCause(pass, b, c)
			}
		}
	}
}

// reportCause reports one cause in the identity policy: at the action
// that grants the request on this side, else at Statement. A cause in
// this very file is the single-file check's to report, except the bucket
// this policy lacks, which only the workspace shows; at Statement, it
// merges with the single-file finding when there is one.
func reportCause(pass *analysis.Pass, b analysis.BlockedRequest, c analysis.Cause) {
	inThisFile := c.Located && c.Place.Path == pass.Path && c.Place.Doc == pass.DocName
	if inThisFile && c.Code != missingBucketCode {
		return
	}
	span := pass.Policy.Statement.KeySpan
	if !inThisFile {
		span = grantingAction(pass.Policy, b.Action, span)
	}
	related := []analysis.Related{{
		File: relTo(pass.Path, b.Grant.Path), Doc: b.Grant.Doc, Span: b.Grant.Span,
		Message: analysis.Tf("the bucket policy grants %s on %s to %s here", "バケットポリシーはここで %[3]s に %[2]s への %[1]s を許可しています",
			b.Action, b.Resource, b.GrantedTo),
	}}
	if c.Located && !inThisFile {
		related = append([]analysis.Related{{File: relTo(pass.Path, c.Place.Path), Doc: c.Place.Doc, Span: c.Place.Span, Message: c.Message}}, related...)
	}
	lead := analysis.Tf("%s on %s, which %s grants, is denied: ", "%[3]s が許可している %[2]s への %[1]s は拒否されます: ",
		b.Action, b.Resource, filepath.Base(b.Grant.Path))
	var severity analysis.Severity
	if c.Code == requesterPaysCode {
		// Information: the request gets through once it accepts the charges.
		lead = analysis.Tf("%s on %s, which %s grants, needs x-amz-request-payer: requester: ", "%[3]s が許可している %[2]s への %[1]s には x-amz-request-payer: requester が必要です: ",
			b.Action, b.Resource, filepath.Base(b.Grant.Path))
	}
	if b.Conditional {
		// Denied only for some values of keys the tool cannot know: the
		// cause says when, and it is no certain fault.
		lead = analysis.Tf("%s on %s, which %s grants, is denied in some cases: ", "%[3]s が許可している %[2]s への %[1]s は場合によって拒否されます: ",
			b.Action, b.Resource, filepath.Base(b.Grant.Path))
		severity = analysis.Warning
	}
	pass.Report(analysis.Finding{
		Span:     span,
		Severity: severity,
		Message:  analysis.Join("", lead, c.Message),
		Related:  related,
	})
}

// grantingAction is the Action entry of an Allow statement that allows
// the action, or dflt when none does.
func grantingAction(p *analysis.Policy, action string, dflt analysis.Span) analysis.Span {
	for _, st := range p.Statements {
		if !st.IsAllow() {
			continue
		}
		for _, a := range st.Actions() {
			if analysis.MatchAction(a.Str, action) {
				return a.Span
			}
		}
	}
	return dflt
}

// relTo names other as Related.File does: relative to from's folder.
func relTo(from, other string) string {
	rel, err := filepath.Rel(filepath.Dir(from), other)
	if err != nil {
		return filepath.ToSlash(other)
	}
	return filepath.ToSlash(rel)
}
