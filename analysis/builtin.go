package analysis

// BuiltinRules describe the findings that the analysis makes itself rather
// than through a check (json-syntax, invalid-config, internal-error), so
// that rule lists such as SARIF's and the README's can name every code.
// They have no Run: never pass them to Analyze.
var BuiltinRules = []*Check{
	{
		Code:     SyntaxCode,
		Category: "syntax",
		Severity: Error,
		DocURL:   SyntaxDocURL,
		Title:    T("The document is not valid JSON", "文書が正しい JSON ではない"),
		Explain:  syntaxFinding(&SyntaxError{}).Explain,
	},
	{
		Code:     ConfigCode,
		Category: "config",
		Severity: Error,
		DocURL:   configDocURL,
		Title:    T(".s3policy.json has an invalid entry", ".s3policy.json に正しくない項目がある"),
		Explain: T("An entry of .s3policy.json has the wrong type, an unknown key or an impossible value; it is ignored, so the facts it meant to give are missing from the analysis.",
			".s3policy.json の項目の型が違う、キーが不明、または値がありえないものです。その項目は無視されるため、与えるはずだった情報が解析に使われません。"),
	},
	{
		Code:     UnreadableCode,
		Category: "syntax",
		Severity: Information,
		DocURL:   "https://github.com/s3policy-lsp/s3policy-lsp#policies-in-templates",
		Title:    T("A template that holds policies cannot be read", "ポリシーを含むテンプレートを読めない"),
		Explain:  unreadableExplain,
	},
	{
		Code:     InternalErrorCode,
		Category: "internal",
		Severity: Warning,
		DocURL:   "https://github.com/s3policy-lsp/s3policy-lsp/issues",
		Title:    T("A check failed on this document", "この文書でチェックが失敗した"),
		Explain: T("A check of s3policy-lsp crashed on this document, so what it looks for was not checked. Please report it with the document.",
			"s3policy-lsp のチェックがこの文書で異常終了したため、その項目は確認されていません。文書を添えて報告してください。"),
	},
}

// UnreadableCode is the code of the finding for a host file that holds
// policies but cannot be read as a whole: a YAML template that does not
// parse, a .tpl whose template directives leave no JSON to read. Its
// policies are not checked; nothing is said about them.
const UnreadableCode = "unreadable-template"

var unreadableExplain = T("The file is a template that holds policies, but it cannot be read as written (its template language decides its text, or it does not parse yet), so the policies in it are not checked. Render the template and check the result, or check the policy on its own.",
	"このファイルはポリシーを含むテンプレートですが、書かれたままでは読めない (テンプレート言語が内容を決める、またはまだ解析できない) ため、中のポリシーはチェックされません。テンプレートを展開した結果か、ポリシー単体をチェックしてください。")

// UnreadableFinding reports a template that cannot be read, at span.
func UnreadableFinding(span Span, msg Text) Finding {
	return Finding{Code: UnreadableCode, Severity: Information, Span: span, Message: SayText(msg), Explain: unreadableExplain,
		DocURL: "https://github.com/s3policy-lsp/s3policy-lsp#policies-in-templates"}
}
