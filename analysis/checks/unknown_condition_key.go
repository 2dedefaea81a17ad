package checks

import (
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
)

// UnknownConditionKey reports a condition key that is neither a global
// aws: key nor a key of the service its prefix names.
var UnknownConditionKey = &analysis.Check{
	Code:     analysis.CodeUnknownConditionKey,
	Category: "service-data",
	Severity: analysis.Warning, // Error in bucket policies, which S3 rejects
	DocURL:   iamdata.GlobalKeysURL,
	Title:    analysis.T("Condition tests a key that does not exist", "Condition が存在しないキーを評価している"),
	Explain: analysis.T(
		"The key is not a global condition key (aws:...) nor one that the Service Authorization Reference lists for its service. S3 rejects a bucket policy with such a key (MalformedPolicy: Policy has an invalid condition key). IAM accepts it in an identity policy, but the key is never in the request: a positive operator such as StringEquals is then false and the statement never applies (an Allow allows nothing), while a negated one such as StringNotEquals is true for every request.",
		"このキーはグローバル条件キー (aws:...) でも、サービス認可リファレンスがそのサービスに挙げるキーでもありません。S3 はこのキーを含むバケットポリシーを拒否します (MalformedPolicy: Policy has an invalid condition key)。IAM はアイデンティティポリシーとして受け付けますが、キーがリクエストに含まれることはありません。StringEquals などの肯定の演算子では条件が偽となりステートメントは適用されず (Allow は何も許可しない)、StringNotEquals などの否定の演算子ではすべてのリクエストで真になります。"),
	Run: runUnknownConditionKey,
}

func runUnknownConditionKey(pass *analysis.Pass) {
	keys := conditionKeysOf(pass.Policy)
	for _, s := range pass.Policy.Statements {
		for _, c := range s.Conditions() {
			name := c.Key.Key
			if !strings.Contains(name, ":") {
				continue // not service:key; the structural checks say so
			}
			_, svc, kind := keys.resolve(name)
			if kind != iamdata.KeyUnknown || analysis.HasPlaceholder(name) && mayBeKnown(name, svc) {
				continue
			}
			pass.Report(unknownKeyFinding(pass, c.Key, svc))
		}
	}
}

func unknownKeyFinding(pass *analysis.Pass, key *analysis.Field, svc *iamdata.Service) analysis.Finding {
	name := key.Key
	f := analysis.Finding{
		Span:     key.KeySpan,
		Severity: unknownSeverity(pass.Kind),
		Message:  analysis.SayText(analysis.Tf("%q is not a known condition key", "%q は既知の条件キーではありません", name)),
	}
	if near := analysis.Closest(name, keyCandidates(name, svc)); near != "" {
		f.Message = analysis.SayText(analysis.Tf("%q is not a known condition key; did you mean %q?", "%q は既知の条件キーではありません。%q ですか?", name, near))
		f.Fixes = []analysis.Fix{replaceFix(key.KeySpan, near)}
	}
	return f
}

// keyCandidates are the names an unknown key may be a misspelling of: the
// global keys and the keys of its service. Templates are left out, since
// a suggestion must be a key that can be written as it is.
func keyCandidates(name string, svc *iamdata.Service) []string {
	var out []string
	add := func(keys []iamdata.ConditionKey) {
		for _, k := range keys {
			if !strings.ContainsAny(k.Name, "$<") {
				out = append(out, k.Name)
			}
		}
	}
	if svc != nil {
		add(svc.Keys)
	}
	if svc == nil || strings.HasPrefix(strings.ToLower(name), "aws:") {
		add(iamdata.Global)
	}
	return out
}

// mayBeKnown reports whether a key with template placeholders may stand
// for a known key, whatever they hold: its text around them fits a
// global key or a key of its service. A placeholder is never a finding by
// itself; the text around it still is (s3:bogus-${x} fits no S3 key). A
// placeholder in the prefix may name any service.
func mayBeKnown(name string, svc *iamdata.Service) bool {
	prefix, _, _ := strings.Cut(name, ":")
	if analysis.HasPlaceholder(prefix) {
		return true
	}
	pattern := analysis.ReplacePlaceholders(name, "*")
	fits := func(keys []iamdata.ConditionKey) bool {
		for _, k := range keys {
			if analysis.MatchWildcard(pattern, k.Name, true) {
				return true
			}
		}
		return false
	}
	if strings.EqualFold(prefix, "aws") {
		return fits(iamdata.Global)
	}
	return svc != nil && fits(svc.Keys)
}
