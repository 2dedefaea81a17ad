package checks

import (
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// GatewayEndpointPrincipal reports a principal other than "*" in the
// policy of a gateway VPC endpoint (S3's usual one): AWS takes an account
// named there for the account's root user alone, and asks for
// aws:PrincipalArn to name a role or user. The evaluation engine follows
// the same rule (eval.gatewayPrincipalGrant), so endpoint-policy-blocks
// reports the requests it stops. An endpoint whose type its host does not
// say (a .json endpoint policy, an interface endpoint) is not reported.
var GatewayEndpointPrincipal = &analysis.Check{
	Code:     analysis.CodeGatewayEndpointPrincipal,
	Category: "access",
	Severity: analysis.Warning,
	DocURL:   "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html#vpc-endpoint-policies-gateway",
	Title:    analysis.T("The gateway endpoint policy names a principal other than \"*\"", "ゲートウェイエンドポイントのポリシーが \"*\" 以外のプリンシパルを指定している"),
	Explain: analysis.T(
		"On a gateway VPC endpoint (S3's usual one: Terraform's `aws_vpc_endpoint` and CloudFormation's `AWS::EC2::VPCEndpoint` are gateway endpoints unless their type says Interface), an account named in the endpoint policy's Principal (`\"AWS\": \"111122223333\"` or `\"arn:aws:iam::111122223333:root\"`) admits the account's root user alone, not its roles and users; AWS asks for `aws:PrincipalArn` to name a role or user. Write `\"Principal\": \"*\"` and narrow it with a condition: `\"StringEquals\": {\"aws:PrincipalAccount\": \"111122223333\"}` or `\"ArnEquals\": {\"aws:PrincipalArn\": \"arn:aws:iam::111122223333:role/jane\"}`.",
		"ゲートウェイ型の VPC エンドポイント (S3 で通常使うもの。Terraform の `aws_vpc_endpoint` と CloudFormation の `AWS::EC2::VPCEndpoint` は種類が Interface でなければゲートウェイ型) では、エンドポイントポリシーの Principal に書いたアカウント (`\"AWS\": \"111122223333\"` や `\"arn:aws:iam::111122223333:root\"`) はそのアカウントのルートユーザーだけを指し、ロールやユーザーは含みません。ロールやユーザーは `aws:PrincipalArn` で指定するよう AWS は求めています。`\"Principal\": \"*\"` と書き、`\"StringEquals\": {\"aws:PrincipalAccount\": \"111122223333\"}` や `\"ArnEquals\": {\"aws:PrincipalArn\": \"arn:aws:iam::111122223333:role/jane\"}` の条件で絞り込んでください。"),
	Kinds: []analysis.Kind{analysis.KindEndpoint},
	Run:   runGatewayEndpointPrincipal,
}

func runGatewayEndpointPrincipal(pass *analysis.Pass) {
	if !pass.Facts.GatewayEndpoint() {
		return
	}
	for _, s := range pass.Policy.Statements {
		var named []analysis.PrincipalRef
		for _, p := range analysis.Principals(s.Principal) {
			if p.Type == "AWS" && !p.IsEveryone() && !analysis.HasPlaceholder(p.Value.Str) {
				named = append(named, p)
			}
		}
		if len(named) == 0 {
			continue
		}
		fixes := gatewayPrincipalFix(pass, s, named)
		for _, p := range named {
			if account, ok := accountNamed(p.Value.Str); ok {
				pass.Reportf(p.Value.Span, analysis.Tf(
					`on a gateway endpoint, %s in the Principal is account %s's root user alone, not its roles and users: write "Principal": "*" with a condition on aws:PrincipalAccount`,
					`ゲートウェイエンドポイントでは、Principal の %s はアカウント %s のルートユーザーだけを指し、ロールやユーザーは含みません。"Principal": "*" と aws:PrincipalAccount の条件を書いてください`,
					analysis.Quote(p.Value.Str), account), fixes...)
				continue
			}
			pass.Reportf(p.Value.Span, analysis.Tf(
				`on a gateway endpoint, a role or user is not named in the Principal (%s): write "Principal": "*" with a condition on aws:PrincipalArn`,
				`ゲートウェイエンドポイントでは、ロールやユーザーを Principal で指定できません (%s)。"Principal": "*" と aws:PrincipalArn の条件を書いてください`,
				analysis.Quote(p.Value.Str)), fixes...)
		}
	}
}

// accountNamed is the account a principal names as a whole: its ID, or
// its root user's ARN (of any partition).
func accountNamed(s string) (string, bool) {
	if isAccountID(s) {
		return s, true
	}
	if a, ok := analysis.ParseARN(s); ok && a.Service == "iam" && a.Resource == "root" && isAccountID(a.Account) {
		return a.Account, true
	}
	return "", false
}

// gatewayPrincipalFix writes an Allow's Principal as "*" narrowed by the
// condition that lets through exactly the principals it meant:
// aws:PrincipalAccount for accounts, aws:PrincipalArn for roles and users
// (whose sessions it names, as a role's Principal entry did). It is
// offered only where that keeps every request the statement was written
// for and adds none: an Allow with no Condition of its own (a condition
// added to one would have to hold with the others), a Principal of "AWS"
// entries alone, all accounts or all roles and users (one condition), no
// role session (aws:PrincipalArn of a session is its role's ARN).
func gatewayPrincipalFix(pass *analysis.Pass, s *analysis.Statement, named []analysis.PrincipalRef) []analysis.Fix {
	if !s.IsAllow() || s.Condition != nil || s.Principal.Value.Kind != analysis.Object || len(s.Principal.Value.Fields) != 1 {
		return nil
	}
	var accounts, arns []string
	for _, p := range analysis.Principals(s.Principal) {
		if p.Type != "AWS" || p.IsEveryone() || analysis.HasPlaceholder(p.Value.Str) || strings.ContainsAny(p.Value.Str, "*?") {
			return nil
		}
		if account, ok := accountNamed(p.Value.Str); ok {
			accounts = append(accounts, account)
			continue
		}
		a, ok := analysis.ParseARN(p.Value.Str)
		if !ok || a.Service != "iam" || !(strings.HasPrefix(a.Resource, "role/") || strings.HasPrefix(a.Resource, "user/")) {
			return nil
		}
		arns = append(arns, p.Value.Str)
	}
	op, key, values := "StringEquals", "aws:PrincipalAccount", accounts
	switch {
	case len(accounts) > 0 && len(arns) > 0:
		return nil
	case len(arns) > 0:
		op, key, values = "ArnEquals", "aws:PrincipalArn", arns
	}
	edits := append([]analysis.Edit{{Span: s.Principal.Value.Span, NewText: `"*"`}}, addCondition(pass.Src, s, op, key, values)...)
	return []analysis.Fix{{
		Title: analysis.Tf(`Write "Principal": "*" with %s %s`, `"Principal": "*" と %s %s を書く`, key, jsonStrings(values)),
		Edits: edits,
	}}
}
