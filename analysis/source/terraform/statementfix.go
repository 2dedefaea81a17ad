package terraform

import (
	"bytes"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// A quick fix that adds statements to a policy (a partner's grant, the
// exemption that keeps a Deny) appends JSON objects to its Statement
// array. In a data "aws_iam_policy_document" block the array is the
// block's statement blocks: the reader marks the end of the last one as
// an insertion point (an empty writable region of its own), and a
// statement appended there is written as a statement block after it,
// laid out like it: its indentation, a blank line before it when the
// statements are so separated, "=" aligned as terraform fmt aligns them.
// In a .tf.json file it is written as the JSON object of a statement
// block, after the last one in the "statement" array.
// https://registry.terraform.io/providers/hashicorp/aws/latest/docs/data-sources/iam_policy_document

// statementInsert is where statements are added to a policy document
// block, and how they are written there.
type statementInsert struct {
	region int
	json   bool   // a .tf.json file
	before string // what comes between the last statement block and a new one
	indent string // the indentation of a statement block's line
	step   string // one level deeper
	nl     string
}

// markStatementEnd records the insertion point after the last statement
// block of a policy document, when a statement may be written there.
func (m *module) markStatementEnd(b *analysis.HostBuilder, f *tfFile, blk *hclsyntax.Block, last *hclsyntax.Block) *statementInsert {
	end := last.Range().End.Byte
	if end <= 0 || end > len(f.src) {
		return nil
	}
	ins := &statementInsert{region: f.newRegion(), json: isTFJSON(f.path)}
	if ins.json {
		// Only inside a "statement" array: after a lone object, a comma
		// would not be JSON.
		rest := bytes.TrimLeft(f.src[end:], " \t\r\n")
		if len(rest) == 0 || rest[0] != ',' && rest[0] != ']' {
			return nil
		}
		ins.before = ", "
	} else {
		ins.nl = "\n"
		if bytes.Contains(f.src[last.Range().Start.Byte:end], []byte("\r\n")) {
			ins.nl = "\r\n"
		}
		outer := lineIndent(f.src, blk.Range().Start.Byte)
		ins.indent = lineIndent(f.src, last.Range().Start.Byte)
		ins.step = strings.TrimPrefix(ins.indent, outer)
		if ins.step == "" || ins.step == ins.indent && outer != "" {
			ins.step = "  "
		}
		ins.before = ins.nl
		if blankLineBetween(f, blk, last) {
			ins.before += ins.nl
		}
	}
	b.Copy(analysis.Span{Start: end, End: end}, "", ins.region)
	return ins
}

// lineIndent is the indentation of the line an offset is on.
func lineIndent(src []byte, at int) string {
	start := bytes.LastIndexByte(src[:at], '\n') + 1
	end := start
	for end < len(src) && (src[end] == ' ' || src[end] == '\t') {
		end++
	}
	return string(src[start:end])
}

// blankLineBetween reports whether the block's statements are separated
// by a blank line (the last from the one before it).
func blankLineBetween(f *tfFile, blk, last *hclsyntax.Block) bool {
	var prev *hclsyntax.Block
	for _, b := range blk.Body.Blocks {
		if b == last {
			break
		}
		if b.Type == "statement" || b.Type == "dynamic" {
			prev = b
		}
	}
	if prev == nil {
		return false
	}
	gap := f.src[prev.Range().End.Byte:last.Range().Start.Byte]
	return bytes.Count(gap, []byte("\n")) >= 2
}

// encode writes the statements a fix appends (",\n  {...}, {...}") as
// statement blocks; false when one holds what a block cannot say.
func (ins *statementInsert) encode(text string) (string, bool) {
	list := strings.TrimPrefix(strings.TrimSpace(text), ",")
	v, err := analysis.ParseJSON([]byte("[" + list + "]"))
	if err != nil || len(v.Items) == 0 {
		return "", false
	}
	var out strings.Builder
	for _, st := range v.Items {
		w := &blockWriter{json: ins.json, nl: ins.nl, step: ins.step}
		if !w.statement(st, ins.indent) {
			return "", false
		}
		out.WriteString(ins.before)
		out.WriteString(w.String())
	}
	return out.String(), true
}

// The statement members a block attribute says, with its name.
var statementBlockAttrs = map[string]string{
	"Sid": "sid", "Effect": "effect", "Action": "actions", "NotAction": "not_actions",
	"Resource": "resources", "NotResource": "not_resources",
}

// blockWriter renders one statement as an HCL block or, in .tf.json, as
// the JSON object of one.
type blockWriter struct {
	strings.Builder
	json     bool
	nl, step string
}

// attribute is a block attribute's name and its value, rendered.
type attribute struct{ name, value string }

// nested is a nested block (principals, condition) with its attributes.
type nested struct {
	typ   string
	attrs []attribute
}

func (w *blockWriter) statement(st *analysis.Value, indent string) bool {
	if st.Kind != analysis.Object {
		return false
	}
	var attrs []attribute
	var blocks []nested
	for _, f := range st.Fields {
		switch name, plain := statementBlockAttrs[f.Key]; {
		case plain && (f.Key == "Sid" || f.Key == "Effect"):
			if f.Value.Kind != analysis.String {
				return false
			}
			attrs = append(attrs, attribute{name, hclString(f.Value.Str)})
		case plain:
			list, ok := stringList(f.Value, false)
			if !ok {
				return false
			}
			attrs = append(attrs, attribute{name, list})
		case f.Key == "Principal" || f.Key == "NotPrincipal":
			ps, ok := principalBlocks(f.Key, f.Value)
			if !ok {
				return false
			}
			blocks = append(blocks, ps...)
		case f.Key == "Condition":
			cs, ok := conditionBlocks(f.Value)
			if !ok {
				return false
			}
			blocks = append(blocks, cs...)
		default:
			return false
		}
	}
	if w.json {
		w.jsonObject(attrs, blocks)
		return true
	}
	w.WriteString(indent + "statement {")
	w.attributes(attrs, indent+w.step)
	for _, nb := range blocks {
		w.WriteString(w.nl + indent + w.step + nb.typ + " {")
		w.attributes(nb.attrs, indent+w.step+w.step)
		w.WriteString(w.nl + indent + w.step + "}")
	}
	w.WriteString(w.nl + indent + "}")
	return true
}

// attributes writes attribute lines with their "=" aligned.
func (w *blockWriter) attributes(attrs []attribute, indent string) {
	width := 0
	for _, a := range attrs {
		width = max(width, len(a.name))
	}
	for _, a := range attrs {
		w.WriteString(w.nl + indent + a.name + strings.Repeat(" ", width-len(a.name)) + " = " + a.value)
	}
}

// jsonObject writes a statement block as .tf.json writes it, on one line:
// nested blocks are arrays of objects.
func (w *blockWriter) jsonObject(attrs []attribute, blocks []nested) {
	var parts []string
	for _, a := range attrs {
		parts = append(parts, analysis.Quote(a.name)+": "+a.value)
	}
	var order []string
	byType := map[string][]string{}
	for _, nb := range blocks {
		var inner []string
		for _, a := range nb.attrs {
			inner = append(inner, analysis.Quote(a.name)+": "+a.value)
		}
		if byType[nb.typ] == nil {
			order = append(order, nb.typ)
		}
		byType[nb.typ] = append(byType[nb.typ], "{"+strings.Join(inner, ", ")+"}")
	}
	for _, typ := range order {
		parts = append(parts, analysis.Quote(typ)+": ["+strings.Join(byType[typ], ", ")+"]")
	}
	w.WriteString("{" + strings.Join(parts, ", ") + "}")
}

// principalBlocks are the principals blocks of a Principal: "*" is type
// "*" with identifiers ["*"], as the provider writes it back.
func principalBlocks(key string, v *analysis.Value) ([]nested, bool) {
	typ := "principals"
	if key == "NotPrincipal" {
		typ = "not_principals"
	}
	if v.Kind == analysis.String && v.Str == "*" {
		return []nested{{typ, []attribute{{"type", hclString("*")}, {"identifiers", `["*"]`}}}}, true
	}
	if v.Kind != analysis.Object {
		return nil, false
	}
	var out []nested
	for _, f := range v.Fields {
		ids, ok := stringList(f.Value, false)
		if !ok {
			return nil, false
		}
		out = append(out, nested{typ, []attribute{{"type", hclString(f.Key)}, {"identifiers", ids}}})
	}
	return out, true
}

// conditionBlocks are the condition blocks of a Condition, one per
// operator and key.
func conditionBlocks(v *analysis.Value) ([]nested, bool) {
	if v.Kind != analysis.Object {
		return nil, false
	}
	var out []nested
	for _, op := range v.Fields {
		if op.Value.Kind != analysis.Object {
			return nil, false
		}
		for _, key := range op.Value.Fields {
			values, ok := stringList(key.Value, true)
			if !ok {
				return nil, false
			}
			out = append(out, nested{"condition", []attribute{{"test", hclString(op.Key)}, {"variable", hclString(key.Key)}, {"values", values}}})
		}
	}
	return out, true
}

// stringList renders a string or a list of strings as an HCL list of
// strings; scalars (a condition's true, 3600) become strings when
// allowed, as the provider writes every condition value.
func stringList(v *analysis.Value, scalars bool) (string, bool) {
	items := []*analysis.Value{v}
	if v.Kind == analysis.Array {
		items = v.Items
	}
	parts := make([]string, 0, len(items))
	for _, item := range items {
		switch {
		case item.Kind == analysis.String:
		case scalars && (item.Kind == analysis.Bool || item.Kind == analysis.Number):
		default:
			return "", false
		}
		parts = append(parts, hclString(item.Str))
	}
	return "[" + strings.Join(parts, ", ") + "]", true
}

// hclString writes a string as HCL (and Terraform's JSON syntax) reads
// it: JSON's quoting, an IAM policy variable's ${ as $${.
func hclString(s string) string { return encodeTemplate(analysis.Quote(s), false) }
