package terraform

import (
	"bytes"
	"path/filepath"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source/template"
)

// A module may read a policy from a file of its folder:
//
//	policy = file("${path.module}/policies/bucket.json")
//	policy = templatefile("${path.module}/key-policy.json.tpl", { account_id = ... })
//
// That file is read with the kind, reason and facts its use gives it, as
// a policy written in place is, and its findings land in it. The path is
// the module's to decide (a literal, path.module, a variable's value, a
// local); a file outside the module's folder is not followed. A
// templatefile variable the module decides is read as its value inside a
// JSON string; the others stay placeholders.
// https://developer.hashicorp.com/terraform/language/functions/file
// https://developer.hashicorp.com/terraform/language/functions/templatefile

// Includes lists the files of a module's folder that its file() and
// templatefile() calls read (source.Reader.Includes), their paths decided
// as ReadModule decides them with ctx: a variable of the root module
// takes the value of its variable files (tfvars.go), one of a called
// module the input its caller gives it. A module that calls neither is
// not parsed.
func Includes(files map[string][]byte, ctx source.ModuleContext) []string {
	files, included := splitIncluded(files)
	calls := false
	for _, text := range files {
		calls = calls || readsFile(text)
	}
	if !calls {
		return nil
	}
	m := parseModule(files)
	m.account, m.inputs = ctx.Account, ctx.Inputs
	if !ctx.Called {
		m.readVarFiles(included)
	}
	var out []string
	for _, c := range m.fileCalls(nil) {
		if !slices.Contains(out, c.path) {
			out = append(out, c.path)
		}
	}
	slices.Sort(out)
	return out
}

// readsFile is the cheap byte scan that spares parsing a module that
// calls neither file() nor templatefile().
func readsFile(text []byte) bool { return bytes.Contains(text, []byte("file(")) }

// includable reports whether a file read by file() or templatefile() may
// hold a policy the module reads: JSON, or a template of it.
func includable(path string) bool {
	return isTemplate(path) || strings.HasSuffix(strings.ToLower(path), ".json") && !isModuleFile(path)
}

// isTemplate reports whether a file's name is a template's.
func isTemplate(path string) bool {
	lower := strings.ToLower(path)
	for _, ext := range []string{".tpl", ".tftpl", ".tmpl", ".j2"} {
		if strings.HasSuffix(lower, ext) {
			return true
		}
	}
	return false
}

// isModuleFile reports whether a file is one of the module's own.
func isModuleFile(path string) bool {
	lower := strings.ToLower(path)
	return strings.HasSuffix(lower, ".tf") || strings.HasSuffix(lower, ".tf.json")
}

// splitIncluded separates the module's own files from the files its
// calls read, which the tree passes along.
func splitIncluded(files map[string][]byte) (own, included map[string][]byte) {
	own, included = map[string][]byte{}, map[string][]byte{}
	for p, text := range files {
		if isModuleFile(p) {
			own[p] = text
		} else {
			included[p] = text
		}
	}
	return own, included
}

// fileCall is a file() or templatefile() call whose path the module
// decides, in its folder.
type fileCall struct {
	path string
	file *tfFile // nil when not asked for
	call *hclsyntax.FunctionCallExpr
}

// fileCalls lists the calls in an expression (nil: in the whole module,
// each with its file), in source order.
func (m *module) fileCalls(e hclsyntax.Expression) []fileCall {
	var out []fileCall
	visit := func(f *tfFile, n hclsyntax.Node) {
		hclsyntax.VisitAll(n, func(n hclsyntax.Node) hcl.Diagnostics {
			call, ok := n.(*hclsyntax.FunctionCallExpr)
			if !ok || (call.Name != "file" && call.Name != "templatefile") || len(call.Args) == 0 {
				return nil
			}
			if path, ok := m.includedPath(call.Args[0]); ok {
				out = append(out, fileCall{path, f, call})
			}
			return nil
		})
	}
	if e != nil {
		visit(nil, e)
		return out
	}
	for _, f := range m.files {
		visit(f, f.body)
	}
	return out
}

// includedPath is the file a path expression names, when the module
// decides it and it lies in the module's folder. Terraform reads a
// relative path from the working folder, which for the root module is
// its own.
func (m *module) includedPath(e hclsyntax.Expression) (string, bool) {
	p, ok := m.resolve(e, 0)
	if !ok || p == "" || analysis.HasPlaceholder(p) {
		return "", false
	}
	p = filepath.FromSlash(p)
	if !filepath.IsAbs(p) {
		p = filepath.Join(m.dir, p)
	}
	p = filepath.Clean(p)
	rel, err := filepath.Rel(m.dir, p)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || !includable(p) {
		return "", false
	}
	return p, true
}

// includes are the files the module's calls read (their texts, as the
// tree passes them) and what each holds.
type includes struct {
	includedText map[string][]byte
	included     map[string]*includedFile // by path
}

// includedFile is a file the module reads: its policy is one document of
// the module (no JSON text of the module's own: it is never built), whose
// use decides the kind of the file's documents.
type includedFile struct {
	doc    *doc
	result source.Result
}

// includedDocs reads each file the module's calls read, as its first call
// reads it: a document used nowhere keeps the kind its name or content
// gives it.
func (m *module) includedDocs() {
	m.included = map[string]*includedFile{}
	for _, c := range m.fileCalls(nil) {
		text, ok := m.includedText[c.path]
		if !ok || m.included[c.path] != nil {
			continue
		}
		d := &doc{file: c.file}
		m.included[c.path] = &includedFile{doc: d, result: m.readIncluded(c, text)}
		m.docs = append(m.docs, d)
	}
}

// includedDoc is the document of the file a call reads, or nil.
func (m *module) includedDoc(c fileCall) *doc {
	if inc := m.included[c.path]; inc != nil {
		return inc.doc
	}
	return nil
}

// isIncluded reports whether a document is a file the module reads.
func (m *module) isIncluded(d *doc) bool {
	for _, inc := range m.included {
		if inc.doc == d {
			return true
		}
	}
	return false
}

// readIncluded reads a file as a call reads it: templatefile() fills in
// the variables the module decides; a template read by file() keeps its
// placeholders unknown.
func (m *module) readIncluded(c fileCall, text []byte) source.Result {
	if c.call.Name == "templatefile" {
		return template.ReadValues(c.path, text, m.templateValues(c))
	}
	if isTemplate(c.path) {
		return template.ReadValues(c.path, text, nil)
	}
	return source.JSON.Read(c.path, text)
}

// templateValues are the variables of a templatefile() call that the
// module decides.
func (m *module) templateValues(c fileCall) map[string]string {
	if len(c.call.Args) < 2 {
		return nil
	}
	obj, ok := unparen(c.call.Args[1]).(*hclsyntax.ObjectConsExpr)
	if !ok {
		return nil
	}
	values := map[string]string{}
	for _, item := range obj.Items {
		name := hcl.ExprAsKeyword(item.KeyExpr)
		if name == "" {
			name, _ = m.resolve(item.KeyExpr, 0)
		}
		if v, ok := m.resolve(item.ValueExpr, 0); ok && name != "" && !analysis.HasPlaceholder(v) {
			values[name] = v
		}
	}
	return values
}

// includedResults gives each included file its result, its documents
// with the kind, reason and facts of their use.
func (m *module) includedResults(out map[string]source.Result) {
	for path, inc := range m.included {
		d, res := inc.doc, inc.result
		res.Docs = slices.Clone(res.Docs)
		for i := range res.Docs {
			if d.kind != analysis.KindUnknown {
				res.Docs[i].Kind, res.Docs[i].KindReason, res.Docs[i].Facts = d.kind, d.reason, d.facts
			}
		}
		out[path] = res
	}
}
