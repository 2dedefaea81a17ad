package cloudformation

import (
	"bytes"
	"encoding/json"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// writer writes one policy of a template as JSON text with its map to
// the host, and remembers how each writable region is written in the
// host so that HostMap.Encode can write an edit there.
type writer struct {
	t       *template
	b       analysis.HostBuilder
	regions []region // index = region number - 1
}

// region is how the host writes one writable run of a document: a
// scalar (the policy's string values) or the string that holds a whole
// policy as JSON text (raw).
type region struct {
	style  style
	raw    bool
	indent string // a literal block's indentation
	crlf   bool   // a literal block in a file of CRLF lines
	flow   bool   // inside a YAML flow collection
	// verbatim: the host's own JSON text, written as it is.
	verbatim bool
	// sub: the text is under !Sub, whose ${...} CloudFormation fills in.
	sub bool
	// fixed: the value of an intrinsic function other than !Sub; not
	// writable.
	fixed bool
	// member: a YAML mapping key, before which a new member may be
	// written (a block mapping's members start on a new line at indent).
	member bool
	// dash is the indentation of the "-" of a scalar that is an item of a
	// block sequence (nil otherwise): a new item goes on a line of its own.
	dash *string
	// tagged: the scalar carries a tag (!Sub) that its token leaves out.
	tagged bool
	// flowSafe: a plain scalar that may stand inside a flow sequence.
	flowSafe bool
	// collection: an intrinsic function of a YAML template whose
	// argument is a collection (!Sub [text, {vars}], Fn::Sub: [...]):
	// its tag, or its block lines, stand where no "[" can open a flow
	// sequence around it.
	collection bool
}

// verbatimRegion is region 1 of a JSON template: the document's JSON is
// the host's, written as it is.
const verbatimRegion = 1

func newWriter(t *template) *writer {
	return &writer{t: t, regions: []region{{verbatim: true}}}
}

func (w *writer) newRegion(r region) int {
	w.regions = append(w.regions, r)
	return len(w.regions)
}

// encode writes new JSON text as the host writes it in a region; false
// when it cannot be written there in the host's syntax and style.
func (w *writer) encode(id int, text string) (string, bool) {
	if id < 1 || id > len(w.regions) {
		return "", false
	}
	r := w.regions[id-1]
	if r.fixed {
		return "", false
	}
	if !r.raw && !r.verbatim && (r.style != jsonStyle || r.collection) && (text == "[" || strings.HasPrefix(text, ",")) {
		return w.encodeListEdit(r, text)
	}
	if analysis.HasPlaceholder(text) {
		return w.encodeSub(r, text)
	}
	if r.verbatim {
		return text, true
	}
	if r.raw {
		return encodeRaw(r, text)
	}
	var whole string
	if r.member && json.Unmarshal([]byte(text), &whole) != nil && !isFragment(text) {
		return encodeMember(r, text)
	}
	return encodeScalar(r, text)
}

// encodeSub writes new text that holds placeholders where CloudFormation
// would not fill them in: each string that holds one becomes a !Sub (a
// whole YAML scalar, or a string of a JSON template). Placeholders that
// stand for no parameter, resource or pseudo parameter of the template
// (the tool's own, such as ${ImportValue.Name}) are never written.
func (w *writer) encodeSub(r region, text string) (string, bool) {
	for _, sp := range analysis.Placeholders(text) {
		if !w.t.subVariable(text[sp.Start+2 : sp.End-1]) {
			return "", false
		}
	}
	whole := strings.HasPrefix(text, `"`)
	switch {
	case r.raw && r.sub:
		return encodeRaw(r, text)
	case r.raw:
		return "", false
	case r.verbatim || (r.style == jsonStyle && !whole && !isFragment(text)):
		// JSON text around a string: the strings it adds become !Sub.
		return subStringsJSON(text)
	case r.style == jsonStyle && whole:
		return `{"Fn::Sub": ` + text + `}`, true
	case r.style == jsonStyle:
		return text, r.sub
	case !whole && !isFragment(text):
		return "", false
	case r.sub:
		return encodeScalar(r, text)
	case whole:
		enc, ok := encodeScalar(r, text)
		return "!Sub " + enc, ok
	}
	return "", false
}

// isFragment reports whether new text is part of a string's inside: it
// has no quote of its own.
func isFragment(text string) bool {
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\\':
			i++
		case '"':
			return false
		}
	}
	return true
}

// subStringsJSON wraps each JSON string of new text that holds a
// placeholder in {"Fn::Sub": ...}; the text must be whole strings.
func subStringsJSON(text string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(text); {
		if text[i] != '"' {
			if strings.IndexByte("{}[],: \t\n", text[i]) < 0 {
				return "", false // not whole strings: a part of one
			}
			b.WriteByte(text[i])
			i++
			continue
		}
		end := i + 1
		for end < len(text) && text[end] != '"' {
			if text[end] == '\\' {
				end++
			}
			end++
		}
		if end >= len(text) {
			return "", false
		}
		token := text[i : end+1]
		if analysis.HasPlaceholder(token) {
			token = `{"Fn::Sub": ` + token + `}`
		}
		b.WriteString(token)
		i = end + 1
	}
	return b.String(), true
}

// encodeRaw writes JSON text inside the string that holds a policy.
func encodeRaw(r region, text string) (string, bool) {
	switch r.style {
	case jsonStyle, doubleStyle:
		return source.EscapeJSON(text), true
	case singleStyle:
		if strings.ContainsAny(text, "\n\r") {
			return "", false
		}
		return strings.ReplaceAll(text, "'", "''"), true
	case literalStyle:
		if strings.Contains(text, "\t") {
			return "", false
		}
		newline := "\n"
		if r.crlf {
			newline = "\r\n"
		}
		return strings.ReplaceAll(text, "\n", newline+r.indent), true
	}
	return "", false
}

// encodeScalar writes the new text of a string value, whole (with its
// quotes) or in part, in the scalar's style: a plain scalar stays plain
// when YAML reads the new text as the same string, else it is quoted.
func encodeScalar(r region, text string) (string, bool) {
	whole := strings.HasPrefix(text, `"`)
	if r.style == jsonStyle {
		return text, true
	}
	if strings.ContainsAny(text, "\n\r") {
		return "", false
	}
	if !whole {
		if strings.HasPrefix(text, "{") || strings.HasPrefix(text, "[") {
			return text, r.style == plainStyle && !r.flow // a flow collection replaces a plain value
		}
		var v string
		if json.Unmarshal([]byte(`"`+text+`"`), &v) != nil {
			return "", false
		}
		switch r.style {
		case doubleStyle:
			return text, true
		case singleStyle:
			return strings.ReplaceAll(v, "'", "''"), !hasControl(v)
		case plainStyle:
			return v, plainSafe(v, r.flow, true)
		}
		return "", false
	}
	var v string
	if json.Unmarshal([]byte(text), &v) != nil {
		return "", false
	}
	switch {
	case r.style == plainStyle && plainSafe(v, r.flow, false):
		return v, true
	case r.style == singleStyle && !hasControl(v):
		return "'" + strings.ReplaceAll(v, "'", "''") + "'", true
	case r.style == plainStyle || r.style == doubleStyle || r.style == singleStyle:
		return text, true // a JSON string is a YAML double-quoted scalar
	}
	return "", false
}

func hasControl(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return r < 0x20 || r == 0x7f }) >= 0
}

// plainSafe reports whether YAML reads s, written plain, as the string s
// (part of a plain scalar when part is set).
func plainSafe(s string, flow, part bool) bool {
	if s == "" || hasControl(s) || strings.ContainsAny(s, "\"'\\") || strings.Contains(s, ": ") || strings.Contains(s, " #") ||
		(flow && strings.ContainsAny(s, ",[]{}")) {
		return false
	}
	if part {
		return true
	}
	if strings.HasSuffix(s, ":") || strings.HasSuffix(s, " ") || strings.ContainsAny(s[:1], "-?:,[]{}#&*!|>%@` ") {
		return false
	}
	switch strings.ToLower(s) {
	case "true", "false", "null", "~", "yes", "no", "on", "off":
		return false
	}
	var num json.Number
	return json.Unmarshal([]byte(s), &num) != nil
}

// document writes the policy at n (a mapping, or a string holding the
// policy as JSON text) and returns its text and host map.
func (w *writer) document(n *node) ([]byte, *analysis.HostMap) {
	if pieces, ok := w.t.stringPieces(n, 0); ok {
		text := policyText(n)
		style := text.style
		if text.verbatim && text.kind == scalarNode {
			style = jsonStyle // a string of a JSON template
		}
		reg := region{style: style, raw: true, indent: w.t.blockIndent(text), crlf: w.t.crlf()}
		if fn, _, isFn := n.intrinsic(); isFn {
			reg.sub, reg.fixed = fn == "Sub", fn != "Sub"
		}
		source.WriteRaw(&w.b, pieces, w.newRegion(reg))
	} else {
		w.value(n)
	}
	m := w.b.Map(n.span)
	m.Encode = w.encode
	return w.b.Text(), m
}

// policyText is the scalar in which the host writes a policy held as
// JSON text at n: n itself, or the string of !Sub (Fn::Sub), whose
// argument may be [string, {vars}]. Its style, not the function's, says
// how new text is written there (a literal block, a quoted string).
func policyText(n *node) *node {
	fn, arg, isFn := n.intrinsic()
	switch {
	case !isFn || fn != "Sub":
		return n
	case arg.kind == sequenceNode && len(arg.items) > 0:
		return arg.items[0]
	}
	return arg
}

// value writes any element as JSON.
func (w *writer) value(n *node) {
	if n.verbatim && !w.t.needsResolving(n) {
		w.b.Copy(n.span, string(w.t.src[n.span.Start:n.span.End]), verbatimRegion)
		return
	}
	if fn, arg, isFn := n.intrinsic(); isFn {
		if fn == "If" {
			if branch := w.t.ifBranch(arg); branch != nil && branch.kind != scalarNode {
				if _, _, nested := branch.intrinsic(); !nested {
					w.value(branch)
					return
				}
			}
		}
		pieces, _ := w.t.stringPieces(n, 0)
		reg := region{style: n.style, flow: n.flow, sub: fn == "Sub", fixed: fn != "Sub", tagged: n.tag != ""}
		if n.tag == "" {
			reg.style = jsonStyle
		}
		reg.collection = !n.verbatim && n.kind != scalarNode
		source.WriteString(&w.b, pieces, n.span, w.newRegion(reg))
		return
	}
	switch n.kind {
	case mappingNode:
		w.b.Wrap(n.span, func() {
			w.bracket(n, n.span.Start, "{")
			for i, k := range n.keys {
				if i > 0 {
					w.b.Write(", ")
				}
				w.key(k)
				w.b.Write(": ")
				w.value(n.vals[i])
			}
			w.bracket(n, n.span.End-1, "}")
		})
	case sequenceNode:
		w.b.Wrap(n.span, func() {
			w.bracket(n, n.span.Start, "[")
			for i, item := range n.items {
				if i > 0 {
					w.b.Write(", ")
				}
				w.value(item)
			}
			w.bracket(n, n.span.End-1, "]")
		})
	default:
		w.scalar(n)
	}
}

// bracket writes a collection's bracket at host offset at: a JSON
// template's own, so that a finding on it and an edit next to it land on
// the host's.
func (w *writer) bracket(n *node, at int, b string) {
	if n.verbatim {
		w.b.Copy(analysis.Span{Start: at, End: at + 1}, b, verbatimRegion)
		return
	}
	w.b.Write(b)
}

// key writes a mapping's key. In YAML its region also takes a new member
// inserted before it, written as YAML.
func (w *writer) key(k *node) {
	if k.verbatim || k.kind != scalarNode || !k.str {
		w.scalar(k)
		return
	}
	reg := region{style: k.writtenStyle(), flow: k.flow, member: !k.inexact, crlf: w.t.crlf()}
	if !k.flow {
		line := bytes.LastIndexByte(w.t.src[:k.span.Start], '\n') + 1
		prefix := string(w.t.src[line:k.span.Start])
		if strings.Trim(prefix, " -") != "" {
			reg.member = false // text before the key: no new line can start there alike
		}
		reg.indent = strings.Repeat(" ", len(prefix))
	}
	source.WriteString(&w.b, k.pieces, k.span, w.newRegion(reg))
}

// encodeListEdit writes, around a YAML scalar, the edits that add a value
// to a list: "[" and ", value]" that make a lone value a flow sequence of
// two, and ", value" after the last item of a sequence (a new "- value"
// line in a block sequence). A value with placeholders is written under
// !Sub.
func (w *writer) encodeListEdit(r region, text string) (string, bool) {
	if text == "[" {
		return text, !r.tagged && !r.collection && (r.style != plainStyle || r.flowSafe)
	}
	raw := strings.TrimSpace(text[1:])
	closing := strings.HasSuffix(raw, "]")
	raw = strings.TrimSuffix(raw, "]")
	var v any
	if strings.ContainsAny(raw, "\n\r") || json.Unmarshal([]byte(raw), &v) != nil {
		return "", false
	}
	if analysis.HasPlaceholder(raw) {
		for _, sp := range analysis.Placeholders(raw) {
			if !w.t.subVariable(raw[sp.Start+2 : sp.End-1]) {
				return "", false
			}
		}
		raw = "!Sub " + raw
	}
	switch {
	case closing:
		return ", " + raw + "]", !r.tagged && !r.collection && (r.style != plainStyle || r.flowSafe)
	case r.flow:
		return ", " + raw, true
	case r.dash != nil:
		newline := "\n"
		if r.crlf {
			newline = "\r\n"
		}
		return newline + *r.dash + "- " + raw, true
	}
	return "", false
}

// encodeMember writes a new member ("Version": "2012-10-17", inserted
// before a key) as a YAML member: on its own line in a block mapping,
// followed by a comma in a flow one.
func encodeMember(r region, text string) (string, bool) {
	dec := json.NewDecoder(strings.NewReader("{" + strings.TrimSuffix(strings.TrimSpace(text), ",") + "}"))
	var key string
	var value json.RawMessage
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return "", false
	}
	if t, err := dec.Token(); err == nil {
		key, _ = t.(string)
	}
	if key == "" || dec.Decode(&value) != nil || strings.ContainsAny(string(value), "\n\r") {
		return "", false
	}
	if t, err := dec.Token(); err != nil || t != json.Delim('}') {
		return "", false
	}
	k := key
	if !plainSafe(key, r.flow, false) {
		k = analysis.Quote(key)
	}
	if r.flow {
		return k + ": " + string(value) + ", ", true
	}
	if r.crlf {
		return k + ": " + string(value) + "\r\n" + r.indent, true
	}
	return k + ": " + string(value) + "\n" + r.indent, true
}

// scalar writes a string as a JSON string in a region of its own, and a
// number, boolean or null as it is.
func (w *writer) scalar(n *node) {
	if n.kind != scalarNode {
		w.b.Wrap(n.span, func() { w.b.Write(`""`) })
		return
	}
	if n.verbatim {
		w.b.Copy(n.span, string(w.t.src[n.span.Start:n.span.End]), verbatimRegion)
		return
	}
	if !n.str {
		if text, ok := jsonLiteral(n.value()); ok {
			w.b.Wrap(n.span, func() { w.b.Write(text) })
			return
		}
	}
	reg := region{style: n.writtenStyle(), flow: n.flow, crlf: w.t.crlf(), dash: w.t.dashIndent(n)}
	v := n.value()
	reg.flowSafe = n.style == plainStyle && !strings.ContainsAny(v, ",[]{}") && !strings.Contains(v, ": ") && !strings.Contains(v, " #")
	source.WriteString(&w.b, n.pieces, n.span, w.newRegion(reg))
}

// dashIndent is the indentation of the "-" before a scalar that is an
// item of a block sequence, or nil.
func (t *template) dashIndent(n *node) *string {
	if n.flow || n.verbatim {
		return nil
	}
	line := bytes.LastIndexByte(t.src[:n.span.Start], '\n') + 1
	prefix := string(t.src[line:n.span.Start])
	indent := strings.TrimLeft(prefix, " ")
	if !strings.HasPrefix(indent, "-") || strings.TrimSpace(indent[1:]) != "" || len(indent) < 2 {
		return nil
	}
	dash := prefix[:len(prefix)-len(indent)]
	return &dash
}

// jsonLiteral is the JSON writing of a YAML number, boolean or null.
func jsonLiteral(v string) (string, bool) {
	switch v {
	case "", "~", "null", "Null", "NULL":
		return "null", true
	case "true", "True", "TRUE":
		return "true", true
	case "false", "False", "FALSE":
		return "false", true
	}
	var num json.Number
	if json.Unmarshal([]byte(v), &num) == nil {
		return v, true
	}
	return "", false
}
