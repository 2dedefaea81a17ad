package checks

import (
	"slices"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamref"
)

// ActionResourceMismatch reports a Resource ARN that no action of the
// statement can act on, judged from the ARN formats of the resource types
// each action lists in the Service Authorization Reference. The S3 bucket
// versus object case is missing-resource-arn's, which says more.
var ActionResourceMismatch = &analysis.Check{
	Code:     analysis.CodeActionResourceMismatch,
	Category: "service-data",
	Severity: analysis.Warning,
	DocURL:   "https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html",
	Title:    analysis.T("Resource is of a type no action of the statement acts on", "Resource がステートメントのどのアクションの対象でもない"),
	Explain: analysis.T(
		"Each action acts on the resource types that the Service Authorization Reference lists for it, each with its ARN format; an action that lists none accepts only \"Resource\": \"*\". A request is authorized against the ARN of the resource it acts on, so an ARN that matches none of the statement's actions' formats never matches: the statement grants (or denies) nothing for it. Check the service and resource type in the ARN, or move it to a statement with the actions that act on it.",
		"各アクションは、サービス認可リファレンスが ARN 形式とともに挙げるリソースタイプに対して動作します。リソースタイプを持たないアクションは \"Resource\": \"*\" だけを受け付けます。リクエストは対象リソースの ARN で認可されるため、ステートメントのどのアクションの形式にも合わない ARN は一致せず、そのステートメントはその ARN について何も許可 (拒否) しません。ARN のサービスとリソースタイプを確かめるか、それを対象とするアクションのステートメントに移してください。"),
	Run: runActionResourceMismatch,
}

func runActionResourceMismatch(pass *analysis.Pass) {
	resolved := iamref.Resolve(pass.Policy)
	arns := pass.Policy.ResourceARNs()
	for _, s := range pass.Policy.Statements {
		actions, complete := resolved.Actions(s)
		if !complete || s.NotResource != nil {
			continue
		}
		if starOnly(actions) {
			reportStarOnly(pass, arns.Of(s), actions)
			continue
		}
		var typesBuf [16]*iamdata.ResourceType // most statements' types fit: no allocation
		var types []*iamdata.ResourceType
		anyType, listed := false, false
		entries := arns.Of(s)
		for i := range entries {
			v := entries[i].Value
			service := entries[i].Part(2)
			if !entries[i].IsARN() || service == "s3" && hasService(actions, "s3") {
				continue
			}
			if !listed { // only for a statement that needs them
				types, anyType, listed = actionResourceTypes(typesBuf[:0], actions)
			}
			if anyType || anyMatchesARN(types, v.Str) {
				continue
			}
			pass.Reportf(v.Span, analysis.Tf("no action of this statement acts on %s (a %s resource)",
				"このステートメントのどのアクションも %s (%s のリソース) を対象としません", v.Str, service))
		}
	}
}

// starOnly reports whether every action of the statement lists no
// resource type and so accepts only "Resource": "*" (s3:ListAllMyBuckets),
// all of one service other than IAM, whose list actions are authorized
// against ARNs as the IAM User Guide's own examples show.
// https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
func starOnly(actions []iamref.ServiceAction) bool {
	if len(actions) == 0 {
		return false
	}
	for _, a := range actions {
		if len(a.Resources()) > 0 || a.Service != actions[0].Service || a.Service.Prefix == "iam" {
			return false
		}
	}
	return true
}

// reportStarOnly reports each specific ARN of the actions' service in Resource:
// the actions are never authorized against it.
func reportStarOnly(pass *analysis.Pass, entries []analysis.ResourceARN, actions []iamref.ServiceAction) {
	prefix := actions[0].Service.Prefix
	for i := range entries {
		v := entries[i].Value
		// A pattern such as arn:aws:s3:::* is how AWS's own examples write
		// these actions, and is authorized: only a specific ARN is a fault.
		if !entries[i].IsARN() || entries[i].Part(2) != prefix || hasWildcard(v.Str) || analysis.HasPlaceholder(v.Str) {
			continue
		}
		pass.Report(analysis.Finding{Span: v.Span, Message: analysis.SayText(analysis.Tf(
			"%s:%s takes no resource type: it is authorized only with \"Resource\": \"*\", so %s grants nothing for it",
			"%s:%s はリソースタイプを持たず、\"Resource\": \"*\" でのみ認可されます。%s では何も許可されません",
			prefix, actions[0].Name(), v.Str)),
			Fixes: []analysis.Fix{replaceFix(v.Span, "*")}})
	}
}

func hasService(actions []iamref.ServiceAction, prefix string) bool {
	for _, a := range actions {
		if a.Service.Prefix == prefix {
			return true
		}
	}
	return false
}

// actionResourceTypes lists the distinct resource types the actions act
// on, once per statement rather than once per resource. anyType is true
// when some action lists no resource type: it is taken to act on
// anything, since the reference then asks for "*", yet some such actions
// are authorized against an ARN (iam:ListUsers against
// arn:aws:iam::*:*, as the IAM User Guide's own examples show), so an ARN
// there is not proof of a mistake.
// They are appended to types.
func actionResourceTypes(types []*iamdata.ResourceType, actions []iamref.ServiceAction) (_ []*iamdata.ResourceType, anyType, listed bool) {
	for _, a := range actions {
		if len(a.Resources()) == 0 {
			return nil, true, true
		}
		for _, ar := range a.Resources() {
			if rt := a.Service.ResourceType(ar.Name); rt != nil && !slices.Contains(types, rt) {
				types = append(types, rt)
			}
		}
	}
	return types, false, true
}

// anyMatchesARN reports whether the resource pattern may match the ARN
// format of one of the types.
func anyMatchesARN(types []*iamdata.ResourceType, resource string) bool {
	for _, rt := range types {
		if iamref.MayMatchARN(rt.ARN, resource) {
			return true
		}
	}
	return false
}
