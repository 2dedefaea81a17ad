package checks

import (
	"fmt"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamref"
)

// UnknownAction reports an Action or NotAction entry that names no action
// of its service: a misspelling, a retired action, or a wildcard that
// matches nothing.
var UnknownAction = &analysis.Check{
	Code:     analysis.CodeUnknownAction,
	Category: "service-data",
	Severity: analysis.Warning, // Error in bucket policies, which S3 rejects
	DocURL:   "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
	Title:    analysis.T("Action names no action of its service", "Action がサービスのどのアクションも指していない"),
	Explain: analysis.T(
		"The Service Authorization Reference lists no such action for this service. S3 rejects a bucket policy that names one (MalformedPolicy: Policy has invalid action). IAM accepts it in an identity policy, SCP or boundary, because it checks only the form service:action, but the entry matches no request: the access it was meant to allow is denied, and a Deny written with it denies nothing. Use the spelling the reference gives; the hover of a valid action shows it.",
		"サービス認可リファレンスには、このサービスのそのようなアクションはありません。S3 はそれを含むバケットポリシーを拒否します (MalformedPolicy: Policy has invalid action)。IAM は service:action の形式しか確かめないため、アイデンティティポリシー、SCP、境界では受け付けますが、そのエントリはどのリクエストにも一致しません。許可したかったアクセスは拒否され、Deny に書いた場合は何も拒否しません。リファレンスどおりの綴りを使ってください。"),
	Run: runUnknownAction,
}

// apiOperations are S3 API operations often written as actions: they have
// no action of their own and are authorized by the actions given, as
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/using-with-s3-policy-actions.html
// maps them. The first is the one the quick fix writes.
var apiOperations = map[string][]string{
	"s3:listobjects":             {"s3:ListBucket"},
	"s3:listobjectsv2":           {"s3:ListBucket"},
	"s3:headbucket":              {"s3:ListBucket"},
	"s3:listobjectversions":      {"s3:ListBucketVersions"},
	"s3:headobject":              {"s3:GetObject"},
	"s3:selectobjectcontent":     {"s3:GetObject"},
	"s3:copyobject":              {"s3:GetObject", "s3:PutObject"},
	"s3:uploadpartcopy":          {"s3:GetObject", "s3:PutObject"},
	"s3:deleteobjects":           {"s3:DeleteObject"},
	"s3:createmultipartupload":   {"s3:PutObject"},
	"s3:uploadpart":              {"s3:PutObject"},
	"s3:completemultipartupload": {"s3:PutObject"},
	"s3:listmultipartuploads":    {"s3:ListBucketMultipartUploads"},
	"s3:listparts":               {"s3:ListMultipartUploadParts"},
}

func runUnknownAction(pass *analysis.Pass) {
	resolved := iamref.Resolve(pass.Policy)
	for _, s := range pass.Policy.Statements {
		for _, r := range resolved.Entries(s) {
			if !r.OK || r.Service == nil || len(r.Matches) > 0 {
				continue
			}
			pass.Report(unknownActionFinding(pass, r.Parsed()))
		}
	}
}

func unknownActionFinding(pass *analysis.Pass, r iamref.Action) analysis.Finding {
	f := analysis.Finding{Span: r.Value.Span, Severity: unknownSeverity(pass.Kind)}
	if r.Wildcard {
		f.Message = analysis.SayText(analysis.Tf("%q matches no action of %s", "%q は %s のどのアクションにも一致しません", r.Value.Str, r.Service.Name))
		return f
	}
	if actions, ok := apiOperations[strings.ToLower(r.Value.Str)]; ok {
		list := strings.Join(actions, " and ")
		f.Message = analysis.SayText(analysis.Text{
			EN: fmt.Sprintf("%s is an API operation, not an IAM action: it is authorized by %s", r.Value.Str, list),
			JA: fmt.Sprintf("%s は API オペレーションで IAM アクションではありません。%s で認可されます", r.Value.Str, strings.Join(actions, " と ")),
		})
		f.Fixes = []analysis.Fix{replaceFix(r.Value.Span, actions[0])}
		return f
	}
	f.Message = analysis.SayText(analysis.Tf("%s has no action %q", "%s にアクション %q はありません", r.Service.Name, r.Name))
	if near := analysis.Closest(r.Name, r.Service.ActionNames()); near != "" {
		f.Message = analysis.SayText(analysis.Tf("%s has no action %q; did you mean %s:%s?", "%s にアクション %q はありません。%s:%s ですか?", r.Service.Name, r.Name, r.Prefix, near))
		f.Fixes = []analysis.Fix{replaceFix(r.Value.Span, r.Prefix+":"+near)}
	}
	return f
}
