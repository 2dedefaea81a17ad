package assist

import "strconv"

// A tolerant scan of half-typed JSON, for completion: it finds where the
// cursor stands (the path of keys and indices, and whether it is at a key
// or a value, inside a string or not) without needing the document to
// parse, and collects the string values met on the way.

// frame is one open object or array.
type frame struct {
	object  bool
	key     string // object: the key whose value comes next (value position)
	atValue bool   // object: after the colon
	index   int    // array: the element being written
}

// cursorAt is where the cursor stands.
type cursorAt struct {
	frames   []frame
	inString bool
	strStart int    // offset of the opening quote, when inString
	typed    string // the string's text up to the cursor (raw, not unescaped)
}

// path lists the keys and array indices from the root to the cursor, as
// strings: ["Statement", "0", "Action"]. A key being typed is not part of
// it.
func (c cursorAt) path() []string {
	var out []string
	for _, f := range c.frames {
		switch {
		case !f.object:
			out = append(out, strconv.Itoa(f.index))
		case f.atValue:
			out = append(out, f.key)
		}
	}
	return out
}

// atKey reports whether the cursor is where an object key goes.
func (c cursorAt) atKey() bool {
	n := len(c.frames)
	return n > 0 && c.frames[n-1].object && !c.frames[n-1].atValue
}

// stringAt is a complete string value met by the scan, with its path.
type stringAt struct {
	path  []string
	value string
}

// scanTo scans src up to limit (the cursor) and returns where it stands,
// and every complete string value in src (not only up to limit), with its
// path.
func scanTo(src []byte, limit int) (cursorAt, []stringAt) {
	var stack []frame
	var cur cursorAt
	var values []stringAt
	captured := false
	capture := func(at int) {
		if !captured && at >= limit {
			cur = cursorAt{frames: append([]frame(nil), stack...)}
			captured = true
		}
	}
	for i := 0; i < len(src); i++ {
		capture(i)
		switch c := src[i]; c {
		case '{', '[':
			stack = append(stack, frame{object: c == '{'})
		case '}', ']':
			if len(stack) > 0 {
				stack = stack[:len(stack)-1]
			}
		case ':':
			if n := len(stack); n > 0 && stack[n-1].object {
				stack[n-1].atValue = true
			}
		case ',':
			if n := len(stack); n > 0 {
				if stack[n-1].object {
					stack[n-1].atValue, stack[n-1].key = false, ""
				} else {
					stack[n-1].index++
				}
			}
		case '"':
			end, closed := stringEnd(src, i)
			if !captured && limit > i && limit <= end {
				cur = cursorAt{frames: append([]frame(nil), stack...), inString: true, strStart: i, typed: string(src[i+1 : limit])}
				captured = true
			}
			if !closed {
				i = end - 1 // go on after the half-typed string
				continue
			}
			s := string(src[i+1 : end])
			n := len(stack)
			switch {
			case n > 0 && stack[n-1].object && !stack[n-1].atValue:
				stack[n-1].key = s
			default:
				var f cursorAt
				f.frames = stack
				values = append(values, stringAt{path: f.path(), value: s})
			}
			i = end
		}
	}
	capture(len(src))
	return cur, values
}

// stringEnd returns the offset of the quote that closes the string opened
// at start. An unterminated string ends at the line break or the end of
// src: JSON strings hold no line break, and a half-typed string must not
// swallow the lines after it.
func stringEnd(src []byte, start int) (end int, closed bool) {
	for i := start + 1; i < len(src); i++ {
		switch src[i] {
		case '\\':
			i++
		case '"':
			return i, true
		case '\n':
			return i, false
		}
	}
	return len(src), false
}
