package checks

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// The cause checks also run across the workspace (RunWorkspace). For
// every principal .s3policy.json names, the workspace evaluates every
// request a bucket policy of another account grants it, and each cause
// that blocks one is reported twice under the code of the check the cause
// names: on the file that must change, at the blocking element, with the
// fix there (causeHere); and, shorter, on the principal's identity policy,
// which links to it through its related places (reportCause).

// missingBucketCode is the cause that lies in the identity policy itself.
const missingBucketCode = analysis.CodeMissingResourceARN

const requesterPaysCode = analysis.CodeRequesterPays

// reportWorkspaceCauses is the RunWorkspace of the cause checks.
func reportWorkspaceCauses(pass *analysis.Pass) {
	if pass.Workspace == nil || pass.Policy == nil || pass.Policy.Statement == nil {
		return
	}
	if pass.Kind == analysis.KindIdentity {
		if pass.Facts != nil && pass.Facts.Principal != "" {
			for _, b := range pass.Workspace.Blocked(pass.Facts.Principal) {
				for _, c := range b.Causes {
					if reportedCode(pass.Workspace, c) == pass.Check.Code {
						reportCause(pass, b, c)
					}
				}
			}
		}
		return
	}
	reportCausesHere(pass)
}

// reportCause reports one cause in the identity policy: at the action
// that grants the request on this side, else at Statement. A cause in
// this very file is the single-file check's to report, except the bucket
// this policy lacks, which only the workspace shows; at Statement, it
// merges with the single-file finding when there is one. The message
// leads with the file that blocks; the cause's own words are its first
// related place, at the element that decides it.
func reportCause(pass *analysis.Pass, b analysis.BlockedRequest, c analysis.Cause) {
	inThisFile := c.Located && c.Place.Path == pass.Path && c.Place.Doc == pass.DocName
	if inThisFile && c.Code != missingBucketCode {
		return
	}
	span := pass.Policy.Statement.KeySpan
	if !inThisFile {
		span = grantingAction(pass.Policy, b.Action, span)
	}
	related := []analysis.Related{grantRelated(pass.Path, b)}
	if c.Located && !inThisFile {
		related = append([]analysis.Related{{File: relTo(pass.Path, c.Place.Path), Doc: c.Place.Doc, Span: c.Place.Span, Message: c.Message}}, related...)
	}
	var severity analysis.Severity
	if b.Conditional {
		// Denied only for some values of keys the tool cannot know: the
		// cause says when, and it is no certain fault.
		severity = analysis.Warning
	}
	pass.Report(analysis.Finding{
		Span:     span,
		Severity: severity,
		Message:  blockedMessage(b, c, inThisFile),
		Explain:  analysis.Join("\n\n", c.Message, pass.Check.Explain),
		Related:  related,
	})
}

// blockedMessage is the identity side's message: what blocks the request
// and where, in one short sentence, the cause's words after it when no
// file holds the cause.
func blockedMessage(b analysis.BlockedRequest, c analysis.Cause, inThisFile bool) analysis.Text {
	what := shortResource(b.Resource)
	switch {
	case c.Code == requesterPaysCode:
		// Information: the request gets through once it accepts the charges.
		return analysis.Tf("%s on %s needs x-amz-request-payer: requester (a Requester Pays bucket)", "%[2]s への %[1]s には x-amz-request-payer: requester が必要です (リクエスタ支払いバケット)",
			b.Action, what)
	case c.Located && !inThisFile && b.Conditional:
		return analysis.Tf("%s may deny %s on %s, granted by the bucket policy", "%[1]s は、バケットポリシーが許可している %[3]s への %[2]s を拒否する場合があります",
			filepath.Base(c.Place.Path), b.Action, what)
	case c.Located && !inThisFile:
		return analysis.Tf("%s blocks %s on %s, granted by the bucket policy", "%[1]s が、バケットポリシーが許可している %[3]s への %[2]s を妨げています",
			filepath.Base(c.Place.Path), b.Action, what)
	}
	return analysis.Join(". ", analysis.Tf("%s on %s, which the bucket policy grants, is denied", "バケットポリシーが許可している %[2]s への %[1]s は拒否されます",
		b.Action, what), c.Message)
}

// shortResource is an S3 ARN without its "arn:aws:s3:::" prefix.
func shortResource(arn string) string {
	if a, ok := analysis.ParseARN(arn); ok && a.IsS3() {
		return a.Resource
	}
	return arn
}

// grantRelated points from the file at path to the bucket policy's grant
// of the request.
func grantRelated(path string, b analysis.BlockedRequest) analysis.Related {
	return analysis.Related{
		File: relTo(path, b.Grant.Path), Doc: b.Grant.Doc, Span: b.Grant.Span,
		Message: analysis.Tf("the bucket policy grants %s on %s to %s here", "バケットポリシーはここで %[3]s に %[2]s への %[1]s を許可しています",
			b.Action, b.Resource, b.GrantedTo),
	}
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

// blockedHere is what one principal's blocked requests say of one element
// of the file under analysis: the requests it blocks and their causes.
type blockedHere struct {
	principal string
	identity  *analysis.File // the principal's identity policy, if the workspace has it
	place     analysis.Span
	requests  []analysis.BlockedRequest
	causes    []analysis.Cause // one for each request
}

// reportCausesHere reports, on a policy that is not an identity policy,
// each element that blocks requests of a principal of the workspace:
// one finding per principal and element, which says whose requests it
// blocks, with the fix in this file when the check has one.
func reportCausesHere(pass *analysis.Pass) {
	if kinds, ok := causeKinds[pass.Check.Code]; ok && !pass.Kind.In(kinds...) {
		return // no cause of this code lies in a policy of this kind
	}
	for _, h := range causesHere(pass) {
		reportBlockedHere(pass, h)
	}
}

// causeKinds are the kinds of policy that can hold a cause of each code,
// by the engine's layers (eval.causeCode): an SCP's, an endpoint's and a
// session policy's causes have their own codes, an explicit Deny
// elsewhere is deny-blocks-access, KMS's other causes are
// kms-missing-actions, and a boundary's are boundary-blocks. A code not
// listed is looked for in every kind.
var causeKinds = map[string][]analysis.Kind{
	analysis.CodeSCPDeniesS3: {analysis.KindSCP},
	"endpoint-policy-blocks": {analysis.KindEndpoint},
	"session-policy-blocks":  {analysis.KindSession},
	"kms-missing-actions":    {analysis.KindKey},
	boundaryBlocksCode:       {analysis.KindBoundary},
	missingBucketCode:        {analysis.KindIdentity},
	analysis.CodeDenyBlocksAccess: {analysis.KindBucket, analysis.KindRCP, analysis.KindBoundary, analysis.KindKey,
		analysis.KindEndpoint, analysis.KindResource},
}

// causesHere gathers, principal by principal, the causes of the check's
// code that the workspace places in this document.
func causesHere(pass *analysis.Pass) []*blockedHere {
	var out []*blockedHere
	for _, id := range identityPolicies(pass.Workspace) {
		p := id.Facts.Principal
		byPlace := map[analysis.Span]*blockedHere{}
		for _, b := range pass.Workspace.Blocked(p) {
			for _, c := range b.Causes {
				if reportedCode(pass.Workspace, c) != pass.Check.Code || !c.Located || c.Place.Path != pass.Path || c.Place.Doc != pass.DocName {
					continue
				}
				h := byPlace[c.Place.Span]
				if h == nil {
					h = &blockedHere{principal: p, identity: id, place: c.Place.Span}
					byPlace[c.Place.Span] = h
					out = append(out, h)
				}
				h.requests = append(h.requests, b)
				h.causes = append(h.causes, c)
			}
		}
	}
	return out
}

// identityPolicies are the identity policies of the workspace that
// .s3policy.json gives a principal, the first of each principal, in the
// workspace's order (findings are sorted by place afterwards).
func identityPolicies(w analysis.Workspace) []*analysis.File {
	seen := map[string]bool{}
	var out []*analysis.File
	for _, f := range w.PolicyFiles() {
		if f.Kind != analysis.KindIdentity || f.Facts == nil || f.Facts.Principal == "" || seen[f.Facts.Principal] {
			continue
		}
		seen[f.Facts.Principal] = true
		out = append(out, f)
	}
	return out
}

// reportBlockedHere reports one element that blocks a principal's
// requests. Its related places are the principal's policy, where it asks
// for each request, and the bucket policy's grants.
func reportBlockedHere(pass *analysis.Pass, h *blockedHere) {
	var actions []string
	conditional := true
	for _, b := range h.requests {
		if !slices.Contains(actions, b.Action) {
			actions = append(actions, b.Action)
		}
		conditional = conditional && b.Conditional
	}
	var related []analysis.Related
	for _, b := range h.requests {
		if h.identity != nil && h.identity.Policy != nil && h.identity.Policy.Statement != nil {
			related = append(related, analysis.Related{
				File: relTo(pass.Path, h.identity.Path), Doc: h.identity.DocName,
				Span:    grantingAction(h.identity.Policy, b.Action, h.identity.Policy.Statement.KeySpan),
				Message: analysis.Tf("%s asks for %s on %s here", "%[1]s はここで %[3]s への %[2]s を求めています", shortName(h.principal), b.Action, b.Resource),
			})
		}
		related = append(related, grantRelated(pass.Path, b))
	}
	kind, what, who, list := pass.Kind.Describe(), shortResource(h.requests[0].Resource), shortName(h.principal), actionList(actions)
	// The kind's name is a Text of its own: each language takes its own.
	message := analysis.Text{
		EN: fmt.Sprintf("this %s blocks %s of %s on %s", kind.EN, list.EN, who, what),
		JA: fmt.Sprintf("%sは %s の %s への %s を妨げています", pass.Kind.ThisJA(), who, what, list.JA),
	}
	var severity analysis.Severity
	if conditional {
		severity = analysis.Warning
		message = analysis.Text{
			EN: fmt.Sprintf("this %s may deny %s of %s on %s", kind.EN, list.EN, who, what),
			JA: fmt.Sprintf("%sは %s の %s への %s を拒否する場合があります", pass.Kind.ThisJA(), who, what, list.JA),
		}
	}
	details := make([]analysis.Text, 0, len(h.causes)+1)
	for _, c := range h.causes {
		details = append(details, c.Message)
	}
	related = uniqueRelated(related)
	span, fixes := h.place, fixesHere(pass, h)
	if st := denyAt(pass.Policy, h.place); st != nil && st.Action != nil && pass.Check.Code == analysis.CodeSCPDeniesS3 {
		// The SCP's own finding is at the Effect and says what the Deny
		// does to everyone; this one, with the fix that exempts the
		// principal, is at what it takes from the principal.
		span = st.Action.Value.Span
	}
	if bucket, _, ok := s3BucketOf(h.requests[0].Resource); ok && pass.Check.Code == "endpoint-policy-blocks" && slices.Contains(uncoveredBuckets(pass), bucket) {
		// The endpoint policy's own finding (no Allow covers the bucket)
		// says it at Statement, with the fix that allows what is granted:
		// this one joins it there, adding whose requests it blocks.
		span, fixes = pass.Policy.Statement.KeySpan, nil
	}
	pass.Report(analysis.Finding{
		Span:     span,
		Severity: severity,
		Message:  message,
		Explain:  analysis.Join("\n\n", append(details, pass.Check.Explain)...),
		Related:  related,
		Fixes:    fixes,
	})
}

// fixesHere are the fixes in this file for what it blocks, by the code
// of the check.
func fixesHere(pass *analysis.Pass, h *blockedHere) []analysis.Fix {
	switch pass.Check.Code {
	case "kms-missing-actions":
		return keyPolicyFixes(pass, h)
	case analysis.CodeSCPDeniesS3:
		return exemptPrincipalFixes(pass, h)
	case analysis.CodeDenyBlocksAccess:
		if pass.Kind == analysis.KindRCP {
			return exemptPrincipalFixes(pass, h)
		}
	case "session-policy-blocks", boundaryBlocksCode, "endpoint-policy-blocks":
		return allowRequestsFixes(pass, h)
	}
	return nil
}

// shortName is what a principal ARN names: the user or role name, or the
// account for an account's root.
func shortName(arn string) string {
	a, ok := analysis.ParseARN(arn)
	if !ok {
		return arn
	}
	if a.Resource == "root" || a.Resource == "" {
		return a.Account
	}
	return a.Resource[strings.LastIndex(a.Resource, "/")+1:]
}

// actionList names the actions, the first two and then a count.
func actionList(actions []string) analysis.Text {
	switch len(actions) {
	case 1:
		return analysis.T(actions[0], actions[0])
	case 2:
		return analysis.Tf("%s and %s", "%s と %s", actions[0], actions[1])
	}
	return analysis.Tf("%s, %s and %d more", "%s、%s ほか %d 件", actions[0], actions[1], len(actions)-2)
}

// uniqueRelated drops repeated related places: requests blocked for two
// reasons at one element (an S3 action and the KMS action it needs) name
// the same grant twice.
func uniqueRelated(rs []analysis.Related) []analysis.Related {
	seen := map[relatedAt]bool{}
	out := rs[:0]
	for _, r := range rs {
		k := relatedAt{r.File, r.Doc, r.Span, r.Message.EN}
		if !seen[k] {
			seen[k] = true
			out = append(out, r)
		}
	}
	return out
}

type relatedAt struct {
	file, doc string
	span      analysis.Span
	msg       string
}
