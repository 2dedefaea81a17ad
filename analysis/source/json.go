package source

import "github.com/s3policy-lsp/s3policy-lsp/analysis"

// JSON reads a standalone policy file: one document whose text is the
// file. It comes last among the readers, after those that recognise a
// JSON host (a CloudFormation template, AWS CLI output).
var JSON = &Reader{
	Name:       "json",
	Extensions: []string{".json"},
	Read: func(path string, text []byte) Result {
		return Result{Docs: []analysis.Document{{Text: text}}}
	},
}
