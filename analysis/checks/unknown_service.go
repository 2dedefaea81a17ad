package checks

import (
	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamref"
)

// UnknownService reports an Action or NotAction entry whose service prefix
// is not an AWS service.
var UnknownService = &analysis.Check{
	Code:     analysis.CodeUnknownService,
	Category: "service-data",
	Severity: analysis.Warning, // Error in bucket policies, which S3 rejects
	DocURL:   "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
	Title:    analysis.T("Action names a service prefix that does not exist", "Action に存在しないサービスプレフィックスがある"),
	Explain: analysis.T(
		"The part before the colon must be a service prefix from the Service Authorization Reference, such as `s3` or `kms`. S3 rejects a bucket policy that names an unknown service (MalformedPolicy: Policy has invalid action); IAM stores an identity policy with one, but the entry matches no request, so what it was meant to allow stays denied.",
		"コロンの前はサービス認可リファレンスにあるサービスプレフィックス (`s3`、`kms` など) でなければなりません。S3 は存在しないサービスを含むバケットポリシーを拒否します (MalformedPolicy: Policy has invalid action)。IAM はアイデンティティポリシーとして保存しますが、そのエントリはどのリクエストにも一致せず、許可したかったアクセスは拒否されたままです。"),
	Run: runUnknownService,
}

func runUnknownService(pass *analysis.Pass) {
	resolved := iamref.Resolve(pass.Policy)
	for _, s := range pass.Policy.Statements {
		for _, r := range resolved.Entries(s) {
			if !r.OK || r.Full || r.Service != nil {
				continue
			}
			v := r.Value
			f := analysis.Finding{
				Span:     v.Span,
				Severity: unknownSeverity(pass.Kind),
				Message:  analysis.SayText(analysis.Tf("%q is not an AWS service prefix", "%q は AWS のサービスプレフィックスではありません", r.Prefix)),
			}
			if near := analysis.Closest(r.Prefix, iamdata.Prefixes()); near != "" {
				f.Message = analysis.SayText(analysis.Tf("%q is not an AWS service prefix; did you mean %q?", "%q は AWS のサービスプレフィックスではありません。%q ですか?", r.Prefix, near))
				f.Fixes = []analysis.Fix{replaceFix(v.Span, near+":"+r.Name)}
			}
			pass.Report(f)
		}
	}
}
