package checks

import "github.com/s3policy-lsp/s3policy-lsp/analysis"

// EndpointWildcardPrincipal reports an endpoint-policy Allow for every
// principal with no condition that says whose requests it lets through.
var EndpointWildcardPrincipal = &analysis.Check{
	Code:     analysis.CodeEndpointWildcardPrincipal,
	Category: "access",
	Severity: analysis.Warning,
	DocURL:   "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html",
	Title:    analysis.T("The endpoint policy lets every principal through", "エンドポイントポリシーがすべてのプリンシパルを通す"),
	Explain: analysis.T(
		"A VPC endpoint policy filters every request that goes through the endpoint. `\"Principal\": \"*\"` with no condition on `aws:PrincipalAccount`, `aws:PrincipalOrgID` or `aws:PrincipalArn` lets any principal that can route through the endpoint, including credentials of unrelated accounts, reach the buckets it allows. Gateway endpoints require `\"Principal\": \"*\"`, so narrow it with a condition such as `\"StringEquals\": {\"aws:PrincipalAccount\": [\"111122223333\"]}`.",
		"VPC エンドポイントポリシーは、エンドポイントを通るすべてのリクエストを絞り込みます。`aws:PrincipalAccount`、`aws:PrincipalOrgID`、`aws:PrincipalArn` の条件なしの `\"Principal\": \"*\"` は、無関係なアカウントの認証情報も含め、エンドポイントを経由できるすべてのプリンシパルに、許可されたバケットへのアクセスを許します。ゲートウェイエンドポイントでは `\"Principal\": \"*\"` が必須なので、`\"StringEquals\": {\"aws:PrincipalAccount\": [\"111122223333\"]}` などの条件で絞り込んでください。"),
	Kinds: []analysis.Kind{analysis.KindEndpoint},
	Run:   runEndpointWildcardPrincipal,
}

func runEndpointWildcardPrincipal(pass *analysis.Pass) {
	accounts := userAccounts(pass)
	for _, s := range pass.Policy.Statements {
		if !s.IsAllow() || narrowsPrincipal(s) || !statementS3Actions(s, false) {
			continue
		}
		for _, p := range analysis.Principals(s.Principal) {
			if !p.IsEveryone() {
				continue
			}
			var fixes []analysis.Fix
			if len(accounts) > 0 {
				fixes = append(fixes, analysis.Fix{
					Title: analysis.Tf("Allow only account %s", "アカウント %s だけを許可", jsonStrings(accounts)),
					Edits: addCondition(pass.Src, s, "StringEquals", "aws:PrincipalAccount", accounts),
				})
			}
			pass.Reportf(p.Value.Span, analysis.Tf(
				"any account's principals may use this Allow through %s: narrow it with a condition on aws:PrincipalAccount",
				"どのアカウントのプリンシパルも %s を経由してこの Allow を使えます。aws:PrincipalAccount の条件で絞り込んでください",
				endpointName(pass)), fixes...)
			break
		}
	}
}

// endpointName names the endpoint of the file: its vpce ID from
// .s3policy.json, else "the endpoint".
func endpointName(pass *analysis.Pass) string {
	if pass.Facts != nil && pass.Facts.Endpoint != "" {
		return pass.Facts.Endpoint
	}
	return "the endpoint"
}

// userAccounts are the accounts whose principals an endpoint policy is
// for: those of .s3policy.json, else the account the policy belongs to
// (in Terraform, its provider's allowed_account_ids); none when neither
// is known, and then no fix names them: a made-up account would let
// nobody through, and nothing would say so.
func userAccounts(pass *analysis.Pass) []string {
	switch {
	case pass.Config != nil && len(pass.Config.Accounts) > 0:
		return pass.Config.Accounts
	case pass.Facts != nil && pass.Facts.Account != "":
		return []string{pass.Facts.Account}
	}
	return nil
}
