// Package template reads policies written as text templates: the
// *.json.tpl of Terraform's templatefile, Jinja's *.json.j2, Go's
// *.json.tmpl. Their text is JSON once the placeholders (${...} and
// {{ ... }}) are read as unknown values; a placeholder that stands where
// a JSON value goes ("Principal": ${principals}) is read as a string
// holding it. A template whose directives (%{ for }, {% if %}) leave no
// JSON to read gets one information finding, not a syntax error.
package template

import (
	"bytes"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// Reader reads policy templates. A plain .tpl or .tftpl (the name
// Terraform recommends for templatefile's templates) is claimed only when
// it looks like a policy: they are used for any text.
// https://developer.hashicorp.com/terraform/language/functions/templatefile
var Reader = &source.Reader{
	Name:       "template",
	Extensions: []string{".json.tpl", ".json.tmpl", ".json.j2", ".json.tftpl", ".tpl", ".tftpl"},
	Claims: func(path string, text []byte) bool {
		lower := strings.ToLower(path)
		plain := (strings.HasSuffix(lower, ".tpl") || strings.HasSuffix(lower, ".tftpl")) &&
			!strings.HasSuffix(lower, ".json.tpl") && !strings.HasSuffix(lower, ".json.tftpl")
		return !plain || bytes.Contains(text, []byte(`"Statement"`))
	},
	Read: read,
}

// region is the one writable region: the template's own text.
const region = 1

func read(path string, text []byte) source.Result {
	return ReadValues(path, text, nil)
}

// ReadValues reads a template whose placeholders ${name} inside JSON
// strings stand for the values given (the variables of Terraform's
// templatefile() that its module decides); the others stay unknown. A fix
// is not written where it would write a value in place of its placeholder.
func ReadValues(path string, text []byte, values map[string]string) source.Result {
	pieces, directive := mask(text, values)
	var b analysis.HostBuilder
	source.WriteRaw(&b, pieces, region)
	whole := analysis.Span{Start: 0, End: len(text)}
	if directive != nil {
		if _, syn := analysis.ParseJSON(b.Text()); syn != nil {
			if !bytes.Contains(text, []byte(`"Statement"`)) {
				return source.Result{} // a template of something else than a policy
			}
			return source.Result{Findings: []analysis.Finding{analysis.UnreadableFinding(*directive,
				analysis.T("the template's directives decide its text, which is not JSON as written: its policy is not checked",
					"テンプレートのディレクティブが内容を決めるため、書かれたままでは JSON ではありません。ポリシーはチェックされません"))}}
		}
	}
	m := b.Map(whole)
	masked := maskedTexts(pieces)
	for _, v := range values {
		if v != "" {
			masked = append(masked, v)
		}
	}
	m.Encode = func(_ int, s string) (string, bool) {
		for _, t := range masked {
			if strings.Contains(s, t) {
				return "", false // would write a placeholder as a quoted string
			}
		}
		return s, true
	}
	doc := analysis.Document{Text: b.Text(), Host: m}
	if kind := analysis.KindFromName(untemplated(path)); kind != analysis.KindUnknown {
		doc.Kind, doc.KindReason = kind, "file name"
	}
	return source.Result{Docs: []analysis.Document{doc}}
}

// untemplated is the file's name without its template extension:
// bucket.bucket-policy.json.tpl names a bucket policy.
func untemplated(path string) string {
	lower := strings.ToLower(path)
	for _, ext := range []string{".tftpl", ".tpl", ".tmpl", ".j2"} {
		if strings.HasSuffix(lower, ext) {
			path = path[:len(path)-len(ext)]
			if !strings.HasSuffix(strings.ToLower(path), ".json") {
				path += ".json"
			}
			return path
		}
	}
	return path
}

func maskedTexts(pieces []source.Piece) []string {
	var out []string
	for _, p := range pieces {
		if !p.Exact && strings.HasPrefix(p.Text, `"`) {
			out = append(out, p.Text)
		}
	}
	return out
}

// mask splits the template into pieces the JSON reader can read: the
// template's text as it is, a placeholder outside a string as a string
// holding it, a placeholder inside a string with its quotes turned to
// apostrophes, a directive or template comment as spaces. directive is
// the first directive, if any.
func mask(text []byte, values map[string]string) ([]source.Piece, *analysis.Span) {
	var out []source.Piece
	var directive *analysis.Span
	inString, run := false, 0
	flush := func(end int) {
		if end > run {
			out = append(out, source.Piece{Host: analysis.Span{Start: run, End: end}, Text: string(text[run:end]), Exact: true})
		}
	}
	for i := 0; i < len(text); {
		c := text[i]
		if inString && c == '\\' {
			i += 2
			continue
		}
		end, kind := templateAt(text, i)
		switch kind {
		case none:
			if c == '"' {
				inString = !inString
			}
			i++
			continue
		case escapedDollar:
			flush(i)
			out = append(out, source.Piece{Host: analysis.Span{Start: i, End: i + 2}, Text: "$"})
		case placeholder:
			flush(i)
			inner := string(text[i:end])
			value, known := values[placeholderName(inner)]
			if inString {
				if known {
					out = append(out, source.Piece{Host: analysis.Span{Start: i, End: end}, Text: source.EscapeJSON(value)})
				} else if strings.ContainsAny(inner, "\"\\\n") {
					inner = strings.NewReplacer(`"`, "'", `\`, "/", "\n", " ").Replace(inner)
					out = append(out, source.Piece{Host: analysis.Span{Start: i, End: end}, Text: inner})
				} else {
					out = append(out, source.Piece{Host: analysis.Span{Start: i, End: end}, Text: inner, Exact: true})
				}
			} else {
				out = append(out, source.Piece{Host: analysis.Span{Start: i, End: end}, Text: analysis.Quote(strings.ReplaceAll(inner, "\n", " "))})
			}
		case directiveKind:
			flush(i)
			if directive == nil {
				directive = &analysis.Span{Start: i, End: end}
			}
			out = append(out, source.Piece{Host: analysis.Span{Start: i, End: end}, Text: strings.Repeat(" ", end-i)})
		}
		i, run = end, end
	}
	flush(len(text))
	return out, directive
}

type templateKind int

const (
	none templateKind = iota
	placeholder
	directiveKind
	escapedDollar
)

// templateAt reports the template construct that starts at text[i] and
// where it ends: ${...} (nested braces counted), {{ ... }}, %{ ... },
// {% ... %}, {# ... #}, and Terraform's $${ escape.
func templateAt(text []byte, i int) (int, templateKind) {
	rest := text[i:]
	switch {
	case bytes.HasPrefix(rest, []byte("$${")) || bytes.HasPrefix(rest, []byte("%%{")):
		return i + 2, escapedDollar
	case bytes.HasPrefix(rest, []byte("${")):
		// ${aws:username} and the other IAM policy variables are policy
		// text, not the template's.
		if end := closeBrace(text, i+2); end > 0 && analysis.HasPlaceholder(string(text[i:end])) {
			return end, placeholder
		}
	case bytes.HasPrefix(rest, []byte("%{")):
		if end := closeBrace(text, i+2); end > 0 {
			return end, directiveKind
		}
	case bytes.HasPrefix(rest, []byte("{{")):
		if end := bytes.Index(rest[2:], []byte("}}")); end >= 0 {
			return i + 2 + end + 2, placeholder
		}
	case bytes.HasPrefix(rest, []byte("{%")), bytes.HasPrefix(rest, []byte("{#")):
		closer := []byte("%}")
		if rest[1] == '#' {
			closer = []byte("#}")
		}
		if end := bytes.Index(rest[2:], closer); end >= 0 {
			return i + 2 + end + 2, directiveKind
		}
	}
	return i, none
}

// placeholderName is the variable a ${name} placeholder names, or "".
func placeholderName(p string) string {
	if !strings.HasPrefix(p, "${") || !strings.HasSuffix(p, "}") {
		return ""
	}
	return strings.TrimSpace(p[2 : len(p)-1])
}

// closeBrace finds the end of a ${ or %{ whose inside starts at from,
// counting nested braces and skipping quoted strings.
func closeBrace(text []byte, from int) int {
	depth := 1
	for i := from; i < len(text); i++ {
		switch text[i] {
		case '"':
			for i++; i < len(text) && text[i] != '"'; i++ {
				if text[i] == '\\' {
					i++
				}
			}
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i + 1
			}
		}
	}
	return -1
}
