package checks

import (
	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// Helpers shared by the checks, hover and completion that use the IAM
// service data.

// rejectsUnknownNames reports whether the service that stores a policy of
// kind k refuses unknown actions and condition keys. S3 refuses a bucket
// policy naming one ("Policy has invalid action" / "invalid condition
// key", MalformedPolicy); IAM stores an identity policy that names one, and
// the entry then matches no request.
func rejectsUnknownNames(k analysis.Kind) bool { return k == analysis.KindBucket }

// unknownSeverity is the severity of an unknown-* finding in kind k.
func unknownSeverity(k analysis.Kind) analysis.Severity {
	if rejectsUnknownNames(k) {
		return analysis.Error
	}
	return analysis.Warning
}

// replaceFix is the quick fix that replaces span with a JSON string.
func replaceFix(span analysis.Span, s string) analysis.Fix {
	return analysis.Fix{
		Title: analysis.Tf("Replace with %s", "%s に置き換える", s),
		Edits: []analysis.Edit{{Span: span, NewText: analysis.Quote(s)}},
	}
}
