package analysis

import (
	"bytes"
	"strconv"
)

// The helpers below build minimal edits that keep the user's layout: a
// member or array element is inserted with the indentation and line
// breaks of its neighbours, and nothing else is touched.

// Quote returns s as a JSON string literal.
func Quote(s string) string {
	var buf bytes.Buffer
	buf.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			buf.WriteByte('\\')
			buf.WriteRune(r)
		case r < 0x20:
			buf.WriteString(`\u00`)
			buf.WriteString(strconv.FormatInt(int64(r)>>4, 16))
			buf.WriteString(strconv.FormatInt(int64(r)&0xf, 16))
		default:
			buf.WriteRune(r)
		}
	}
	buf.WriteByte('"')
	return buf.String()
}

// leadingSpace returns the whitespace before offset, back to the previous
// non-space byte.
func leadingSpace(src []byte, offset int) string {
	i := offset
	for i > 0 && isSpace(src[i-1]) {
		i--
	}
	return string(src[i:offset])
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// lineBreakAndIndent returns the separator the document uses before an
// element that starts at offset: "\n" plus its indentation when elements
// are on lines of their own, else a single space.
func lineBreakAndIndent(src []byte, offset int) string {
	ws := leadingSpace(src, offset)
	if i := lastNewline(ws); i >= 0 {
		nl := "\n"
		if i > 0 && ws[i-1] == '\r' {
			nl = "\r\n"
		}
		return nl + ws[i+1:]
	}
	return " "
}

func lastNewline(s string) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == '\n' {
			return i
		}
	}
	return -1
}

// indentOf returns the indentation of the line that holds offset.
func indentOf(src []byte, offset int) string {
	start := offset
	for start > 0 && src[start-1] != '\n' {
		start--
	}
	end := start
	for end < len(src) && (src[end] == ' ' || src[end] == '\t') {
		end++
	}
	return string(src[start:end])
}

// InsertFirstMember returns the edit that adds member (already rendered,
// e.g. `"Version": "2012-10-17"`) as the first member of obj.
func InsertFirstMember(src []byte, obj *Value, member string) Edit {
	at := obj.Span.Start + 1
	return Edit{Span: Span{at, at}, NewText: insertMember(src, obj, member)}
}

// insertMember renders member for insertion right after obj's "{".
func insertMember(src []byte, obj *Value, member string) string {
	if len(obj.Fields) == 0 {
		return member
	}
	sep := lineBreakAndIndent(src, obj.Fields[0].KeySpan.Start)
	if sep == " " {
		return member + ", "
	}
	return sep + member + ","
}

// AppendMember returns the edit that adds member as the last member of
// obj, laid out like the members before it.
func AppendMember(src []byte, obj *Value, member string) Edit {
	if len(obj.Fields) == 0 {
		at := obj.Span.Start + 1
		return Edit{Span: Span{at, at}, NewText: member}
	}
	last := obj.Fields[len(obj.Fields)-1]
	at := last.Value.Span.End
	return Edit{Span: Span{at, at}, NewText: "," + lineBreakAndIndent(src, last.KeySpan.Start) + member}
}

// AppendString returns the edits that add s to an element holding a
// string or an array of strings. A lone string becomes a two-element
// array on one line; an array gains the element laid out like the others.
func AppendString(src []byte, v *Value, s string) []Edit {
	return AppendRaw(src, v, Quote(s))
}

// AppendRaw is AppendString for an already rendered JSON value.
func AppendRaw(src []byte, v *Value, raw string) []Edit {
	switch v.Kind {
	case Array:
		if len(v.Items) == 0 {
			at := v.Span.Start + 1
			return []Edit{{Span: Span{at, at}, NewText: raw}}
		}
		last := v.Items[len(v.Items)-1]
		at := last.Span.End
		return []Edit{{Span: Span{at, at}, NewText: "," + lineBreakAndIndent(src, last.Span.Start) + raw}}
	default:
		return []Edit{
			{Span: Span{v.Span.Start, v.Span.Start}, NewText: "["},
			{Span: Span{v.Span.End, v.Span.End}, NewText: ", " + raw + "]"},
		}
	}
}

// RemoveItem returns the edit that deletes element i of array arr together
// with one adjoining comma and the whitespace that belongs to it.
func RemoveItem(src []byte, arr *Value, i int) Edit {
	items := arr.Items
	return removeElement(arr.Span, len(items), i,
		func(j int) int { return items[j].Span.Start }, func(j int) int { return items[j].Span.End })
}

// RemoveMember returns the edit that deletes member i of obj and one
// adjoining comma.
func RemoveMember(src []byte, obj *Value, i int) Edit {
	fields := obj.Fields
	return removeElement(obj.Span, len(fields), i,
		func(j int) int { return fields[j].KeySpan.Start }, func(j int) int { return fields[j].Value.Span.End })
}

// removeElement deletes element i of the n elements of a container: up to
// the start of the next element, or for the last one from the end of the
// previous, so that exactly one comma goes with it.
func removeElement(container Span, n, i int, start, end func(int) int) Edit {
	switch {
	case n == 1:
		return Edit{Span: Span{container.Start + 1, container.End - 1}}
	case i+1 < n:
		return Edit{Span: Span{start(i), start(i + 1)}}
	default:
		return Edit{Span: Span{end(i - 1), end(i)}}
	}
}

// NestedIndent returns the indentation one level deeper than the line at
// offset, using the document's own unit (a tab, or the step between the
// line and the members of the object that starts there).
func NestedIndent(src []byte, obj *Value) (outer, inner string) {
	outer = indentOf(src, obj.Span.Start)
	if len(obj.Fields) > 0 {
		if ws := leadingSpace(src, obj.Fields[0].KeySpan.Start); lastNewline(ws) >= 0 {
			inner = ws[lastNewline(ws)+1:]
			return outer, inner
		}
	}
	step := "  "
	if bytes.Contains(src, []byte("\n\t")) {
		step = "\t"
	} else if bytes.Contains(src, []byte("\n    \"")) && !bytes.Contains(src, []byte("\n  \"")) {
		step = "    "
	}
	return outer, outer + step
}
