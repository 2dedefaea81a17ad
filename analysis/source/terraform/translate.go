package terraform

import (
	"bytes"
	"strconv"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// A jsonencode({...}) object and a policy document block are HCL, not
// JSON: they are translated, each JSON element wrapped to the HCL element
// it comes from. A string written as JSON writes it ("s3:GetObject") is
// copied with its quotes, writable: JSON strings, lists and, inside
// jsonencode, objects ({"Key": value}) are HCL expressions too, so a fix
// that replaces a string or adds one to a list is written as it is (with
// ${ escaped as $${). In a policy document block a fix that would add an
// object member is not offered: there HCL takes blocks and attributes.
// https://developer.hashicorp.com/terraform/language/expressions/types

// encodeHCL writes a fix's JSON into a translated document: as it is,
// with HCL's template escapes; in a policy document block only strings
// and lists.
func encodeHCL(block bool) func(int, string) (string, bool) {
	return func(_ int, text string) (string, bool) {
		if block && hasMember(text) {
			return "", false
		}
		return encodeTemplate(text, false), true
	}
}

// hasMember reports whether JSON text has an object brace or member
// colon outside its strings.
func hasMember(text string) bool {
	in := false
	for i := 0; i < len(text); i++ {
		switch c := text[i]; {
		case in && c == '\\':
			i++
		case c == '"':
			in = !in
		case !in && (c == ':' || c == '{' || c == '}'):
			return true
		}
	}
	return false
}

// writeValue translates an HCL expression of a jsonencode argument.
func (m *module) writeValue(b *analysis.HostBuilder, f *tfFile, e hclsyntax.Expression) {
	e = unparen(e)
	m.padTo(b, e.Range().Start.Line)
	b.Wrap(span(e.Range()), func() {
		switch e := e.(type) {
		case *hclsyntax.ObjectConsExpr:
			b.Write("{")
			for i, item := range e.Items {
				if i > 0 {
					b.Write(", ")
				}
				key, _ := keyName(f, item.KeyExpr)
				m.padTo(b, item.KeyExpr.Range().Start.Line)
				b.Wrap(span(item.KeyExpr.Range()), func() { b.Write(analysis.Quote(key)) })
				b.Write(": ")
				if key == "Statement" && !m.structured(item.ValueExpr, 0) {
					// Statements the module computes (a for expression, a
					// variable): none known, rather than a string where
					// statements belong.
					b.Wrap(span(item.ValueExpr.Range()), func() { b.Write("[]") })
					continue
				}
				m.writeValue(b, f, item.ValueExpr)
			}
			b.Write("}")
		case *hclsyntax.TupleConsExpr:
			b.Write("[")
			for i, x := range e.Exprs {
				if i > 0 {
					b.Write(", ")
				}
				m.writeValue(b, f, x)
			}
			b.Write("]")
		case *hclsyntax.TemplateExpr:
			m.writeString(b, f, e)
		case *hclsyntax.TemplateWrapExpr:
			// "${x}" is x, of whatever type: a list stays a list, and a
			// placeholder is the reference's text, not the quotes'.
			m.writeValue(b, f, e.Wrapped)
		case *hclsyntax.LiteralValueExpr:
			b.Write(literalJSON(e.Val))
		case *hclsyntax.FunctionCallExpr:
			if e.Name == "concat" {
				m.writeConcat(b, f, e)
				return
			}
			b.Write(analysis.Quote(m.placeholderOrValue(f, e)))
		case *hclsyntax.ScopeTraversalExpr:
			if x, xf, ok := m.iteratorValue(e.Traversal); ok {
				m.writeValue(b, xf, x) // an element of a dynamic block's for_each
				return
			}
			if l := m.localOf(e); l != nil && m.expanding < maxDepth && m.structured(l.attr.Expr, 0) {
				// A local's object or list, written where it is used: its
				// elements are elsewhere, so all of it maps here.
				var inner analysis.HostBuilder
				m.expanding++ // a local may hold itself: local.a = [local.a]
				m.writeValue(&inner, l.file, l.attr.Expr)
				m.expanding--
				b.Write(string(inner.Text()))
				return
			}
			b.Write(analysis.Quote(m.placeholderOrValue(f, e)))
		default:
			b.Write(analysis.Quote(m.placeholderOrValue(f, e)))
		}
	})
}

// padTo writes line breaks (JSON whitespace) until the document's text
// is on the host's line: a document's line numbers are then its host's,
// for the reports that count lines in the document's own text (explain's
// causes). A local written where it is used is not padded.
func (m *module) padTo(b *analysis.HostBuilder, line int) {
	if m.expanding > 0 {
		return
	}
	for n := bytes.Count(b.Text(), []byte("\n")) + 1; n < line; n++ {
		b.Write("\n")
	}
}

// writeConcat writes concat() of lists as one list: the elements of the
// lists written in place, those of computed lists left out.
func (m *module) writeConcat(b *analysis.HostBuilder, f *tfFile, e *hclsyntax.FunctionCallExpr) {
	b.Write("[")
	n := 0
	for _, arg := range e.Args {
		t, ok := unparen(arg).(*hclsyntax.TupleConsExpr)
		if !ok {
			continue
		}
		for _, x := range t.Exprs {
			if n > 0 {
				b.Write(", ")
			}
			n++
			m.writeValue(b, f, x)
		}
	}
	b.Write("]")
}

// structured reports whether an expression is written as an object or a
// list (directly, through a local, or as concat of lists).
func (m *module) structured(e hclsyntax.Expression, depth int) bool {
	switch e := unparen(e).(type) {
	case *hclsyntax.ObjectConsExpr, *hclsyntax.TupleConsExpr:
		return true
	case *hclsyntax.FunctionCallExpr:
		return e.Name == "concat"
	case *hclsyntax.ScopeTraversalExpr:
		l := m.localOf(e)
		return l != nil && depth < maxDepth && m.structured(l.attr.Expr, depth+1)
	}
	return false
}

// localOf is the local a reference names (local.x), or nil.
func (m *module) localOf(e *hclsyntax.ScopeTraversalExpr) *local {
	if n := names(e.Traversal); len(n) == 2 && len(e.Traversal) == 2 && n[0] == "local" {
		return m.locals[n[1]]
	}
	return nil
}

// writeString translates a string: literal parts copied where the HCL
// writes them as JSON would, interpolations as their value or placeholder.
func (m *module) writeString(b *analysis.HostBuilder, f *tfFile, e *hclsyntax.TemplateExpr) {
	if s, ok := literalString(e); ok && f.text(e.SrcRange) == analysis.Quote(m.policyText(s)) && len(e.Parts) <= 1 {
		// Written as JSON writes it: a fix may replace it, or add next to
		// it, in JSON, which HCL reads alike.
		b.Copy(span(e.SrcRange), analysis.Quote(s), m.region)
		return
	}
	b.Write(`"`)
	for _, p := range e.Parts {
		lit, ok := p.(*hclsyntax.LiteralValueExpr)
		if !ok {
			b.Wrap(span(p.Range()), func() { b.Write(jsonContent(m.placeholderOrValue(f, p))) })
			continue
		}
		s, _ := stringOf(lit.Val)
		s = m.policyText(s)
		if raw := f.text(lit.SrcRange); raw == s && jsonContent(s) == s {
			b.Copy(span(lit.SrcRange), s, 0)
		} else {
			b.Wrap(span(lit.SrcRange), func() { b.Write(jsonContent(s)) })
		}
	}
	b.Write(`"`)
}

// policyText is a literal string as the policy AWS reads holds it: in a
// data "aws_iam_policy_document" block the provider writes each
// &{variable} as ${variable}, the spelling of IAM policy variables that
// Terraform would otherwise take for its own interpolation.
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document#context-variable-interpolation
func (m *module) policyText(s string) string {
	if !m.inBlock || !strings.Contains(s, "&{") {
		return s
	}
	return strings.ReplaceAll(s, "&{", "${")
}

func literalJSON(v cty.Value) string {
	switch {
	case v.IsNull() || !v.IsKnown():
		return "null"
	case v.Type() == cty.String:
		return analysis.Quote(v.AsString())
	case v.Type() == cty.Bool:
		return strconv.FormatBool(v.True())
	case v.Type() == cty.Number:
		return v.AsBigFloat().Text('g', -1)
	}
	return "null"
}

func stringOf(v cty.Value) (string, bool) {
	if v.IsNull() || !v.IsKnown() || v.Type() != cty.String {
		return "", false
	}
	return v.AsString(), true
}

// keyName is an object key: a bare name or a literal string.
func keyName(f *tfFile, key hclsyntax.Expression) (string, bool) {
	if kw := hcl.ExprAsKeyword(key); kw != "" {
		return kw, true
	}
	if k, ok := key.(*hclsyntax.ObjectConsKeyExpr); ok {
		key = k.Wrapped
	}
	if s, ok := literalString(key); ok {
		return s, true
	}
	return "${" + sanitize(f.text(key.Range())) + "}", false
}

// objectKey returns the value of an object's item with the key name.
func objectKey(f *tfFile, obj *hclsyntax.ObjectConsExpr, name string) hclsyntax.Expression {
	for _, item := range obj.Items {
		if k, ok := keyName(f, item.KeyExpr); ok && k == name {
			return item.ValueExpr
		}
	}
	return nil
}

// literalString is the value of a string written without interpolation.
func literalString(e hclsyntax.Expression) (string, bool) {
	switch e := e.(type) {
	case *hclsyntax.LiteralValueExpr:
		return stringOf(e.Val)
	case *hclsyntax.TemplateExpr:
		s := ""
		for _, p := range e.Parts {
			lit, ok := p.(*hclsyntax.LiteralValueExpr)
			if !ok {
				return "", false
			}
			v, ok := stringOf(lit.Val)
			if !ok {
				return "", false
			}
			s += v
		}
		return s, true
	case *hclsyntax.ParenthesesExpr:
		return literalString(e.Expression)
	}
	return "", false
}

// The elements of a statement block and the JSON keys they stand for.
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document
var statementAttrs = []struct{ hcl, json string }{
	{"sid", "Sid"}, {"effect", "Effect"},
	{"actions", "Action"}, {"not_actions", "NotAction"},
	{"resources", "Resource"}, {"not_resources", "NotResource"},
}

// writePolicyDocument translates a data "aws_iam_policy_document" block,
// and returns where a statement may be added (nil: nowhere).
func (m *module) writePolicyDocument(b *analysis.HostBuilder, f *tfFile, blk *hclsyntax.Block) *statementInsert {
	body := blk.Body
	b.Write(`{"Version": `)
	if v := attr(body, "version"); v != nil {
		m.writeValue(b, f, v)
	} else {
		b.Write(`"2012-10-17"`)
	}
	if id := attr(body, "policy_id"); id != nil {
		b.Write(`, "Id": `)
		m.writeValue(b, f, id)
	}
	b.Write(`, "Statement": [`)
	statements := m.expandBlocks(f, body, "statement")
	for i, st := range statements {
		if i > 0 {
			b.Write(", ")
		}
		m.padTo(b, st.outer.Range().Start.Line)
		b.Wrap(span(st.outer.Range()), func() { m.withBinding(st, func() { m.writeStatement(b, f, st.b) }) })
	}
	var ins *statementInsert
	if len(statements) > 0 {
		ins = m.markStatementEnd(b, f, blk, statements[len(statements)-1].outer)
	}
	b.Write("]}")
	return ins
}

func (m *module) writeStatement(b *analysis.HostBuilder, f *tfFile, st *hclsyntax.Block) {
	b.Write("{")
	first := true
	sep := func() {
		if !first {
			b.Write(", ")
		}
		first = false
	}
	for _, a := range statementAttrs {
		at, ok := st.Body.Attributes[a.hcl]
		if !ok {
			if a.hcl == "effect" { // the provider's default
				sep()
				b.Wrap(span(st.TypeRange), func() { b.Write(`"Effect": "Allow"`) })
			}
			continue
		}
		sep()
		m.padTo(b, at.SrcRange.Start.Line)
		b.Wrap(span(at.SrcRange), func() {
			b.Wrap(span(at.NameRange), func() { b.Write(analysis.Quote(a.json)) })
			b.Write(": ")
			m.writeValue(b, f, at.Expr)
		})
	}
	for _, p := range []struct{ hcl, json string }{{"principals", "Principal"}, {"not_principals", "NotPrincipal"}} {
		if blocks := m.expandBlocks(f, st.Body, p.hcl); len(blocks) > 0 {
			sep()
			m.padTo(b, blocks[0].outer.Range().Start.Line)
			b.Wrap(span(blocks[0].outer.Range()), func() {
				b.Wrap(span(blocks[0].outer.TypeRange), func() { b.Write(analysis.Quote(p.json)) })
				b.Write(": ")
				m.writePrincipals(b, f, blocks)
			})
		}
	}
	if blocks := m.expandBlocks(f, st.Body, "condition"); len(blocks) > 0 {
		sep()
		m.padTo(b, blocks[0].outer.Range().Start.Line)
		b.Wrap(span(blocks[0].outer.Range()), func() {
			b.Wrap(span(blocks[0].outer.TypeRange), func() { b.Write(`"Condition"`) })
			b.Write(": ")
			m.writeConditions(b, f, blocks)
		})
	}
	b.Write("}")
}

// writePrincipals writes principals blocks as one Principal object, the
// identifiers of blocks of the same type together, as the provider does;
// type "*" with identifiers ["*"] is "Principal": "*".
func (m *module) writePrincipals(b *analysis.HostBuilder, f *tfFile, blocks []nestedBlock) {
	if len(blocks) == 1 && blocks[0].outer == blocks[0].b {
		typ, _ := literalString(attr(blocks[0].b.Body, "type"))
		ids, _ := attr(blocks[0].b.Body, "identifiers").(*hclsyntax.TupleConsExpr)
		if typ == "*" && ids != nil && len(ids.Exprs) == 1 {
			m.writeValue(b, f, ids.Exprs[0])
			return
		}
	}
	m.writeGrouped(b, f, blocks, "type", "identifiers")
}

// writeConditions writes condition blocks as one Condition object:
// {test: {variable: values}}, blocks of the same test together.
func (m *module) writeConditions(b *analysis.HostBuilder, f *tfFile, blocks []nestedBlock) {
	tests, byTest := m.groupBy(f, blocks, "test")
	b.Write("{")
	for i, t := range tests {
		if i > 0 {
			b.Write(", ")
		}
		group := byTest[t]
		m.padTo(b, attrRange(group[0].b, "test").Start.Line)
		b.Wrap(span(attrRange(group[0].b, "test")), func() { b.Write(analysis.Quote(t)) })
		b.Write(": ")
		m.writeGrouped(b, f, group, "variable", "values")
	}
	b.Write("}")
}

// writeGrouped writes blocks as an object from the value of keyAttr to
// the list of every block's listAttr items with that key.
func (m *module) writeGrouped(b *analysis.HostBuilder, f *tfFile, blocks []nestedBlock, keyAttr, listAttr string) {
	keys, byKey := m.groupBy(f, blocks, keyAttr)
	b.Write("{")
	for i, k := range keys {
		if i > 0 {
			b.Write(", ")
		}
		group := byKey[k]
		m.padTo(b, attrRange(group[0].b, keyAttr).Start.Line)
		b.Wrap(span(attrRange(group[0].b, keyAttr)), func() { b.Write(analysis.Quote(k)) })
		b.Write(": [")
		n := 0
		for _, blk := range group {
			m.withBinding(blk, func() {
				list, lf := m.deref(f, attr(blk.b.Body, listAttr))
				items := []hclsyntax.Expression{list}
				if t, ok := unparen(list).(*hclsyntax.TupleConsExpr); ok {
					items = t.Exprs
				}
				for _, item := range items {
					if item == nil {
						continue
					}
					if n > 0 {
						b.Write(", ")
					}
					n++
					m.writeValue(b, lf, item)
				}
			})
		}
		b.Write("]")
	}
	b.Write("}")
}

// groupBy groups blocks by the value of an attribute, in the order each
// value first appears.
func (m *module) groupBy(f *tfFile, blocks []nestedBlock, name string) ([]string, map[string][]nestedBlock) {
	var keys []string
	byKey := map[string][]nestedBlock{}
	for _, blk := range blocks {
		var k string
		m.withBinding(blk, func() { k = m.placeholderOrValue(f, attr(blk.b.Body, name)) })
		if byKey[k] == nil {
			keys = append(keys, k)
		}
		byKey[k] = append(byKey[k], blk)
	}
	return keys, byKey
}

// attrRange is the range of a block's attribute, or of the block's type
// keyword when it has none.
func attrRange(blk *hclsyntax.Block, name string) hcl.Range {
	if a, ok := blk.Body.Attributes[name]; ok {
		return a.SrcRange
	}
	return blk.TypeRange
}
