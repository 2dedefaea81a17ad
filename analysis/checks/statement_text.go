package checks

import (
	"bytes"
	"slices"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// member is one member of a JSON object a fix writes: a key and its
// value, a string, a list of strings, an object of members, or JSON
// copied from the policy as it is written.
type member struct {
	key   string
	value any // string, []string, []member or rawJSON
}

// rawJSON is a value copied from the policy's text.
type rawJSON string

// newStatement renders a statement to append to the policy's Statement
// array, laid out like the statement it follows: one member a line, in
// the file's indentation and line breaks, when the last statement is
// written so (as many line breaks as members); on one line otherwise (a one-line policy, or a Statement
// that is a lone object, which the append turns into a one-line array).
func newStatement(pass *analysis.Pass, members ...member) string {
	return newStatements(pass, members)
}

// newStatements renders several statements to append at once, each laid
// out as newStatement does, separated as the array's items are.
func newStatements(pass *analysis.Pass, statements ...[]member) string {
	l := statementLayout(pass)
	sep := ", "
	if l != nil {
		sep = "," + l.nl + l.indent
	}
	parts := make([]string, len(statements))
	for i, members := range statements {
		parts[i] = renderObject(members, l)
	}
	return strings.Join(parts, sep)
}

// statementLayout is the layout of a statement appended to the policy's
// Statement array; nil for one line.
func statementLayout(pass *analysis.Pass) *layout {
	arr := pass.Policy.Statement.Value
	if arr.Kind != analysis.Array || len(arr.Items) == 0 {
		return nil
	}
	last := arr.Items[len(arr.Items)-1]
	if last.Kind != analysis.Object || bytes.Count(pass.Src[last.Span.Start:last.Span.End], []byte("\n")) < len(last.Fields) {
		// Not one member a line: members share lines, so the new
		// statement takes one line.
		return nil
	}
	outer, inner := analysis.NestedIndent(pass.Src, last)
	return &layout{nl: lineBreakOf(pass.Src, last), indent: indentOfLast(pass.Src, arr, outer), step: strings.TrimPrefix(inner, outer)}
}

// memberLayout is the layout of a member appended to an object: one
// member a line at the indentation of its members when the object is
// written so, nil (one line) otherwise.
func memberLayout(src []byte, obj *analysis.Value) *layout {
	if obj.Kind != analysis.Object || len(obj.Fields) == 0 || bytes.Count(src[obj.Span.Start:obj.Span.End], []byte("\n")) < len(obj.Fields) {
		return nil
	}
	outer, inner := analysis.NestedIndent(src, obj)
	return &layout{nl: lineBreakOf(src, obj), indent: inner, step: strings.TrimPrefix(inner, outer)}
}

// lineBreakOf is the line break the value is written with.
func lineBreakOf(src []byte, v *analysis.Value) string {
	if bytes.Contains(src[v.Span.Start:v.Span.End], []byte("\r\n")) {
		return "\r\n"
	}
	return "\n"
}

// renderMember renders one member, its value laid out for l.
func renderMember(m member, l *layout) string {
	return analysis.Quote(m.key) + ": " + renderValue(m.value, l)
}

// indentOfLast is the indentation of the line of the array's last
// element, after which the new statement goes; dflt when it shares its
// line with something else.
func indentOfLast(src []byte, arr *analysis.Value, dflt string) string {
	start := arr.Items[len(arr.Items)-1].Span.Start
	i := start
	for i > 0 && (src[i-1] == ' ' || src[i-1] == '\t') {
		i--
	}
	if i == 0 || src[i-1] == '\n' {
		return string(src[i:start])
	}
	return dflt
}

// layout is a multi-line rendering: the line break, the indentation of
// the line that opens the value, and one level's step.
type layout struct {
	nl, indent, step string
}

func (l *layout) deeper() *layout {
	return &layout{nl: l.nl, indent: l.indent + l.step, step: l.step}
}

// renderObject renders members as a JSON object; l nil means one line.
func renderObject(members []member, l *layout) string {
	parts := make([]string, len(members))
	var in *layout
	if l != nil {
		in = l.deeper()
	}
	for i, m := range members {
		parts[i] = renderMember(m, in)
	}
	return enclose("{", "}", parts, l)
}

func renderValue(v any, l *layout) string {
	switch v := v.(type) {
	case []member:
		return renderObject(v, l)
	case []string:
		if len(v) == 1 {
			return analysis.Quote(v[0])
		}
		parts := make([]string, len(v))
		for i, s := range v {
			parts[i] = analysis.Quote(s)
		}
		return enclose("[", "]", parts, l)
	case string:
		return analysis.Quote(v)
	case rawJSON:
		return string(v)
	}
	return "null"
}

// enclose joins rendered parts between open and close, one a line one
// level deeper than l, or on one line when l is nil.
func enclose(open, close string, parts []string, l *layout) string {
	if l == nil {
		return open + strings.Join(parts, ", ") + close
	}
	in := l.nl + l.indent + l.step
	return open + in + strings.Join(parts, ","+in) + l.nl + l.indent + close
}

// sidFor is sid, or sid with the lowest number that makes it unused in
// the policy.
func sidFor(p *analysis.Policy, sid string) string {
	if used := usedSids(p); used[sid] {
		return freeSid(sid, used)
	}
	return sid
}

// sidWord turns a name into letters and digits for a Sid, each word
// capitalised: "jane-doe" → "JaneDoe".
func sidWord(name string) string {
	var b strings.Builder
	upper := true
	for _, r := range name {
		switch {
		case r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9':
			if upper && r >= 'a' && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	return b.String()
}

// passOf is what the words of a fix written later (analysis.FixOf) see of
// their document: its text, policy, kind and config, as its check saw
// them, for the helpers that take a pass (newStatement).
func passOf(doc *analysis.FixDoc) *analysis.Pass {
	return &analysis.Pass{File: &analysis.File{Src: doc.Src, Root: doc.Root, Policy: analysis.NewPolicy(doc.Root), Kind: doc.Kind, Config: doc.Config}}
}

// statementOf is the statement of p whose object is obj, which a fix
// written later holds (the policy is made again from the same tree).
func statementOf(p *analysis.Policy, obj *analysis.Value) *analysis.Statement {
	return p.Statements[slices.IndexFunc(p.Statements, func(s *analysis.Statement) bool { return s.Obj == obj })]
}
