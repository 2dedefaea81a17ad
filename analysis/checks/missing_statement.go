package checks

import "github.com/s3policy-lsp/s3policy-lsp/analysis"

// MissingStatement reports a document of a known kind that is not a policy
// at all: its top level is not an object, it has no Statement, or its
// Statement is neither a statement object nor an array of them.
var MissingStatement = &analysis.Check{
	Code:     analysis.CodeMissingStatement,
	Category: "structure",
	Severity: analysis.Error,
	DocURL:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_statement.html",
	Title:    analysis.T("The document has no valid Statement", "文書に正しい Statement がない"),
	Explain: analysis.T(
		"A policy is a JSON object whose `Statement` is one statement object or an array of statement objects: `{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", ...}]}`. AWS rejects any other shape as a malformed policy, and nothing else in the document can be checked.",
		"ポリシーは JSON オブジェクトで、その `Statement` は 1 つのステートメントオブジェクトか、ステートメントオブジェクトの配列です: `{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": \"Allow\", ...}]}`。それ以外の形は不正なポリシーとして拒否され、文書の他の部分も検査できません。"),
	Run: runMissingStatement,
}

func runMissingStatement(pass *analysis.Pass) {
	p := pass.Policy
	switch {
	case p.Root.Kind != analysis.Object:
		pass.Reportf(head(p.Root), kindf(pass.Kind, "a policy document must be a JSON object with a Statement, not %[2]s (kind: %[1]s)",
			"ポリシー文書は Statement を持つ JSON オブジェクトでなければなりません (%[2]s ではなく。種類: %[1]s)", article(p.Root.Kind)))
	case p.Statement == nil:
		pass.Reportf(openBrace(p.Root), kindf(pass.Kind, "this %s has no Statement",
			"この%sには Statement がありません"))
	case p.Statement.Value.Kind == analysis.Array:
		for i, item := range p.Statement.Value.Items {
			if item.Kind != analysis.Object {
				pass.Reportf(head(item), analysis.Tf("statement %d is %s; each statement must be an object {\"Effect\": ...}",
					"ステートメント %d が %s です。各ステートメントはオブジェクト {\"Effect\": ...} でなければなりません", i+1, article(item.Kind)))
			}
		}
	case p.Statement.Value.Kind != analysis.Object:
		pass.Reportf(head(p.Statement.Value), analysis.Tf("Statement must be a statement object or an array of them, not %s",
			"Statement はステートメントオブジェクトかその配列でなければなりません (%s ではなく)", article(p.Statement.Value.Kind)))
	}
}

// article names a JSON type as a phrase: "an array", "a string", "null".
func article(k analysis.ValueKind) string {
	switch k {
	case analysis.Null:
		return "null"
	case analysis.Array, analysis.Object:
		return "an " + k.String()
	}
	return "a " + k.String()
}
