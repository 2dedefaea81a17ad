package checks

import "github.com/s3policy-lsp/s3policy-lsp/analysis"

// MissingPrincipal reports a statement without Principal or NotPrincipal
// in a resource-based policy (bucket, key, endpoint, trust and other
// resource policies): there the Principal says who the statement is for,
// and AWS rejects a statement without one.
var MissingPrincipal = &analysis.Check{
	Code:     analysis.CodeMissingPrincipal,
	Category: "structure",
	Severity: analysis.Error,
	DocURL:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
	Title:    analysis.T("Statement of a resource-based policy without Principal", "リソースベースのポリシーのステートメントに Principal がない"),
	Explain: analysis.T(
		"A resource-based policy (bucket policy, key policy, VPC endpoint policy, role trust policy) must say in every statement whom it applies to, with Principal or NotPrincipal. AWS rejects a statement without one as malformed. Name the account, role or user, e.g. `\"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}`; a VPC endpoint policy usually uses `\"Principal\": \"*\"` and narrows it with conditions.",
		"リソースベースのポリシー (バケットポリシー、キーポリシー、VPC エンドポイントポリシー、ロールの信頼ポリシー) では、各ステートメントで Principal または NotPrincipal により対象を指定する必要があります。ないステートメントは不正として拒否されます。`\"Principal\": {\"AWS\": \"arn:aws:iam::111122223333:root\"}` のようにアカウント・ロール・ユーザーを指定してください。VPC エンドポイントポリシーでは通常 `\"Principal\": \"*\"` とし、条件で絞り込みます。"),
	Kinds: []analysis.Kind{analysis.KindBucket, analysis.KindKey, analysis.KindEndpoint, analysis.KindTrust, analysis.KindResource},
	Run:   runMissingPrincipal,
}

// The fix adds "Principal": "*" only to a VPC endpoint policy statement:
// an endpoint policy grants nothing by itself, and "*" is what AWS
// documents (and requires for gateway endpoints). Elsewhere the right
// principal cannot be guessed.
func runMissingPrincipal(pass *analysis.Pass) {
	for _, s := range pass.Policy.Statements {
		if s.Principal != nil || s.NotPrincipal != nil {
			continue
		}
		msg := kindf(pass.Kind, "%[2]s has no Principal: every statement of this %[1]s must name whom it applies to",
			"%[2]s に Principal がありません。この%[1]sのステートメントには対象の指定が必要です", s.Label())
		pass.Reportf(elementKey(s), msg, addWildcardFix(pass, s, analysis.KindEndpoint, "Principal")...)
	}
}
