package checks

import "github.com/s3policy-lsp/s3policy-lsp/analysis"

// IncompleteStatement reports a statement without Action or NotAction
// (every policy needs one), and one without Resource or NotResource in the
// kinds of policy whose grammar requires it. Role trust policies name no
// Resource (the role is the resource); for SCPs, RCPs, VPC endpoint and
// other services' policies the rule is left to their service.
var IncompleteStatement = &analysis.Check{
	Code:     analysis.CodeIncompleteStatement,
	Category: "structure",
	Severity: analysis.Error,
	DocURL:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html",
	Title:    analysis.T("Statement without Action or Resource", "Action または Resource のないステートメント"),
	Explain: analysis.T(
		"Each statement says which actions it covers, with `Action` or `NotAction`, and (except in a role trust policy) on which resources, with `Resource` or `NotResource`. AWS rejects a statement without them as a malformed policy. In a KMS key policy the Resource is always `\"*\"`, meaning this key.",
		"各ステートメントには、対象のアクションを `Action` または `NotAction` で、(ロールの信頼ポリシーを除き) 対象のリソースを `Resource` または `NotResource` で書く必要があります。ないステートメントは不正なポリシーとして拒否されます。KMS キーポリシーの Resource は常に `\"*\"` (このキー) です。"),
	Run: runIncompleteStatement,
}

// resourceKinds require Resource or NotResource in every statement: IAM's
// grammar for identity policies, boundaries and session policies, S3 for
// bucket policies and KMS for key policies.
//
// The fix adds "Resource": "*" only to a statement of a KMS key policy,
// where "*" is the only value and means the key itself:
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-overview.html
var resourceKinds = []analysis.Kind{analysis.KindIdentity, analysis.KindBoundary, analysis.KindSession, analysis.KindBucket, analysis.KindKey}

func runIncompleteStatement(pass *analysis.Pass) {
	for _, s := range pass.Policy.Statements {
		if s.Action == nil && s.NotAction == nil {
			pass.Reportf(elementKey(s), analysis.Tf("%s has no Action or NotAction", "%s に Action も NotAction もありません", s.Label()))
		}
		if s.Resource == nil && s.NotResource == nil && pass.Kind.In(resourceKinds...) {
			pass.Reportf(elementKey(s), kindf(pass.Kind, "%[2]s has no Resource or NotResource, required in this %[1]s",
				"%[2]s に Resource も NotResource もありません (この%[1]sでは必須です)", s.Label()), addWildcardFix(pass, s, analysis.KindKey, "Resource")...)
		}
	}
}
