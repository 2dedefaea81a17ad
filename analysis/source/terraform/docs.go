package terraform

import (
	"fmt"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// doc is a policy written in the module.
type doc struct {
	file *tfFile
	// site is where it is written: the address of the block ("aws_iam_role.app",
	// "local.read", "data.aws_iam_policy_document.read") and the attribute
	// ("assume_role_policy", "inline_policy.policy"; "" for a policy
	// document block).
	addr, attr string
	name       string // Document.Name: unique in its file
	expr       hclsyntax.Expression
	block      *hclsyntax.Block // a data "aws_iam_policy_document" block

	built bool // its JSON text was written
	text  []byte
	host  *analysis.HostMap

	kind   analysis.Kind
	reason string
	facts  *analysis.FileFacts
}

func (d *doc) document() analysis.Document {
	return analysis.Document{Name: d.name, Text: d.text, Host: d.host, Kind: d.kind, KindReason: d.reason, Facts: d.facts}
}

// findDocuments finds the policies of every file and writes each one's
// JSON text.
func (m *module) findDocuments() {
	for _, f := range m.files {
		names := map[string]int{}
		for _, b := range f.body.Blocks {
			switch {
			case b.Type == "data" && len(b.Labels) == 2 && b.Labels[0] == "aws_iam_policy_document":
				m.addDoc(&doc{file: f, addr: "data.aws_iam_policy_document." + b.Labels[1], block: b}, names)
			case b.Type == "locals":
				for _, a := range sortedAttrs(b.Body) {
					m.scanExpr(f, "local."+a.Name, "", a.Expr, names)
				}
			default:
				m.scanBody(f, blockAddr(b), "", b.Body, names)
			}
		}
	}
	for _, d := range m.docs {
		m.build(d)
	}
}

// blockAddr is how references name a top-level block.
func blockAddr(b *hclsyntax.Block) string {
	switch {
	case b.Type == "resource" && len(b.Labels) == 2:
		return b.Labels[0] + "." + b.Labels[1]
	case b.Type == "variable" && len(b.Labels) == 1:
		return "var." + b.Labels[0]
	case len(b.Labels) > 0:
		return b.Type + "." + strings.Join(b.Labels, ".")
	}
	return b.Type
}

func (m *module) scanBody(f *tfFile, addr, prefix string, body *hclsyntax.Body, names map[string]int) {
	for _, a := range sortedAttrs(body) {
		m.scanExpr(f, addr, prefix+a.Name, a.Expr, names)
	}
	for _, b := range body.Blocks {
		m.scanBody(f, addr, prefix+b.Type+".", b.Body, names)
	}
}

// scanExpr finds the policies in an attribute's expression: a
// jsonencode of an object with a Statement, a string of JSON with one.
func (m *module) scanExpr(f *tfFile, addr, attrName string, e hclsyntax.Expression, names map[string]int) {
	add := func(e hclsyntax.Expression) {
		m.addDoc(&doc{file: f, addr: addr, attr: attrName, expr: e}, names)
	}
	switch e := e.(type) {
	case *hclsyntax.FunctionCallExpr:
		if e.Name == "jsonencode" && len(e.Args) == 1 {
			if obj, ok := unparen(e.Args[0]).(*hclsyntax.ObjectConsExpr); ok && objectKey(f, obj, "Statement") != nil {
				add(e)
				return
			}
		}
		for _, arg := range e.Args {
			m.scanExpr(f, addr, attrName, arg, names)
		}
	case *hclsyntax.TemplateExpr:
		if isJSONTemplate(f, e) {
			add(e)
		}
	case *hclsyntax.TemplateWrapExpr:
		m.scanExpr(f, addr, attrName, e.Wrapped, names)
	case *hclsyntax.ParenthesesExpr:
		m.scanExpr(f, addr, attrName, e.Expression, names)
	case *hclsyntax.ConditionalExpr:
		m.scanExpr(f, addr, attrName, e.TrueResult, names)
		m.scanExpr(f, addr, attrName, e.FalseResult, names)
	case *hclsyntax.TupleConsExpr:
		for _, x := range e.Exprs {
			m.scanExpr(f, addr, attrName, x, names)
		}
	case *hclsyntax.ObjectConsExpr:
		for _, item := range e.Items {
			m.scanExpr(f, addr, attrName, item.ValueExpr, names)
		}
	}
}

func unparen(e hclsyntax.Expression) hclsyntax.Expression {
	for {
		p, ok := e.(*hclsyntax.ParenthesesExpr)
		if !ok {
			return e
		}
		e = p.Expression
	}
}

// isJSONTemplate reports whether a string or heredoc holds a JSON policy:
// it starts with "{" and names a Statement.
func isJSONTemplate(f *tfFile, e *hclsyntax.TemplateExpr) bool {
	raw := f.text(e.SrcRange)
	if !strings.Contains(raw, "Statement") {
		return false
	}
	c, ok := templateContent(f, e)
	text := strings.TrimSpace(string(f.src[c.Start:c.End]))
	for !isHeredoc(f, e) && (strings.HasPrefix(text, `\n`) || strings.HasPrefix(text, `\r`) || strings.HasPrefix(text, `\t`)) {
		text = strings.TrimSpace(text[2:]) // a quoted string's escaped line break
	}
	return ok && strings.HasPrefix(text, "{")
}

// addDoc names a document after where it is written, uniquely in its
// file: the resource, with the attribute unless it is the usual policy.
func (m *module) addDoc(d *doc, names map[string]int) {
	d.name = d.addr
	if d.attr != "" && d.attr != "policy" && !strings.HasPrefix(d.addr, "local.") {
		d.name += "." + d.attr
	}
	names[d.name]++
	if n := names[d.name]; n > 1 {
		d.name += fmt.Sprintf("#%d", n)
	}
	m.docs = append(m.docs, d)
}

// build writes a document's JSON text with its map to the HCL.
func (m *module) build(d *doc) {
	var b analysis.HostBuilder
	var whole hcl.Range
	var encode func(int, string) (string, bool)
	switch {
	case d.block != nil:
		whole = d.block.Range()
		m.padTo(&b, whole.Start.Line)
		m.region = d.file.newRegion()
		encode = encodeHCL(true)
		m.inBlock = true
		ins := m.writePolicyDocument(&b, d.file, d.block)
		m.inBlock = false
		if ins != nil {
			encode = func(region int, text string) (string, bool) {
				if region == ins.region {
					return ins.encode(text)
				}
				return encodeHCL(true)(region, text)
			}
		}
	default:
		whole = d.expr.Range()
		switch e := d.expr.(type) {
		case *hclsyntax.FunctionCallExpr:
			m.region = d.file.newRegion()
			m.writeValue(&b, d.file, e.Args[0])
			encode = encodeHCL(false)
		case *hclsyntax.TemplateExpr:
			var ok bool
			if encode, ok = m.writeVerbatim(&b, d.file, e); !ok {
				return
			}
		}
	}
	m.region = 0
	if w := span(whole); w.Start < 0 || w.End > len(d.file.src) || w.Start == w.End {
		return // what hcl recovered from broken text
	}
	d.text = b.Text()
	d.host = b.Map(span(whole))
	d.host.Encode = encode
	d.built = true
}
