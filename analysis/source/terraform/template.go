package terraform

import (
	"bytes"
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// A policy written as JSON in a heredoc or a quoted string is the file's
// own text: its bytes are copied one for one (a writable region per run
// between interpolations), so a quick fix can be written there as JSON.
// What HCL escapes is mapped, not copied: \" in a quoted string, $${ for
// an IAM policy variable, %%{. An interpolation is written as the value
// the module gives it, else as its placeholder text ${...}.
// https://developer.hashicorp.com/terraform/language/expressions/strings

// isHeredoc reports whether a template is a heredoc (<<EOF, <<-EOF).
func isHeredoc(f *tfFile, e *hclsyntax.TemplateExpr) bool {
	return strings.HasPrefix(f.text(e.SrcRange), "<<")
}

// templateContent is the span of a template's text between its
// delimiters: inside the quotes, or the lines between the heredoc's
// opening line and its closing marker.
func templateContent(f *tfFile, e *hclsyntax.TemplateExpr) (analysis.Span, bool) {
	s := span(e.SrcRange)
	raw := f.text(e.SrcRange)
	switch {
	case strings.HasPrefix(raw, "<<"):
		first := strings.IndexByte(raw, '\n')
		last := strings.LastIndexByte(raw, '\n')
		if first < 0 || last < first {
			return analysis.Span{}, false
		}
		return analysis.Span{Start: s.Start + first + 1, End: s.Start + last}, true
	case strings.HasPrefix(raw, `"`) && len(raw) >= 2 && strings.HasSuffix(raw, `"`):
		return analysis.Span{Start: s.Start + 1, End: s.End - 1}, true
	}
	return analysis.Span{}, false
}

// writeVerbatim writes a heredoc or quoted string that holds JSON, and
// returns how a fix's JSON is written back into it. false when the
// template cannot stand for JSON text (a %{ } directive in it).
func (m *module) writeVerbatim(b *analysis.HostBuilder, f *tfFile, e *hclsyntax.TemplateExpr) (func(int, string) (string, bool), bool) {
	content, ok := templateContent(f, e)
	if !ok {
		return nil, false
	}
	quoted := !isHeredoc(f, e)
	src := f.src
	m.padTo(b, bytes.Count(src[:content.Start], []byte("\n"))+1)
	region := f.newRegion()
	run := content.Start // start of the text not yet written
	var json jsonState
	flush := func(end int) {
		if end > run {
			b.Copy(analysis.Span{Start: run, End: end}, string(src[run:end]), region)
			json.escaped = false
		}
		run = end
	}
	interps := interpolations(e)
	for i := content.Start; i < content.End; {
		switch {
		case strings.HasPrefix(string(src[i:min(i+3, content.End)]), "$${"), strings.HasPrefix(string(src[i:min(i+3, content.End)]), "%%{"):
			flush(i)
			b.Wrap(analysis.Span{Start: i, End: i + 3}, func() { b.Write(string(src[i+1 : i+3])) })
			i += 3
			run = i
		case strings.HasPrefix(string(src[i:min(i+2, content.End)]), "%{"):
			return nil, false
		case strings.HasPrefix(string(src[i:min(i+2, content.End)]), "${"):
			part, end := interpolationAt(src, i, interps)
			if part == nil {
				return nil, false
			}
			flush(i)
			host := analysis.Span{Start: i, End: end}
			value := m.placeholderOrValue(f, part)
			if value == string(src[i:end]) {
				b.Copy(host, value, region) // ${var.x} as written: a fix may keep it
			} else {
				b.Wrap(host, func() { b.Write(jsonContent(value)) })
				region = f.newRegion() // a fix may not span a resolved value
			}
			i, run = end, end
			json.escaped = false // the value completed the JSON escape
		case quoted && src[i] == '\\':
			flush(i)
			n, decoded := hclEscape(src[i:content.End], &json)
			b.Wrap(analysis.Span{Start: i, End: i + n}, func() { b.Write(decoded) })
			i += n
			run = i
		default:
			i++
		}
	}
	flush(content.End)
	return func(_ int, text string) (string, bool) { return encodeTemplate(text, quoted), true }, true
}

// interpolations lists a template's interpolated expressions.
func interpolations(e *hclsyntax.TemplateExpr) []hclsyntax.Expression {
	var out []hclsyntax.Expression
	for _, p := range e.Parts {
		if _, lit := p.(*hclsyntax.LiteralValueExpr); !lit {
			out = append(out, p)
		}
	}
	return out
}

// interpolationAt finds the expression of the interpolation whose "${"
// is at i, and the offset just past its closing brace.
func interpolationAt(src []byte, i int, interps []hclsyntax.Expression) (hclsyntax.Expression, int) {
	for _, p := range interps {
		r := p.Range()
		if r.Start.Byte < i+2 || strings.Trim(string(src[i+2:r.Start.Byte]), " \t\n~") != "" {
			continue
		}
		end := r.End.Byte
		for end < len(src) && strings.IndexByte(" \t\n~", src[end]) >= 0 {
			end++
		}
		if end < len(src) && src[end] == '}' {
			return p, end + 1
		}
		return nil, 0
	}
	return nil, 0
}

// jsonState follows the JSON a quoted string decodes to, escape by
// escape (its other bytes are neither quotes nor backslashes): inside a
// JSON string or not, after the backslash of a JSON escape.
type jsonState struct{ inString, escaped bool }

// hclEscape decodes the escape sequence at the start of s (a quoted
// string's \n, \", \\, \uNNNN) and returns its length and its writing
// in the JSON the string decodes to: a quote or backslash as itself (a
// policy written "{\"Sid\": \"a\\\"b\"}" is {"Sid": "a\"b"}), a line
// break or tab between JSON tokens as a space (JSON whitespace that keeps
// the document on its host's lines), inside a JSON string as its escape.
func hclEscape(s []byte, st *jsonState) (int, string) {
	if len(s) < 2 {
		return len(s), ""
	}
	escaped := st.escaped
	st.escaped = false
	switch s[1] {
	case 'n', 'r', 't':
		if !st.inString && !escaped {
			return 2, " "
		}
		return 2, `\` + string(s[1:2])
	case '"':
		if !escaped {
			st.inString = !st.inString
		}
		return 2, `"`
	case '\\':
		st.escaped = st.inString && !escaped
		return 2, `\`
	case 'u', 'U':
		n := 4
		if s[1] == 'U' {
			n = 8
		}
		if len(s) >= 2+n {
			return 2 + n, `\u` + string(s[2+n-4:2+n])
		}
	}
	return 2, string(s[1:2])
}

// encodeTemplate writes JSON text as a heredoc or quoted string holds it:
// an IAM policy variable ${aws:username} as $${aws:username} (a
// placeholder ${var.x} stays an interpolation), %{ as %%{, and in a
// quoted string " and \ escaped.
func encodeTemplate(text string, quoted bool) string {
	var b strings.Builder
	for i := 0; i < len(text); {
		switch {
		case strings.HasPrefix(text[i:], "${"):
			if !analysis.StartsWithPlaceholder(text[i:]) {
				b.WriteString("$")
			}
			b.WriteString("${")
			i += 2
			continue
		case strings.HasPrefix(text[i:], "%{"):
			b.WriteString("%%{")
			i += 2
			continue
		}
		c := text[i]
		switch {
		case quoted && c == '"':
			b.WriteString(`\"`)
		case quoted && c == '\\':
			b.WriteString(`\\`)
		case quoted && c == '\n':
			b.WriteString(`\n`)
		case quoted && c == '\t':
			b.WriteString(`\t`)
		default:
			b.WriteByte(c)
		}
		i++
	}
	return b.String()
}

// jsonContent escapes a value for the inside of a JSON string.
func jsonContent(s string) string {
	q := analysis.Quote(s)
	return q[1 : len(q)-1]
}
