package checks

import "github.com/s3policy-lsp/s3policy-lsp/analysis"

// ScpDeniesS3 reports a service control policy that keeps the accounts it
// governs from S3: a Deny that matches S3 actions, or an allow-list SCP
// that allows no S3 action.
var ScpDeniesS3 = &analysis.Check{
	Code:     analysis.CodeSCPDeniesS3,
	Category: "access",
	Severity: analysis.Warning,
	DocURL:   "https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html",
	Title:    analysis.T("The SCP denies S3 actions", "SCP が S3 アクションを拒否している"),
	Explain: analysis.T(
		"A service control policy never grants: it filters what the IAM users and roles of the accounts it is attached to may do, even when their identity policies and the bucket policy allow it. A Deny in an SCP beats every Allow; and in an allow-list SCP (one without `FullAWSAccess`), an action that no statement allows is denied. Every level of the organization, from the root to the account, must allow the action. Fix it in AWS Organizations: narrow or remove the Deny, or allow the S3 actions the users need.",
		"サービスコントロールポリシー (SCP) は権限を付与せず、アタッチされたアカウントの IAM ユーザーとロールができることを絞り込むだけです。アイデンティティポリシーとバケットポリシーが許可していても同じです。SCP の Deny はすべての Allow に優先し、許可リスト型の SCP (`FullAWSAccess` のないもの) では、どのステートメントも許可しないアクションは拒否されます。組織のルートからアカウントまで、すべての階層で許可が必要です。AWS Organizations で Deny を狭めるか削除するか、必要な S3 アクションを許可してください。"),
	Kinds:        []analysis.Kind{analysis.KindSCP},
	Run:          runScpDeniesS3,
	RunWorkspace: reportWorkspaceCauses,
}

func runScpDeniesS3(pass *analysis.Pass) {
	allowsS3 := false
	var firstAllow *analysis.Statement
	for _, s := range pass.Policy.Statements {
		if s.IsAllow() {
			allowsS3 = allowsS3 || statementS3Actions(s, false)
			if firstAllow == nil {
				firstAllow = s
			}
		}
		d, ok := assessDeny(pass, s)
		if !ok {
			continue
		}
		if d.severity == analysis.Information {
			// The rule for SCPs: a conditional Deny is a warning
			// (the transport guardrails stay hints).
			d.severity = analysis.Warning
		}
		reportDeny(pass, s, d,
			analysis.T("this SCP denies {actions} on {resources} to every user and role of the accounts it governs",
				"この SCP は、対象アカウントのすべてのユーザーとロールに {resources} に対する {actions} を拒否します"),
			analysis.T("this SCP denies {actions} in some cases: on {resources}, for every request {when}",
				"この SCP は場合によって {actions} を拒否します。{when}リクエストについて {resources} に対する {actions} を拒否します"))
	}
	if firstAllow == nil || allowsS3 {
		return
	}
	pass.Report(analysis.Finding{
		Span: pass.Policy.Statement.KeySpan,
		Message: analysis.SayText(analysis.T("this allow-list SCP allows no S3 action: SCPs only filter, so every S3 request of the accounts it governs is denied",
			"この許可リスト型 SCP はどの S3 アクションも許可していません。SCP は絞り込むだけなので、対象アカウントの S3 リクエストはすべて拒否されます")),
		Fixes: allowS3Fix(pass, firstAllow),
	})
}

// allowS3Fix adds "s3:*" to the Action of an Allow statement.
func allowS3Fix(pass *analysis.Pass, s *analysis.Statement) []analysis.Fix {
	if s.Action == nil || (s.Action.Value.Kind != analysis.String && s.Action.Value.Kind != analysis.Array) {
		return nil
	}
	return []analysis.Fix{{
		Title: analysis.Tf("Allow s3:* in statement %s", "ステートメント %s で s3:* を許可", s.Label()),
		Edits: analysis.AppendString(pass.Src, s.Action.Value, "s3:*"),
	}}
}
