package analysis

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// ValueKind is the JSON type of a Value.
type ValueKind uint8

const (
	Null ValueKind = iota + 1
	Bool
	Number
	String
	Array
	Object
)

var kindNames = [...]string{"", "null", "boolean", "number", "string", "array", "object"}

func (k ValueKind) String() string { return kindNames[k] }

// Value is a JSON value that remembers where it stands in the document.
type Value struct {
	Kind ValueKind
	Span Span // the value's text, quotes and brackets included
	// Str is the decoded text of a string, or the literal text of a
	// number or boolean.
	Str    string
	Items  []*Value // array elements
	Fields []*Field // object members, in document order
}

// Field is one member of a JSON object.
type Field struct {
	Key     string
	KeySpan Span // the key with its quotes
	Value   *Value
}

// Span covers the key through the end of the value.
func (f *Field) Span() Span { return Span{f.KeySpan.Start, f.Value.Span.End} }

// Get returns the member named key, or nil. With duplicate keys the last
// one wins, as in encoding/json and the IAM policy parser.
func (v *Value) Get(key string) *Field {
	if v == nil || v.Kind != Object {
		return nil
	}
	for i := len(v.Fields) - 1; i >= 0; i-- {
		if v.Fields[i].Key == key {
			return v.Fields[i]
		}
	}
	return nil
}

// InnerSpan is the span of a string's content, without its quotes.
func (v *Value) InnerSpan() Span {
	if v.Kind == String && v.Span.Len() >= 2 {
		return Span{v.Span.Start + 1, v.Span.End - 1}
	}
	return v.Span
}

// SyntaxError is the first place where a document stops being JSON.
type SyntaxError struct {
	Span Span
	Msg  string
}

func (e *SyntaxError) Error() string { return e.Msg }

// MaxDepth bounds nesting. Policies nest four or five levels; anything
// deeper is not a policy, and the bound keeps hostile input from costing
// stack.
const MaxDepth = 256

// ParseJSON parses a whole document. On failure it returns the first
// syntax error; the document is then not analysed further.
func ParseJSON(src []byte) (*Value, *SyntaxError) {
	p := &parser{src: src}
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		p.pos = 3 // a UTF-8 byte order mark, as some Windows editors write
	}
	p.skipSpace()
	if p.pos >= len(src) {
		return nil, p.errAt(p.pos, 0, "the document is empty: a policy is a JSON object such as {\"Version\": \"2012-10-17\", \"Statement\": []}")
	}
	v := p.value(0)
	if p.err != nil {
		return nil, p.err
	}
	p.skipSpace()
	if p.pos < len(src) {
		return nil, p.errAt(p.pos, 1, "unexpected text after the end of the JSON value")
	}
	return v, nil
}

type parser struct {
	src []byte
	pos int
	err *SyntaxError

	// The tree is allocated in slabs, and children are gathered on a
	// stack and copied once into a slice of their exact size: a 20 KB
	// policy then costs a few allocations for its tree instead of
	// thousands. (Interning the strings too was measured: no faster.)
	values     []Value
	fields     []Field
	ptrs       []*Value
	fptrs      []*Field
	items      []*Value // children of the arrays being parsed
	fieldStack []*Field // members of the objects being parsed
}

// slabSize is the number of nodes to allocate at once: first a guess
// from the document's size (a policy laid out by people holds about one
// value per 25 bytes and one member per 45: the guesses below are a
// little generous, so that one slab holds them all), then doubling.
func (p *parser) slabSize(have, bytesPerNode int) int {
	if have == 0 {
		return min(max(16, len(p.src)/bytesPerNode), 4096)
	}
	return min(have*2, 4096)
}

func (p *parser) newValue(v Value) *Value {
	if len(p.values) == cap(p.values) {
		p.values = make([]Value, 0, p.slabSize(cap(p.values), 20))
	}
	p.values = append(p.values, v)
	return &p.values[len(p.values)-1]
}

func (p *parser) newField(f Field) *Field {
	if len(p.fields) == cap(p.fields) {
		p.fields = make([]Field, 0, p.slabSize(cap(p.fields), 32))
	}
	p.fields = append(p.fields, f)
	return &p.fields[len(p.fields)-1]
}

// takeItems moves the array children gathered since mark into a slice of
// their exact size (so that appending to it never writes into another's).
func (p *parser) takeItems(mark int) []*Value {
	return takeExact(&p.items, &p.ptrs, mark, p.slabSize(cap(p.ptrs), 20))
}

// takeFields is takeItems for object members.
func (p *parser) takeFields(mark int) []*Field {
	return takeExact(&p.fieldStack, &p.fptrs, mark, p.slabSize(cap(p.fptrs), 32))
}

// takeExact moves (*stack)[mark:] to the end of *slab, starting a new
// slab of at least next elements when it has no room, and returns the
// moved elements with their exact capacity.
func takeExact[T any](stack, slab *[]T, mark, next int) []T {
	n := len(*stack) - mark
	if n > cap(*slab)-len(*slab) {
		*slab = make([]T, 0, max(n, next))
	}
	start := len(*slab)
	*slab = append(*slab, (*stack)[mark:]...)
	*stack = (*stack)[:mark]
	return (*slab)[start:len(*slab):len(*slab)]
}

func (p *parser) errAt(at, length int, msg string) *SyntaxError {
	if p.err == nil {
		end := min(at+length, len(p.src))
		// Never split a UTF-8 sequence: the span must map to whole characters.
		for end < len(p.src) && !utf8.RuneStart(p.src[end]) {
			end++
		}
		p.err = &SyntaxError{Span: Span{at, end}, Msg: msg}
	}
	return p.err
}

func (p *parser) skipSpace() {
	for p.pos < len(p.src) {
		switch p.src[p.pos] {
		case ' ', '\t', '\n', '\r':
			p.pos++
		default:
			return
		}
	}
}

func (p *parser) value(depth int) *Value {
	if depth > MaxDepth {
		p.errAt(p.pos, 1, "nesting is deeper than "+strconv.Itoa(MaxDepth)+" levels")
		return nil
	}
	if p.pos >= len(p.src) {
		p.errAt(p.pos, 0, "unexpected end of document: a value is missing")
		return nil
	}
	switch c := p.src[p.pos]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		start := p.pos
		s, ok := p.str()
		if !ok {
			return nil
		}
		return p.newValue(Value{Kind: String, Span: Span{start, p.pos}, Str: s})
	case c == 't':
		return p.literal("true", Bool)
	case c == 'f':
		return p.literal("false", Bool)
	case c == 'n':
		return p.literal("null", Null)
	case c == '-' || (c >= '0' && c <= '9'):
		return p.number()
	default:
		p.errAt(p.pos, 1, "unexpected "+describe(p.src[p.pos:])+": expected a value")
		return nil
	}
}

func (p *parser) object(depth int) *Value {
	v := p.newValue(Value{Kind: Object, Span: Span{Start: p.pos}})
	mark := len(p.fieldStack)
	p.pos++ // {
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == '}' {
		p.pos++
		v.Span.End = p.pos
		return v
	}
	for {
		p.skipSpace()
		if p.pos >= len(p.src) {
			p.errAt(v.Span.Start, 1, "unexpected end of document: the object opened here is not closed with }")
			return nil
		}
		if p.src[p.pos] != '"' {
			msg := "expected a quoted member name"
			if p.src[p.pos] == '}' {
				msg = "a trailing comma is not allowed in JSON"
			}
			p.errAt(p.pos, 1, "unexpected "+describe(p.src[p.pos:])+": "+msg)
			return nil
		}
		keyStart := p.pos
		key, ok := p.str()
		if !ok {
			return nil
		}
		f := p.newField(Field{Key: key, KeySpan: Span{keyStart, p.pos}})
		p.skipSpace()
		if p.pos >= len(p.src) || p.src[p.pos] != ':' {
			p.errAt(p.pos, 1, "expected ':' after the member name \""+key+"\"")
			return nil
		}
		p.pos++
		p.skipSpace()
		if f.Value = p.value(depth + 1); f.Value == nil {
			return nil
		}
		p.fieldStack = append(p.fieldStack, f)
		p.skipSpace()
		if p.pos >= len(p.src) {
			p.errAt(p.pos, 0, "unexpected end of document: the object is not closed with }")
			return nil
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case '}':
			p.pos++
			v.Span.End = p.pos
			v.Fields = p.takeFields(mark)
			return v
		default:
			p.errAt(p.pos, 1, "unexpected "+describe(p.src[p.pos:])+": expected ',' or '}' after a member (is a comma missing?)")
			return nil
		}
	}
}

func (p *parser) array(depth int) *Value {
	v := p.newValue(Value{Kind: Array, Span: Span{Start: p.pos}})
	mark := len(p.items)
	p.pos++ // [
	p.skipSpace()
	if p.pos < len(p.src) && p.src[p.pos] == ']' {
		p.pos++
		v.Span.End = p.pos
		return v
	}
	for {
		p.skipSpace()
		if p.pos < len(p.src) && p.src[p.pos] == ']' {
			p.errAt(p.pos, 1, "unexpected ']': a trailing comma is not allowed in JSON")
			return nil
		}
		item := p.value(depth + 1)
		if item == nil {
			return nil
		}
		p.items = append(p.items, item)
		p.skipSpace()
		if p.pos >= len(p.src) {
			p.errAt(p.pos, 0, "unexpected end of document: the array is not closed with ]")
			return nil
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
		case ']':
			p.pos++
			v.Span.End = p.pos
			v.Items = p.takeItems(mark)
			return v
		default:
			p.errAt(p.pos, 1, "unexpected "+describe(p.src[p.pos:])+": expected ',' or ']' after an element (is a comma missing?)")
			return nil
		}
	}
}

func (p *parser) literal(word string, kind ValueKind) *Value {
	start := p.pos
	if len(p.src)-p.pos < len(word) || string(p.src[p.pos:p.pos+len(word)]) != word {
		p.errAt(p.pos, 1, "unexpected "+describe(p.src[p.pos:])+": expected a value (strings need double quotes)")
		return nil
	}
	p.pos += len(word)
	return p.newValue(Value{Kind: kind, Span: Span{start, p.pos}, Str: word})
}

func (p *parser) number() *Value {
	start := p.pos
	digits := func() int {
		n := 0
		for p.pos < len(p.src) && p.src[p.pos] >= '0' && p.src[p.pos] <= '9' {
			p.pos++
			n++
		}
		return n
	}
	if p.src[p.pos] == '-' {
		p.pos++
	}
	if p.pos < len(p.src) && p.src[p.pos] == '0' {
		p.pos++
	} else if digits() == 0 {
		p.errAt(p.pos, 1, "invalid number: a digit is missing")
		return nil
	}
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			p.errAt(p.pos, 1, "invalid number: a digit must follow the decimal point")
			return nil
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			p.errAt(p.pos, 1, "invalid number: the exponent has no digits")
			return nil
		}
	}
	return p.newValue(Value{Kind: Number, Span: Span{start, p.pos}, Str: string(p.src[start:p.pos])})
}

// str reads a quoted string at p.pos and returns its decoded text.
func (p *parser) str() (string, bool) {
	start := p.pos
	p.pos++ // opening quote
	// Fast path: no escapes and valid ASCII/UTF-8 needs no copy work.
	i := p.pos
	for i < len(p.src) {
		c := p.src[i]
		if c == '"' {
			s := p.src[p.pos:i]
			if utf8.Valid(s) {
				p.pos = i + 1
				return string(s), true
			}
			break
		}
		if c == '\\' || c < 0x20 {
			break
		}
		i++
	}
	return p.slowStr(start)
}

func (p *parser) slowStr(start int) (string, bool) {
	buf := make([]byte, 0, 32)
	for p.pos < len(p.src) {
		c := p.src[p.pos]
		switch {
		case c == '"':
			p.pos++
			return string(buf), true
		case c == '\\':
			r, ok := p.escape()
			if !ok {
				return "", false
			}
			buf = utf8.AppendRune(buf, r)
		case c < 0x20:
			what := "a control character"
			if c == '\n' || c == '\r' {
				what = "a line break"
			}
			// Point from the opening quote to the break: the usual cause is
			// a string left open while typing.
			p.errAt(start, p.pos-start, what+" inside a string: the string is not closed with \" before it, or the character must be escaped")
			return "", false
		case c < utf8.RuneSelf:
			buf = append(buf, c)
			p.pos++
		default:
			r, size := utf8.DecodeRune(p.src[p.pos:])
			// Invalid UTF-8 decodes to U+FFFD, as encoding/json does.
			buf = utf8.AppendRune(buf, r)
			p.pos += size
		}
	}
	p.errAt(start, 1, "unexpected end of document: the string that starts here is not closed with \"")
	return "", false
}

func (p *parser) escape() (rune, bool) {
	at := p.pos
	p.pos++ // backslash
	if p.pos >= len(p.src) {
		p.errAt(at, 1, "unexpected end of document inside an escape sequence")
		return 0, false
	}
	c := p.src[p.pos]
	p.pos++
	switch c {
	case '"', '\\', '/':
		return rune(c), true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	case 'u':
		r, ok := p.hex4(at)
		if !ok {
			return 0, false
		}
		if utf16.IsSurrogate(r) {
			// A surrogate pair is two escapes; a lone half becomes U+FFFD.
			if p.pos+1 < len(p.src) && p.src[p.pos] == '\\' && p.src[p.pos+1] == 'u' {
				save := p.pos
				p.pos += 2
				if r2, ok := p.hex4(save); ok {
					if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
						return dec, true
					}
				}
				p.err = nil
				p.pos = save
			}
			return utf8.RuneError, true
		}
		return r, true
	}
	p.errAt(at, 2, "invalid escape sequence \\"+string(rune(c))+" (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")
	return 0, false
}

func (p *parser) hex4(at int) (rune, bool) {
	if len(p.src)-p.pos < 4 {
		p.errAt(at, len(p.src)-at, "invalid \\u escape: four hexadecimal digits are needed")
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.src[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		p.errAt(at, 6, "invalid \\u escape: four hexadecimal digits are needed")
		return 0, false
	}
	p.pos += 4
	return rune(n), true
}

// describe names the character at the start of b for an error message.
func describe(b []byte) string {
	if len(b) == 0 {
		return "end of document"
	}
	r, _ := utf8.DecodeRune(b)
	switch {
	case r == utf8.RuneError:
		return "byte 0x" + strconv.FormatUint(uint64(b[0]), 16) + " (not UTF-8 text)"
	case r < 0x20 || r == 0x7f:
		return "control character " + strconv.QuoteRune(r)
	case r == '\'':
		return "single quote (JSON needs double quotes)"
	}
	return strconv.QuoteRune(r)
}
