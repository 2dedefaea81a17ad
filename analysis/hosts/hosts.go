// Package hosts lists the readers of every host language the tool
// understands, in the order they are asked: a reader that recognises a
// host inside a common format (a CloudFormation template in .json) comes
// before the plain reader of that format. Adding a host language is one
// reader package and one line here.
package hosts

import (
	"slices"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source/awscli"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source/cloudformation"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source/template"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source/terraform"
)

// All is every reader, most specific first.
var All = []*source.Reader{
	terraform.Reader,
	cloudformation.Reader,
	awscli.Reader,
	template.Reader,
	source.JSON,
}

// Read finds the policies of a file. A file no reader takes holds none.
func Read(path string, text []byte) source.Result {
	return source.Read(All, path, text)
}

// ModuleReader is the reader that reads a file with the other files of
// its folder (a Terraform module), or nil.
func ModuleReader(path string) *source.Reader {
	for _, r := range All {
		if r.ReadModule != nil && r.HasExtension(path) {
			return r
		}
	}
	return nil
}

// Candidate reports whether a file of this name may hold policies: what
// a folder walk reads.
func Candidate(path string) bool { return source.Candidate(All, path) }

// Files reads a file and prepares its policies for the checks under cfg.
func Files(path string, text []byte, cfg *analysis.Config) []*analysis.File {
	return Read(path, text).Files(path, cfg)
}

// Extensions lists the file-name endings some reader may read, each once.
func Extensions() []string {
	var out []string
	for _, r := range All {
		for _, ext := range r.Extensions {
			if !slices.Contains(out, ext) {
				out = append(out, ext)
			}
		}
	}
	return out
}
