package checks

import (
	"slices"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// PrincipalInIdentityPolicy reports Principal or NotPrincipal in a policy
// attached to a principal (identity, session, boundary) or to an account
// (SCP): there the principal is whoever the policy is attached to, and AWS
// rejects the element.
var PrincipalInIdentityPolicy = &analysis.Check{
	Code:     analysis.CodePrincipalInIdentityPolicy,
	Category: "structure",
	Severity: analysis.Error,
	DocURL:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
	Title:    analysis.T("Principal in a policy that may not name one", "Principal を書けないポリシーに Principal がある"),
	Explain: analysis.T(
		"Identity-based policies, permissions boundaries, session policies and SCPs apply to the user, role, session or account they are attached to, so they cannot name a Principal or NotPrincipal: AWS rejects the policy as malformed. To let another account in, put the Principal in the resource's policy (the bucket policy or key policy) instead, and remove it here.",
		"アイデンティティベースのポリシー、アクセス許可の境界、セッションポリシー、SCP はアタッチ先のユーザー・ロール・セッション・アカウントに適用されるため、Principal や NotPrincipal を書けません。AWS は不正なポリシーとして拒否します。他のアカウントを許可するには、リソース側のポリシー (バケットポリシーやキーポリシー) に Principal を書き、ここからは削除してください。"),
	Kinds: []analysis.Kind{analysis.KindIdentity, analysis.KindSession, analysis.KindBoundary, analysis.KindSCP},
	Run:   runPrincipalInIdentityPolicy,
}

func runPrincipalInIdentityPolicy(pass *analysis.Pass) {
	for _, s := range pass.Policy.Statements {
		for _, f := range s.Obj.Fields {
			if f.Key != "Principal" && f.Key != "NotPrincipal" {
				continue
			}
			i := slices.Index(s.Obj.Fields, f)
			pass.Reportf(f.KeySpan,
				kindf(pass.Kind, "this %s cannot hold %s: it applies to whoever it is attached to",
					"この%sには %s を書けません (アタッチ先に適用されるため)", f.Key),
				analysis.Fix{
					Title: analysis.Tf("Remove %s", "%s を削除", f.Key),
					Edits: []analysis.Edit{analysis.RemoveMember(pass.Src, s.Obj, i)},
				})
		}
	}
}
