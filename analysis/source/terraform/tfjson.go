package terraform

import (
	"reflect"
	"sort"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// A .tf.json file is the same module as the .tf files beside it, written
// in Terraform's JSON syntax: {"resource": {"aws_s3_bucket": {"b": {...}}}}.
// It is read into the hclsyntax tree its HCL would give, every range in
// the .tf.json text, so that the rest of the reader (documents, kinds from
// use, bucket facts) serves both. A JSON string is an HCL template
// ("${aws_s3_bucket.b.arn}/*"), parsed on its own text: where it holds
// escapes (a policy written as "{\"Version\": ...}") its ranges are
// mapped back over them, so positions are the file's bytes.
// https://developer.hashicorp.com/terraform/language/syntax/json

// isTFJSON reports whether a file is written in Terraform's JSON syntax.
func isTFJSON(path string) bool {
	return strings.HasSuffix(strings.ToLower(path), ".tf.json")
}

// jsonFile converts one .tf.json file.
type jsonFile struct {
	path  string
	src   []byte
	lines []int // the offset where each line starts
}

// parseJSONConfig reads a .tf.json file as an HCL body; nil when it is
// not a JSON object (half-typed text: nothing is read until it parses).
func parseJSONConfig(src []byte, path string) *hclsyntax.Body {
	v, err := analysis.ParseJSON(src)
	if err != nil || v.Kind != analysis.Object {
		return nil
	}
	c := newJSONFile(path, src)
	body := c.newBody(v)
	for _, f := range v.Fields {
		switch f.Key {
		case "resource", "data":
			c.labelled(body, f.Key, f.Value, 2, nil, true)
		case "provider":
			c.labelled(body, f.Key, f.Value, 1, nil, true)
		case "variable", "module", "output":
			c.labelled(body, f.Key, f.Value, 1, nil, false)
		case "locals":
			for _, obj := range objects(f.Value) {
				blk := c.newBlock("locals", f.KeySpan, obj)
				c.fillAttributes(blk.Body, obj)
				body.Blocks = append(body.Blocks, blk)
			}
		}
	}
	return body
}

func newJSONFile(path string, src []byte) *jsonFile {
	c := &jsonFile{path: path, src: src, lines: []int{0}}
	for i, ch := range src {
		if ch == '\n' {
			c.lines = append(c.lines, i+1)
		}
	}
	return c
}

// objects is a block's value: one object, or an array of objects (two
// blocks with the same labels, or a provider and its aliases).
func objects(v *analysis.Value) []*analysis.Value {
	switch v.Kind {
	case analysis.Object:
		return []*analysis.Value{v}
	case analysis.Array:
		var out []*analysis.Value
		for _, item := range v.Items {
			if item.Kind == analysis.Object {
				out = append(out, item)
			}
		}
		return out
	}
	return nil
}

// labelled adds the blocks of a type whose labels are the keys of n
// nested objects ({"aws_s3_bucket": {"b": {...}}}). A block's range
// starts at its last label, so that two blocks never overlap.
func (c *jsonFile) labelled(body *hclsyntax.Body, typ string, v *analysis.Value, n int, labels []*analysis.Field, schema bool) {
	if len(labels) == n {
		last := labels[len(labels)-1]
		for i, obj := range objects(v) {
			typeSpan := last.KeySpan
			if v.Kind == analysis.Array || i > 0 {
				typeSpan = analysis.Span{Start: obj.Span.Start, End: obj.Span.Start + 1}
			}
			blk := c.newBlock(typ, typeSpan, obj)
			for _, l := range labels {
				blk.Labels = append(blk.Labels, l.Key)
				blk.LabelRanges = append(blk.LabelRanges, c.rng(l.KeySpan))
			}
			if schema {
				c.fillBody(blk.Body, obj)
			} else {
				c.fillAttributes(blk.Body, obj)
			}
			body.Blocks = append(body.Blocks, blk)
		}
		return
	}
	for _, obj := range objects(v) {
		for _, f := range obj.Fields {
			if f.Key != "//" {
				c.labelled(body, typ, f.Value, n, append(labels[:len(labels):len(labels)], f), schema)
			}
		}
	}
}

// mapAttributes are attributes of resources whose values are objects:
// everything else written as an object (or a list of objects) is a
// nested block, as the provider's schema would say.
var mapAttributes = map[string]bool{"tags": true, "tags_all": true, "variables": true, "default": true}

// fillBody reads a block's body: nested blocks where an object (or a
// list of objects) is written, attributes elsewhere; "//" is a comment.
func (c *jsonFile) fillBody(body *hclsyntax.Body, obj *analysis.Value) {
	for _, f := range obj.Fields {
		switch {
		case f.Key == "//":
		case f.Key == "dynamic":
			c.labelled(body, "dynamic", f.Value, 1, nil, true)
		case !mapAttributes[f.Key] && len(objects(f.Value)) > 0 && len(objects(f.Value)) == itemCount(f.Value):
			for i, item := range objects(f.Value) {
				typeSpan := f.KeySpan
				if f.Value.Kind == analysis.Array || i > 0 {
					typeSpan = analysis.Span{Start: item.Span.Start, End: item.Span.Start + 1}
				}
				blk := c.newBlock(f.Key, typeSpan, item)
				c.fillBody(blk.Body, item)
				body.Blocks = append(body.Blocks, blk)
			}
		default:
			c.addAttribute(body, f)
		}
	}
}

func itemCount(v *analysis.Value) int {
	if v.Kind == analysis.Array {
		return len(v.Items)
	}
	return 1
}

// fillAttributes reads a body that has no nested blocks (locals, a
// variable, a module's inputs).
func (c *jsonFile) fillAttributes(body *hclsyntax.Body, obj *analysis.Value) {
	for _, f := range obj.Fields {
		if f.Key != "//" {
			c.addAttribute(body, f)
		}
	}
}

func (c *jsonFile) addAttribute(body *hclsyntax.Body, f *analysis.Field) {
	expr := c.expr(f.Value)
	if f.Key == "provider" && f.Value.Kind == analysis.String {
		// A meta-argument that names a provider is a reference, not a
		// template: "provider": "aws.partner".
		if t, diags := hclsyntax.ParseTraversalAbs([]byte(f.Value.Str), c.path, c.pos(f.Value.Span.Start+1)); !diags.HasErrors() {
			expr = &hclsyntax.ScopeTraversalExpr{Traversal: t, SrcRange: c.rng(f.Value.InnerSpan())}
		}
	}
	body.Attributes[f.Key] = &hclsyntax.Attribute{
		Name:        f.Key,
		Expr:        expr,
		SrcRange:    c.rng(f.Span()),
		NameRange:   c.rng(f.KeySpan),
		EqualsRange: c.rng(analysis.Span{Start: f.KeySpan.End, End: f.KeySpan.End}),
	}
}

func (c *jsonFile) newBody(obj *analysis.Value) *hclsyntax.Body {
	return &hclsyntax.Body{
		Attributes: hclsyntax.Attributes{},
		SrcRange:   c.rng(obj.Span),
		EndRange:   c.rng(analysis.Span{Start: obj.Span.End, End: obj.Span.End}),
	}
}

func (c *jsonFile) newBlock(typ string, typeSpan analysis.Span, obj *analysis.Value) *hclsyntax.Block {
	return &hclsyntax.Block{
		Type:            typ,
		Body:            c.newBody(obj),
		TypeRange:       c.rng(typeSpan),
		OpenBraceRange:  c.rng(analysis.Span{Start: obj.Span.Start, End: obj.Span.Start + 1}),
		CloseBraceRange: c.rng(analysis.Span{Start: obj.Span.End - 1, End: obj.Span.End}),
	}
}

// expr is the HCL expression a JSON value stands for.
func (c *jsonFile) expr(v *analysis.Value) hclsyntax.Expression {
	r := c.rng(v.Span)
	switch v.Kind {
	case analysis.String:
		return c.template(v.Span)
	case analysis.Number:
		n, err := cty.ParseNumberVal(v.Str)
		if err != nil {
			n = cty.UnknownVal(cty.Number)
		}
		return &hclsyntax.LiteralValueExpr{Val: n, SrcRange: r}
	case analysis.Bool:
		return &hclsyntax.LiteralValueExpr{Val: cty.BoolVal(v.Str == "true"), SrcRange: r}
	case analysis.Array:
		t := &hclsyntax.TupleConsExpr{SrcRange: r, OpenRange: c.rng(analysis.Span{Start: v.Span.Start, End: v.Span.Start + 1})}
		for _, item := range v.Items {
			t.Exprs = append(t.Exprs, c.expr(item))
		}
		return t
	case analysis.Object:
		o := &hclsyntax.ObjectConsExpr{SrcRange: r, OpenRange: c.rng(analysis.Span{Start: v.Span.Start, End: v.Span.Start + 1})}
		for _, f := range v.Fields {
			o.Items = append(o.Items, hclsyntax.ObjectConsItem{
				KeyExpr:   &hclsyntax.ObjectConsKeyExpr{Wrapped: c.template(f.KeySpan)},
				ValueExpr: c.expr(f.Value),
			})
		}
		return o
	}
	return &hclsyntax.LiteralValueExpr{Val: cty.NullVal(cty.DynamicPseudoType), SrcRange: r}
}

// template is the template a JSON string (its span, quotes included)
// holds; its range is the string's, quotes included, as a quoted HCL
// string's is.
func (c *jsonFile) template(sp analysis.Span) hclsyntax.Expression {
	inner := analysis.Span{Start: sp.Start + 1, End: max(sp.Start+1, sp.End-1)}
	raw := c.src[inner.Start:inner.End]
	text, offsets := decodeJSONString(raw)
	literal := func() hclsyntax.Expression {
		return &hclsyntax.TemplateExpr{
			Parts:    []hclsyntax.Expression{&hclsyntax.LiteralValueExpr{Val: cty.StringVal(text), SrcRange: c.rng(inner)}},
			SrcRange: c.rng(sp),
		}
	}
	if !strings.Contains(text, "${") && !strings.Contains(text, "%{") {
		return literal()
	}
	escaped := len(text) != len(raw)
	start := c.pos(inner.Start)
	if escaped {
		start = hcl.Pos{Line: 1, Column: 1, Byte: 0}
	}
	e, ok := parseTemplate([]byte(text), c.path, start)
	if !ok {
		return literal()
	}
	if escaped {
		c.remap(e, inner.Start, offsets)
	}
	switch t := e.(type) {
	case *hclsyntax.TemplateExpr:
		t.SrcRange = c.rng(sp)
	case *hclsyntax.TemplateWrapExpr:
		t.SrcRange = c.rng(sp)
	default:
		return literal()
	}
	return e
}

// parseTemplate parses a string template; false when it does not parse
// (the parser's own consistency panic included: never crash on input).
func parseTemplate(src []byte, path string, start hcl.Pos) (e hclsyntax.Expression, ok bool) {
	defer func() {
		if recover() != nil {
			e, ok = nil, false
		}
	}()
	e, diags := hclsyntax.ParseTemplate(src, path, start)
	return e, e != nil && !diags.HasErrors()
}

// decodeJSONString decodes the text between a JSON string's quotes and
// gives, for each byte of the decoded text (and its end), the offset in
// raw of the byte or escape it comes from.
func decodeJSONString(raw []byte) (string, []int) {
	if !strings.Contains(string(raw), `\`) {
		return string(raw), nil
	}
	var b []byte
	var offsets []int
	put := func(at int, s ...byte) {
		for range s {
			offsets = append(offsets, at)
		}
		b = append(b, s...)
	}
	for i := 0; i < len(raw); {
		if raw[i] != '\\' || i+1 >= len(raw) {
			put(i, raw[i])
			i++
			continue
		}
		n, r := 2, rune(0)
		switch raw[i+1] {
		case 'b':
			r = '\b'
		case 'f':
			r = '\f'
		case 'n':
			r = '\n'
		case 'r':
			r = '\r'
		case 't':
			r = '\t'
		case 'u':
			r, n = hexRune(raw[i:])
		default:
			r = rune(raw[i+1])
		}
		put(i, utf8.AppendRune(nil, r)...)
		i += n
	}
	offsets = append(offsets, len(raw))
	return string(b), offsets
}

// hexRune decodes \uXXXX (and a surrogate pair \uXXXX\uXXXX) at the
// start of s: the rune and the escape's length.
func hexRune(s []byte) (rune, int) {
	hex := func(at int) (rune, bool) {
		if len(s) < at+6 || s[at] != '\\' || s[at+1] != 'u' {
			return 0, false
		}
		var r rune
		for _, ch := range s[at+2 : at+6] {
			switch {
			case ch >= '0' && ch <= '9':
				r = r*16 + rune(ch-'0')
			case ch >= 'a' && ch <= 'f':
				r = r*16 + rune(ch-'a'+10)
			case ch >= 'A' && ch <= 'F':
				r = r*16 + rune(ch-'A'+10)
			default:
				return 0, false
			}
		}
		return r, true
	}
	r, ok := hex(0)
	if !ok {
		return utf8.RuneError, 2
	}
	if utf16.IsSurrogate(r) {
		if low, ok := hex(6); ok {
			if pair := utf16.DecodeRune(r, low); pair != utf8.RuneError {
				return pair, 12
			}
		}
		return utf8.RuneError, 6
	}
	return r, 6
}

var (
	rangeType     = reflect.TypeOf(hcl.Range{})
	traversalType = reflect.TypeOf(hcl.Traversal{})
)

// remap moves the ranges of an expression parsed from a string's decoded
// text to the file's escaped text of it: offsets[i] is where the decoded
// byte i is written, inner the start of the string's content.
func (c *jsonFile) remap(e hclsyntax.Expression, inner int, offsets []int) {
	move := func(p hcl.Pos) hcl.Pos {
		return c.pos(inner + offsets[min(max(p.Byte, 0), len(offsets)-1)])
	}
	var fix func(v reflect.Value)
	fix = func(v reflect.Value) {
		for i := 0; i < v.NumField(); i++ {
			f := v.Field(i)
			switch {
			case !f.CanSet():
			case f.Type() == rangeType:
				r := f.Interface().(hcl.Range)
				f.Set(reflect.ValueOf(hcl.Range{Filename: c.path, Start: move(r.Start), End: move(r.End)}))
			case f.Type() == traversalType:
				for j := 0; j < f.Len(); j++ {
					step := f.Index(j)
					copied := reflect.New(step.Elem().Type()).Elem()
					copied.Set(step.Elem())
					fix(copied)
					step.Set(copied)
				}
			}
		}
	}
	hclsyntax.VisitAll(e, func(n hclsyntax.Node) hcl.Diagnostics {
		if v := reflect.ValueOf(n); v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
			fix(v.Elem())
		}
		return nil
	})
}

// pos is the position of a byte of the file.
func (c *jsonFile) pos(at int) hcl.Pos {
	line := sort.Search(len(c.lines), func(i int) bool { return c.lines[i] > at }) - 1
	return hcl.Pos{Line: line + 1, Column: at - c.lines[line] + 1, Byte: at}
}

func (c *jsonFile) rng(sp analysis.Span) hcl.Range {
	return hcl.Range{Filename: c.path, Start: c.pos(sp.Start), End: c.pos(sp.End)}
}
