package checks

import (
	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
)

// UnknownConditionOperator reports a Condition member that is not a
// condition operator, with its IfExists suffix and ForAllValues: or
// ForAnyValue: prefix.
var UnknownConditionOperator = &analysis.Check{
	Code:     analysis.CodeUnknownConditionOperator,
	Category: "service-data",
	Severity: analysis.Error,
	DocURL:   iamdata.OperatorsURL,
	Title:    analysis.T("Condition uses an operator that does not exist", "Condition に存在しない演算子がある"),
	Explain: analysis.T(
		"Each member of Condition must be a condition operator such as StringEquals, optionally with the IfExists suffix (not on Null) and the ForAllValues: or ForAnyValue: prefix. IAM, S3 and the other services reject a policy with any other name as malformed (MalformedPolicyDocument / MalformedPolicy).",
		"Condition の各メンバーは StringEquals などの条件演算子でなければなりません。IfExists 接尾辞 (Null には不可) と ForAllValues: / ForAnyValue: 接頭辞を付けられます。それ以外の名前を含むポリシーは、IAM、S3 などのサービスに不正なポリシーとして拒否されます (MalformedPolicyDocument / MalformedPolicy)。"),
	Run: runUnknownConditionOperator,
}

func runUnknownConditionOperator(pass *analysis.Pass) {
	for _, s := range pass.Policy.Statements {
		if s.Condition == nil || s.Condition.Value.Kind != analysis.Object {
			continue
		}
		for _, op := range s.Condition.Value.Fields {
			if _, ok := iamdata.ParseOperator(op.Key); ok || analysis.HasPlaceholder(op.Key) {
				continue
			}
			msg := analysis.Tf("%q is not a condition operator", "%q は条件演算子ではありません", op.Key)
			var fixes []analysis.Fix
			if near := analysis.Closest(op.Key, iamdata.OperatorNames()); near != "" {
				msg = analysis.Tf("%q is not a condition operator; did you mean %q?", "%q は条件演算子ではありません。%q ですか?", op.Key, near)
				fixes = []analysis.Fix{replaceFix(op.KeySpan, near)}
			}
			pass.Reportf(op.KeySpan, msg, fixes...)
		}
	}
}
