package checks

import (
	"slices"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// SessionPolicyBlocks reports a session policy that leaves the session
// without the S3 access its role or user has: the session may only do
// what both the identity policies and the session policy allow.
var SessionPolicyBlocks = &analysis.Check{
	Code:     analysis.CodeSessionPolicyBlocks,
	Category: "access",
	Severity: analysis.Warning,
	DocURL:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session",
	Title:    analysis.T("The session policy does not allow the S3 access", "セッションポリシーが S3 アクセスを許可していない"),
	Explain: analysis.T(
		"A session policy, passed to AssumeRole, AssumeRoleWithSAML, AssumeRoleWithWebIdentity or GetFederationToken, never grants: the session's permissions are the intersection of the role's (or user's) identity policies and the session policy. An S3 action or bucket that the session policy does not allow is denied to the session even though the role allows it, and a Deny in it beats every Allow. Allow the S3 actions and the bucket ARNs (`arn:aws:s3:::bucket` and `arn:aws:s3:::bucket/*`) in the session policy.",
		"AssumeRole、AssumeRoleWithSAML、AssumeRoleWithWebIdentity、GetFederationToken に渡すセッションポリシーは権限を付与しません。セッションの権限は、ロール (またはユーザー) のアイデンティティポリシーとセッションポリシーの共通部分です。セッションポリシーが許可しない S3 アクションやバケットは、ロールが許可していてもセッションには拒否され、その中の Deny はすべての Allow に優先します。セッションポリシーで S3 アクションとバケットの ARN (`arn:aws:s3:::bucket` と `arn:aws:s3:::bucket/*`) を許可してください。"),
	Kinds:        []analysis.Kind{analysis.KindSession},
	Run:          runSessionPolicyBlocks,
	RunWorkspace: reportWorkspaceCauses,
}

func runSessionPolicyBlocks(pass *analysis.Pass) {
	p := pass.Policy
	allowsS3 := false
	for _, s := range p.Statements {
		allowsS3 = allowsS3 || (s.IsAllow() && statementS3Actions(s, false))
		if d, ok := assessDeny(pass, s); ok {
			reportDeny(pass, s, d,
				analysis.T("the session policy denies {actions} on {resources} to the session, whatever its role allows",
					"セッションポリシーは、ロールの許可にかかわらず、セッションに {resources} に対する {actions} を拒否します"),
				analysis.T("the session policy denies {actions} in some cases: on {resources}, for every request {when}",
					"セッションポリシーは場合によって {actions} を拒否します。{when}リクエストについて {resources} に対する {actions} を拒否します"))
		}
	}
	if p.Statement == nil {
		return
	}
	if !allowsS3 {
		pass.Reportf(p.Statement.KeySpan, analysis.T(
			"the session policy allows no S3 action: the session can reach no bucket, whatever its role allows",
			"セッションポリシーはどの S3 アクションも許可していません。ロールが何を許可していても、セッションはどのバケットにもアクセスできません"))
		return
	}
	// One finding for the buckets it leaves out, as for an endpoint.
	switch buckets, total := uncoveredBuckets(pass); {
	case total == 1:
		pass.Reportf(p.Statement.KeySpan, analysis.Tf(
			"the session policy allows no S3 action on bucket %s: the session is denied there, whatever its role allows",
			"セッションポリシーはバケット %s に対する S3 アクションを許可していません。ロールが何を許可していても、セッションはそこで拒否されます", buckets[0]),
			bucketFixes(pass, buckets)...)
	case total > 1:
		pass.Reportf(p.Statement.KeySpan, analysis.Tf(
			"the session policy allows no S3 action on buckets %s: the session is denied there, whatever its role allows",
			"セッションポリシーはバケット %sに対する S3 アクションを許可していません。ロールが何を許可していても、セッションはそこで拒否されます", countedBucketList(buckets, total)),
			bucketFixes(pass, buckets)...)
	}
}

// addBucketStatementFix appends a statement, laid out like the file's
// and with a Sid, that allows on the bucket exactly what the workspace's
// bucket policies grant there and the workspace denies (grantedOn); when
// no such grant is known, listing the bucket and reading and writing its
// objects. None (false) when every such request is one the principal's
// own policies do not ask for: a filter is not widened to them.
// Members, when given, go before Action (an endpoint policy's statement
// needs a Principal), a Condition after Resource.
func addBucketStatementFix(pass *analysis.Pass, bucket string, members ...member) (analysis.Fix, bool) {
	actions, resources, unaskedOnly := grantedOn(pass, bucket)
	if unaskedOnly {
		return analysis.Fix{}, false
	}
	title := analysis.Tf("Allow %s on %s", "%[2]s に %[1]s を許可", strings.Join(actions, ", "), bucket)
	if len(actions) == 0 {
		actions, resources = []string{"s3:ListBucket", "s3:GetObject", "s3:PutObject"}, []string{bucketARN(bucket), objectsARN(bucket)}
		title = analysis.Tf("Allow list, read and write on %s", "%s の一覧・読み取り・書き込みを許可", bucket)
	}
	all := []member{{"Sid", sidFor(pass.Policy, "Allow"+sidWord(bucket))}, {"Effect", "Allow"}}
	var condition []member
	for _, m := range members {
		if m.key == "Condition" {
			condition = append(condition, m) // last, as policies are written
		} else {
			all = append(all, m)
		}
	}
	all = append(append(all, member{"Action", actions}, member{"Resource", resources}), condition...)
	return analysis.Fix{
		Title: title,
		Edits: analysis.AppendRaw(pass.Src, pass.Policy.Statement.Value, newStatement(pass, all...)),
	}, true
}

// grantedOn are the actions and resources on the bucket of the requests
// that bucket policies of the workspace grant and the workspace denies,
// each once, the actions sorted: those of this file's principal when it
// has one, else those of the principals of its account (an endpoint's
// callers), else of every principal; leaving out those its principal's
// identity policies do not ask for (unasked), and reporting whether
// there were only such requests.
func grantedOn(pass *analysis.Pass, bucket string) (actions, resources []string, unaskedOnly bool) {
	if pass.Workspace == nil || pass.Facts == nil {
		return nil, nil, false
	}
	principals := []string{pass.Facts.Principal}
	if pass.Facts.Principal == "" {
		principals = principals[:0]
		for _, id := range identityPolicies(pass.Workspace) {
			if pass.Facts.Account == "" || id.Facts.Account == pass.Facts.Account {
				principals = append(principals, id.Facts.Principal)
			}
		}
	}
	for _, p := range principals {
		for _, b := range blockedOnBucket(pass.Workspace, p, bucket) {
			if unaskedRequest(pass.Workspace, p, &b) {
				unaskedOnly = true
				continue // the principal's own policies stop it: no filter is widened to it
			}
			actions, resources = appendNew(actions, b.Action), append(resources, b.Resource)
		}
	}
	resources = firstOfEach(resources)
	slices.Sort(actions)
	return actions, resources, unaskedOnly && len(actions) == 0
}

// blockedOnBucket lists, in order, the principal's blocked requests on
// the bucket or its objects. An identity policy asks for each bucket
// .s3policy.json names (thousands in a large folder): the engine's
// workspace keeps the requests grouped by bucket (eval.Workspace.Memo).
func blockedOnBucket(w analysis.Workspace, principal, bucket string) []analysis.BlockedRequest {
	memo, ok := w.(interface{ Memo(string, func() any) any })
	if !ok || strings.Contains(bucket, "/") {
		arn := bucketARN(bucket)
		var out []analysis.BlockedRequest
		for _, b := range w.Blocked(principal) {
			if b.Resource == arn || strings.HasPrefix(b.Resource, arn+"/") {
				out = append(out, b)
			}
		}
		return out
	}
	byBucket := memo.Memo("checks: blocked by bucket\x00"+principal, func() any {
		out := map[string][]analysis.BlockedRequest{}
		for _, b := range w.Blocked(principal) {
			if rest, ok := strings.CutPrefix(b.Resource, bucketARN("")); ok {
				name, _, _ := strings.Cut(rest, "/")
				out[name] = append(out[name], b)
			}
		}
		return out
	})
	return byBucket.(map[string][]analysis.BlockedRequest)[bucket]
}
