// Package terraform finds the policies of a Terraform module (.tf, and
// .tf.json read as the HCL it stands for: tfjson.go): JSON in
// heredocs and quoted strings, jsonencode({...}) objects and
// data "aws_iam_policy_document" blocks. A module (the .tf files of one
// folder) is read as a whole, since a policy's kind and owner come from
// the resources that use it, often in another file: the bucket policy
// resource names the bucket, a role attaches an IAM policy, the bucket's
// encryption configuration names its KMS key.
//
// Every document's JSON text maps to the HCL it came from
// (analysis.HostMap): findings land on the attribute, the list element,
// the string inside a heredoc, and the text keeps the HCL's line numbers.
// Quick fixes are written as JSON inside heredocs and quoted strings, and
// in jsonencode objects and policy document blocks where HCL reads the
// JSON alike (translate.go).
package terraform

import (
	"bytes"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// Reader reads .tf and .tf.json files, a folder at a time.
var Reader = &source.Reader{
	Name: "terraform",
	// The variable files Terraform loads by itself are read with the
	// module they set (tfvars.go); an edit to one reads it again.
	Extensions: []string{".tf", ".tf.json", "terraform.tfvars", "terraform.tfvars.json", ".auto.tfvars", ".auto.tfvars.json"},
	Claims:     func(_ string, text []byte) bool { return worthReading(text) },
	Read: func(path string, text []byte) source.Result {
		return ReadModule(map[string][]byte{path: text}, "")[path]
	},
	ReadModule:    readModule,
	MayHoldPolicy: mentionsPolicy,
	Includes:      Includes,
	Calls:         Calls,
	MayReachBelow: mayReachBelow,
}

// mayReachBelow reports whether a module file may call a module or read
// a file in the folder below (a slash path from the module's folder) or
// under it (source.Reader.MayReachBelow). A file() or templatefile()
// may: its path may be built of any file's locals and variables, and
// Includes parses no module none of whose files holds "file(". A call's
// source is a literal (localSource) that, cleaned, starts with below's
// names, so the file of the call writes each of them and the word module
// (callsModule's test is not enough: Calls parses every file of a module
// once one passes it), unless an escape (\u) writes them.
func mayReachBelow(text []byte, below string) bool {
	if readsFile(text) || bytes.Contains(text, []byte(`\u`)) || bytes.Contains(text, []byte(`\U`)) {
		return true
	}
	return bytes.Contains(text, []byte("module")) && namesFolder(text, below)
}

// namesFolder reports whether a file may write a path to the folder
// below (slash-separated) in a string: each name of it appears in the
// text, or is one a string writes with an escape.
func namesFolder(text []byte, below string) bool {
	for _, name := range strings.Split(below, "/") {
		if strings.ContainsFunc(name, escapable) {
			return true
		}
		if !bytes.Contains(text, []byte(name)) {
			return false
		}
	}
	return true
}

// escapable reports whether an HCL or JSON string may write a character
// of a name only with an escape: a control character, a quote, a
// backslash, and $ and % (a template's $${ and %%{).
func escapable(r rune) bool { return r < 0x20 || strings.ContainsRune(`\"$%`, r) }

// worthReading is the cheap byte scan that spares parsing a file (or a
// whole module) that holds neither a policy nor a bucket. A module that
// only declares buckets (a common layout: the buckets in one module, the
// policies that use them in another, or in JSON files of the same
// .s3policy.json) still gives their owner, Requester Pays, object
// ownership and encryption to the policies of its set; the tree does not
// read it when its set can hold no policy (mentionsPolicy,
// source.Reader.MayHoldPolicy).
func worthReading(text []byte) bool {
	return mentionsPolicy(text) || mentionsBucket(text)
}

// mentionsPolicy reports whether a file may hold a policy: every policy
// has a Statement, a statement block or a policy attribute.
func mentionsPolicy(text []byte) bool {
	return bytes.Contains(text, []byte("tatement")) || bytes.Contains(text, []byte("olicy"))
}

// mentionsBucket reports whether a file may declare a bucket, a resource
// "aws_s3_bucket". It is looked for as "3_bucket": a search skips to the
// rare '3' where "aws_" is met at every resource, which made the scan of a
// module with neither half as fast again (a variable named s3_bucket_x is
// parsed for nothing).
func mentionsBucket(text []byte) bool {
	return bytes.Contains(text, []byte("3_bucket"))
}

// ReadModule reads the .tf files of one module (by path) together and
// returns each file's documents and the bucket facts of the module. The
// account, when not "", is the module's where its providers do not say
// (.s3policy.json names it). A module that mentions neither a policy
// nor a bucket is not parsed.
func ReadModule(files map[string][]byte, account string) map[string]source.Result {
	return readModule(files, source.ModuleContext{Account: account})
}

// readModule is ReadModule with what the tree knows of the module: its
// account, and the inputs its caller gives it (calls.go).
func readModule(files map[string][]byte, ctx source.ModuleContext) map[string]source.Result {
	out := make(map[string]source.Result, len(files))
	any := false
	for _, text := range files {
		any = any || worthReading(text)
	}
	if !any {
		return out
	}
	files, included := splitIncluded(files)
	m := parseModule(files)
	m.account, m.inputs = ctx.Account, ctx.Inputs
	if !ctx.Called {
		m.readVarFiles(included) // tfvars.go: the root module's variable files
	}
	m.findDocuments()
	m.includedText = included
	m.includedDocs() // file() and templatefile() (include.go)
	m.decideUses()
	buckets := m.bucketFacts()
	for _, f := range m.files {
		res := source.Result{}
		for _, d := range m.docs {
			if d.file == f && d.built {
				res.Docs = append(res.Docs, d.document())
			}
		}
		// The facts of the module's buckets go with the file that declares
		// each bucket, so the tree records them once.
		for _, b := range buckets {
			if b.file == f {
				res.Buckets = append(res.Buckets, b.facts)
			}
		}
		out[f.path] = res
	}
	m.includedResults(out)
	return out
}

// tfFile is one parsed .tf file.
type tfFile struct {
	path    string
	src     []byte
	body    *hclsyntax.Body
	regions int // the writable regions handed out so far
}

func (f *tfFile) text(r hcl.Range) string {
	if r.Start.Byte < 0 || r.End.Byte > len(f.src) || r.Start.Byte > r.End.Byte {
		return ""
	}
	return string(f.src[r.Start.Byte:r.End.Byte])
}

func (f *tfFile) newRegion() int {
	f.regions++
	return f.regions
}

// block is a top-level block of the module with the file it is in.
type block struct {
	file *tfFile
	b    *hclsyntax.Block
}

// module indexes the blocks of a module by the addresses references use.
type module struct {
	dir       string
	files     []*tfFile
	resources map[string]block // "aws_s3_bucket.data"
	data      map[string]block // "aws_iam_policy_document.read"
	locals    map[string]*local
	variables map[string]block
	providers map[string]block // "aws", "aws.partner"
	docs      []*doc
	expanding int        // locals being written into a document, nested
	bindings  []*binding // the iterators of the dynamic blocks being written
	region    int        // the writable region of the translated document being written
	// inBlock: the document being written is a data "aws_iam_policy_document"
	// block, whose strings spell IAM policy variables &{aws:username}.
	inBlock  bool
	account  string              // the account .s3policy.json gives the module, if any
	includes                     // the files its file() and templatefile() calls read
	inputs   map[string]string   // the values its caller gives its variables (calls.go)
	vars     map[string]varValue // the root module's variable files set (tfvars.go)
}

type local struct {
	file *tfFile
	attr *hclsyntax.Attribute
}

func parseModule(files map[string][]byte) *module {
	m := &module{
		resources: map[string]block{}, data: map[string]block{}, locals: map[string]*local{},
		variables: map[string]block{}, providers: map[string]block{},
	}
	paths := make([]string, 0, len(files))
	for p := range files {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		m.dir = filepath.Dir(p)
		f := &tfFile{path: p, src: files[p]}
		if f.body = parseFile(f.src, p); f.body == nil {
			continue
		}
		m.files = append(m.files, f)
		m.index(f)
	}
	return m
}

// parseFile parses a .tf file, or reads a .tf.json file as the HCL it
// stands for (tfjson.go). Syntax errors are terraform-ls's to report:
// what parses is read.
func parseFile(src []byte, path string) *hclsyntax.Body {
	if isTFJSON(path) {
		return parseJSONConfig(src, path)
	}
	file, _ := hclsyntax.ParseConfig(src, path, hcl.InitialPos)
	if file == nil {
		return nil
	}
	body, _ := file.Body.(*hclsyntax.Body)
	return body
}

func (m *module) index(f *tfFile) {
	for _, b := range f.body.Blocks {
		switch {
		case b.Type == "resource" && len(b.Labels) == 2:
			m.resources[b.Labels[0]+"."+b.Labels[1]] = block{f, b}
		case b.Type == "data" && len(b.Labels) == 2:
			m.data[b.Labels[0]+"."+b.Labels[1]] = block{f, b}
		case b.Type == "variable" && len(b.Labels) == 1:
			m.variables[b.Labels[0]] = block{f, b}
		case b.Type == "provider" && len(b.Labels) == 1:
			name := b.Labels[0]
			if alias, ok := literalString(attr(b.Body, "alias")); ok {
				name += "." + alias
			}
			m.providers[name] = block{f, b}
		case b.Type == "locals":
			for name, a := range b.Body.Attributes {
				m.locals[name] = &local{f, a}
			}
		}
	}
}

// attr returns the expression of a body's attribute, or nil.
func attr(body *hclsyntax.Body, name string) hclsyntax.Expression {
	if body == nil {
		return nil
	}
	if a, ok := body.Attributes[name]; ok {
		return a.Expr
	}
	return nil
}

// blocksOf lists a body's nested blocks of a type, in source order.
func blocksOf(body *hclsyntax.Body, typ string) []*hclsyntax.Block {
	if body == nil {
		return nil
	}
	var out []*hclsyntax.Block
	for _, b := range body.Blocks {
		if b.Type == typ {
			out = append(out, b)
		}
	}
	return out
}

// sortedAttrs lists a body's attributes in source order.
func sortedAttrs(body *hclsyntax.Body) []*hclsyntax.Attribute {
	out := make([]*hclsyntax.Attribute, 0, len(body.Attributes))
	for _, a := range body.Attributes {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *hclsyntax.Attribute) int { return a.SrcRange.Start.Byte - b.SrcRange.Start.Byte })
	return out
}

// span is a range's bytes; a range hcl recovered from broken text may end
// before it starts, and is then empty.
func span(r hcl.Range) analysis.Span {
	return analysis.Span{Start: r.Start.Byte, End: max(r.Start.Byte, r.End.Byte)}
}
