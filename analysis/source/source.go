// Package source finds the policies a file holds. A file is a source: a
// standalone .json policy is one document whose text is the file; a
// Terraform module, a CloudFormation template or saved AWS CLI output
// holds zero or more, each with a map from its JSON text to the host's
// bytes (analysis.HostMap). A host language is one Reader; the checks and
// the evaluation engine never see the host, only documents.
package source

import (
	"path/filepath"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// Reader finds the policies in the files of one host language.
type Reader struct {
	Name string // "json", "cloudformation", "terraform", ...
	// Extensions are the file-name endings the reader may read, lower
	// case with their dot (".tf", ".json.tpl"): what a folder walk
	// considers, before any byte is read.
	Extensions []string
	// Claims reports, from a cheap look at the text, whether the reader
	// reads this file; nil claims every file with one of Extensions.
	Claims func(path string, text []byte) bool
	// Read finds the policies. It never fails: what cannot be read is a
	// finding of Result.Findings, in host offsets.
	Read func(path string, text []byte) Result
	// ReadModule, when set, reads the files of one folder at once (a
	// Terraform module, whose files refer to each other: the kind and
	// facts of a policy come from resources in other files). files holds
	// each file's text by path; ctx is what the tree knows of the module
	// besides (its account, the inputs its caller gives it), for what the
	// files do not say themselves; the result has an entry per path. The
	// tree calls it for a folder's files of this reader instead of Read.
	ReadModule func(files map[string][]byte, ctx ModuleContext) map[string]Result
	// MayHoldPolicy, when set with ReadModule, is a cheap look at a module
	// file saying whether it may hold a policy, where Claims takes a file
	// that only states bucket facts too (Terraform's resource
	// "aws_s3_bucket"). Such facts reach the policies of their set alone:
	// the tree does not read a module whose set can hold no policy, that
	// is, which no .s3policy.json governs and none of whose family (the
	// modules it calls or that call it, up to the top one) may hold one or
	// reads a file (Includes). nil: every module may hold one.
	MayHoldPolicy func(text []byte) bool
	// Includes, when set with ReadModule, lists the other files a
	// module's files read a policy from (Terraform's file() and
	// templatefile()), by path, cleaned: files holds the module's own
	// files by path. The tree reads each one with the module: ReadModule
	// gets its text among files and returns its Result (its kind from its
	// use), and an edit to it reads the module again. ctx is the
	// module's, as ReadModule gets it (a path may be built from a
	// variable).
	Includes func(files map[string][]byte, ctx ModuleContext) []string
	// Calls, when set with ReadModule, lists the modules that a module's
	// files (by path) call in folders below their own (Terraform's
	// module "x" { source = "./modules/y", bucket = "data" }), by the
	// called module's folder, with what the call decides of it. The tree
	// reads a called module in its caller's set, with that context. ctx
	// is the caller's own, as ReadModule gets it: a caller that is itself
	// called passes on the inputs its own caller gives it, and reads no
	// variable files of its folder.
	Calls func(files map[string][]byte, ctx ModuleContext) map[string]ModuleContext
	// MayReachBelow, when set with ReadModule, is a cheap look at one
	// module file saying whether it may call a module (Calls) or read a
	// file (Includes) in the folder below (a slash path from the module's
	// folder) or under it: false of every file of a module only when
	// neither Calls nor Includes could find one there. A folder walk
	// asks it of the modules above a folder with its own .s3policy.json,
	// to tell without parsing them whether their sets may reach into it.
	// nil: every module may.
	MayReachBelow func(text []byte, below string) bool
}

// ModuleContext is what a module is read with besides its files.
type ModuleContext struct {
	// Account is the module's account where its providers do not say:
	// the one .s3policy.json gives its files, or the account of the
	// provider its caller passes it. "" for none.
	Account string
	// Inputs are the values of the module's input variables that the
	// module calling it decides, by name; a value with a template
	// placeholder is one the call passes but the reader cannot read.
	Inputs map[string]string
	// Called is set for a module another module calls (a child): its
	// variables take the call's arguments and their defaults, never the
	// variable files (terraform.tfvars) of its folder, which Terraform
	// reads for the root module only.
	Called bool
}

// Result is what a reader found in a file.
type Result struct {
	Docs []analysis.Document
	// Findings are about the file itself, in its offsets: a template that
	// cannot be read, say. They are reported beside the documents'.
	Findings []analysis.Finding
	// Buckets are the facts the file states about buckets (a template's
	// encryption and ownership settings); .s3policy.json adds to them.
	Buckets []*analysis.BucketFacts
}

// HasExtension reports whether the name ends with one of the reader's
// extensions, whatever its case: a.iam-policy.JSON is read like a.json.
func (r *Reader) HasExtension(name string) bool {
	lower := ""
	for _, ext := range r.Extensions {
		if match, known := asciiSuffixFold(name, ext); known {
			if match {
				return true
			}
			continue
		}
		if lower == "" {
			lower = strings.ToLower(filepath.Base(name))
		}
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}

// asciiSuffixFold says whether name ends with ext, a lower-case ending,
// whatever the case of name's ASCII letters, when it can tell from name's
// last bytes alone (known): read from the end, as long as they are ASCII
// and no path separator they are the end of the name's base, lower-cased
// byte for byte, so the first that differs says no, and all of ext alike
// says yes. It decides without making the lower-case base, which the
// first scan asked for some 30,000 times at 10,000 files on its one-core
// stretch (the module tests of the set's completion), and for each
// reader of each file again.
func asciiSuffixFold(name, ext string) (match, known bool) {
	if len(ext) == 0 || len(name) < len(ext) {
		return false, false
	}
	tail := name[len(name)-len(ext):]
	for i := len(ext) - 1; i >= 0; i-- {
		c, e := tail[i], ext[i]
		if c >= 0x80 || e >= 0x80 || isSeparator(c) || isSeparator(e) || 'A' <= e && e <= 'Z' {
			return false, false
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != e {
			return false, true
		}
	}
	return true, true
}

// isSeparator says whether a byte may end a folder's name in a path, here
// or on Windows (a volume's colon too): never part of a base.
func isSeparator(c byte) bool { return c == '/' || c == '\\' || c == ':' }

// Read finds the policies of a file with the first reader that claims it
// and finds something there. A claim is a cheap guess ("AWS::" and
// "Resources" in a .json file): when the reader finds neither a policy
// nor anything to say, the next one is asked, so that a policy that only
// mentions a template's words is still read as a policy.
func Read(readers []*Reader, path string, text []byte) Result {
	for _, r := range readers {
		if !r.HasExtension(path) || r.Claims != nil && !r.Claims(path, text) {
			continue
		}
		if res := r.Read(path, text); len(res.Docs) > 0 || len(res.Findings) > 0 || len(res.Buckets) > 0 {
			return res
		}
	}
	return Result{}
}

// Candidate reports whether some reader may read a file of this name.
func Candidate(readers []*Reader, path string) bool {
	for _, r := range readers {
		if r.HasExtension(path) {
			return true
		}
	}
	return false
}

// Files prepares each document of a result for the checks, under the
// .s3policy.json that governs the file (nil for none).
func (res Result) Files(path string, cfg *analysis.Config) []*analysis.File {
	out := make([]*analysis.File, 0, len(res.Docs))
	for _, d := range res.Docs {
		out = append(out, analysis.NewDocumentFile(path, d, cfg))
	}
	return out
}
