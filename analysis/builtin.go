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
		Code:     InternalErrorCode,
		Category: "internal",
		Severity: Warning,
		DocURL:   "https://github.com/s3policy-lsp/s3policy-lsp/issues",
		Title:    T("A check failed on this document", "この文書でチェックが失敗した"),
		Explain: T("A check of s3policy-lsp crashed on this document, so what it looks for was not checked. Please report it with the document.",
			"s3policy-lsp のチェックがこの文書で異常終了したため、その項目は確認されていません。文書を添えて報告してください。"),
	},
}
