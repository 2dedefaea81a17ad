package analysis

import (
	"encoding/binary"
	"math/bits"
	"strconv"
	"sync"
	"unicode/utf16"
	"unicode/utf8"
	"unsafe"
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
	// itemsKind is the kind of every item of an array the parser read;
	// 0 when they differ, or when the tree was not parsed (Strings asks
	// it of every Action and Resource array, for every check).
	itemsKind ValueKind
	Span      Span // the value's text, quotes and brackets included
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
	Msg  Text
}

func (e *SyntaxError) Error() string { return e.Msg.EN }

// MaxDepth bounds nesting. Policies nest four or five levels; anything
// deeper is not a policy, and the bound keeps hostile input from costing
// stack.
const MaxDepth = 256

// ParseJSON parses a whole document. On failure it returns the first
// syntax error; the document is then not analysed further.
func ParseJSON(src []byte) (*Value, *SyntaxError) {
	v, _, err := parseJSON(src, copyText)
	return v, err
}

// textUse is what the caller of a parse promises about its text.
type textUse uint8

const (
	// copyText: the caller may write to the text once the parse returns.
	// The tree's strings are sliced from a copy.
	copyText textUse = iota
	// borrowText: the text is not written to until the tree is recycled
	// (File.Recycle), and nothing taken from the tree is used after that
	// (Document.Borrowed: check's files read alone). The tree's strings
	// are sliced from the text itself.
	borrowText
	// keepText: the text is never written again and outlives the tree
	// (Document.Kept). The tree's strings are sliced from the text, and
	// the tree is laid out in memory of its own, never recycled.
	keepText
)

// parseJSON is ParseJSON that also returns the slabs the tree lies in,
// for a caller that can say when the tree is no longer used
// (File.Recycle); nil on a syntax error, when they are free already, and
// for a kept text, whose tree is copied out of them.
func parseJSON(src []byte, use textUse) (*Value, *slabs, *SyntaxError) {
	var p parser // on the stack: one allocation fewer for each document read
	p.init(src, use)
	v, err := p.document()
	if err != nil {
		freeSlabs.Put(p.keep()) // nothing of the tree is returned
		return nil, nil, err
	}
	if use == keepText {
		v = p.compact(v)
		freeSlabs.Put(p.keep()) // the tree was copied out of them
		return v, nil, nil
	}
	return v, p.keep(), nil
}

// compact copies a tree into memory of its exact size, and returns the
// copy. A tree whose text is kept is kept as long (a set's, the server's):
// the slabs a parse allocates are sized from a guess, and at the first
// scan of 10,000 governed files a quarter of them was room never used
// (10 MB). Parsed in slabs from the pool and copied once, the tree costs
// its own size, and the slabs go back to the pool for the next parse.
func (p *parser) compact(root *Value) *Value {
	c := p.compactor()
	return c.value(root)
}

// compactor has room for exactly the nodes of the tree parsed.
func (p *parser) compactor() *compactor {
	items := p.nValues - 1 - p.nFields // every value but the root is an item or a member's
	return &compactor{
		values: make([]Value, 0, p.nValues),
		fields: make([]Field, 0, p.nFields),
		items:  make([]*Value, 0, items),
		fptrs:  make([]*Field, 0, p.nFields),
	}
}

// compactor lays a tree out in slices of its exact size, in document
// order (children's slices are reserved before the children are copied,
// since their own children follow).
type compactor struct {
	values []Value
	fields []Field
	items  []*Value
	fptrs  []*Field
}

func (c *compactor) value(v *Value) *Value {
	c.values = append(c.values, *v)
	out := &c.values[len(c.values)-1]
	if n := len(v.Items); n > 0 {
		out.Items = reserve(&c.items, n)
		for i, item := range v.Items {
			out.Items[i] = c.value(item)
		}
	}
	if n := len(v.Fields); n > 0 {
		out.Fields = reserve(&c.fptrs, n)
		members := reserve(&c.fields, n)
		for i, f := range v.Fields {
			members[i] = *f
			members[i].Value = c.value(f.Value)
			out.Fields[i] = &members[i]
		}
	}
	return out
}

// reserve takes the next n elements of *slab, which has room for them,
// as a slice of exact capacity (an append by a caller copies).
func reserve[T any](slab *[]T, n int) []T {
	start := len(*slab)
	*slab = (*slab)[:start+n]
	return (*slab)[start : start+n : start+n]
}

func (p *parser) init(src []byte, use textUse) {
	// The document as a string: strings without escapes, and numbers, are
	// slices of it, not an allocation each (a third fewer allocations for
	// a policy; BENCHMARKS.md). A string kept longer than the tree, as a
	// cache key, must be cloned or it keeps all the text. When the whole
	// document is UTF-8, so is every string between its quotes.
	*p = parser{src: src, text: textOf(src, use), validUTF8: utf8.Valid(src)}
	if len(src) >= 3 && src[0] == 0xEF && src[1] == 0xBB && src[2] == 0xBF {
		p.pos = 3 // a UTF-8 byte order mark, as some Windows editors write
	}
	p.reuse()
}

// textOf is src as the string the tree's strings are sliced from. A
// copy, unless the caller does not write to src for as long as the tree
// and its strings are used (use): a set's texts and the server's store
// hold each file's bytes for as long as its documents, and never write to
// them (an edit makes a new text), so a copy there was a second copy of
// every file (7.5 MB of the first scan of 10,000 governed files, issue
// 16); check reads file after file into one buffer, and reads the next
// one only once the last one's tree is recycled and its findings are
// written, so a copy there was a quarter of the memory it allocated
// (issue 16).
func textOf(src []byte, use textUse) string {
	if use == copyText {
		return string(src)
	}
	return unsafe.String(unsafe.SliceData(src), len(src))
}

// document parses the whole text.
func (p *parser) document() (*Value, *SyntaxError) {
	src := p.src
	p.skipSpace()
	if p.pos >= len(src) {
		return nil, p.errAt(p.pos, 0, T("the document is empty: a policy is a JSON object such as {\"Version\": \"2012-10-17\", \"Statement\": []}",
			"文書が空です。ポリシーは {\"Version\": \"2012-10-17\", \"Statement\": []} のような JSON オブジェクトです"))
	}
	v := p.value(0)
	if p.err != nil {
		return nil, p.err
	}
	p.skipSpace()
	if p.pos < len(src) {
		return nil, p.errAt(p.pos, 1, T("unexpected text after the end of the JSON value", "JSON の値の後に余分なテキストがあります"))
	}
	return v, nil
}

type parser struct {
	src       []byte
	text      string // src as a string, for the values to slice
	validUTF8 bool   // src is all UTF-8
	pos       int
	err       *SyntaxError
	// nValues and nFields count the tree's nodes, for compact.
	nValues, nFields int

	slabs
	home *slabs // where the slabs are kept with the tree (keep)
}

// slabs are the memory a tree is allocated in. The tree is allocated in
// slabs, and children are gathered on a stack and copied once into a
// slice of their exact size: a 20 KB policy then costs a few allocations
// for its tree instead of thousands. (Interning the strings too was
// measured: no faster.)
type slabs struct {
	values     []Value
	fields     []Field
	ptrs       []*Value
	fptrs      []*Field
	items      []*Value // children of the arrays being parsed
	fieldStack []*Field // members of the objects being parsed
	policy     policySlabs
}

// freeSlabs are the slabs of trees no longer used (File.Recycle), for the
// next parse to write over: check reads thousands of files, one after the
// other on each core, and allocating (and clearing) each file's tree anew
// was a tenth of its time.
var freeSlabs sync.Pool

// reuse starts the parse in free slabs, when there are some. The last
// slab of each kind, the largest, is kept: one smaller than this
// document's first guess is left for the guess to replace.
func (p *parser) reuse() {
	s, _ := freeSlabs.Get().(*slabs)
	if s == nil {
		p.home = &slabs{}
		return
	}
	p.home = s
	if cap(s.values) >= p.slabSize(0, 20) {
		p.values = s.values[:0]
	}
	if cap(s.fields) >= p.slabSize(0, 32) {
		p.fields = s.fields[:0]
	}
	if cap(s.ptrs) >= p.slabSize(0, 20) {
		p.ptrs = s.ptrs[:0]
	}
	if cap(s.fptrs) >= p.slabSize(0, 32) {
		p.fptrs = s.fptrs[:0]
	}
	p.items, p.fieldStack = s.items[:0], s.fieldStack[:0]
	p.policy = s.policy // NewPolicy's, for the tree's policy (keep gives them back)
}

// keep records the slabs the tree lies in (the last of each kind), for
// Recycle to free with it.
func (p *parser) keep() *slabs {
	*p.home = p.slabs
	return p.home
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
	p.nValues++
	return &p.values[len(p.values)-1]
}

func (p *parser) newField(f Field) *Field {
	if len(p.fields) == cap(p.fields) {
		p.fields = make([]Field, 0, p.slabSize(cap(p.fields), 32))
	}
	p.fields = append(p.fields, f)
	p.nFields++
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

func (p *parser) errAt(at, length int, msg Text) *SyntaxError {
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

// skipSpace moves past whitespace, in a local index: the parse walks
// every byte of every file check reads. After a line break the next
// line's indentation is passed eight spaces at a time.
func (p *parser) skipSpace() {
	src, i := p.src, p.pos
	for i < len(src) && jsonSpace[src[i]] {
		i++
		if src[i-1] == '\n' {
			i = skipIndent(src, i)
		}
	}
	p.pos = i
}

// skipIndent returns the index of the first byte from i that is not a
// space, looking at eight bytes at a time; the document's last few bytes
// are left to skipSpace's loop.
func skipIndent(src []byte, i int) int {
	for i+8 <= len(src) {
		if w := binary.LittleEndian.Uint64(src[i:]) ^ (swarOnes * ' '); w != 0 {
			return i + bits.TrailingZeros64(w)/8
		}
		i += 8
	}
	return i
}

// jsonSpace are the bytes JSON allows between tokens.
var jsonSpace = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// SWAR ("SIMD within a register") constants: a byte of ones, of high bits.
const (
	swarOnes  = 0x0101010101010101
	swarHighs = 0x8080808080808080
)

// specialBytes marks, in the high bit of each byte of w, the bytes that
// are a quote, a backslash or a control character: the bytes a string's
// fast path stops at. (The classic tests for a zero byte and for a byte
// below n: the lowest mark is always such a byte, so a byte loop is not
// needed to find it; a mark above it may be false, and is not used.)
func specialBytes(w uint64) uint64 {
	quote := w ^ (swarOnes * '"')
	backslash := w ^ (swarOnes * '\\')
	found := (quote - swarOnes) & ^quote
	found |= (backslash - swarOnes) & ^backslash
	found |= (w - swarOnes*0x20) & ^w
	return found & swarHighs
}

// PlainASCIIPrefix is the length of a prefix of s, a multiple of eight
// bytes, of ASCII text that a JSON string holds as it is: no quote,
// backslash or control character. It reads eight bytes at a time, for a
// writer of JSON (internal/report) to copy them without looking at each.
func PlainASCIIPrefix(s string) int {
	i := 0
	for ; i+8 <= len(s); i += 8 {
		b := s[i : i+8] // one load, no bounds checks
		w := uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
			uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
		if specialBytes(w)|w&swarHighs != 0 {
			break
		}
	}
	return i
}

func (p *parser) value(depth int) *Value {
	if depth > MaxDepth {
		p.errAt(p.pos, 1, Tf("nesting is deeper than %d levels", "入れ子が %d 段を超えています", MaxDepth))
		return nil
	}
	if p.pos >= len(p.src) {
		p.errAt(p.pos, 0, T("unexpected end of document: a value is missing", "文書が途中で終わっています。値がありません"))
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
		p.errAt(p.pos, 1, unexpected(p.src[p.pos:], T("expected a value", "値が必要です")))
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
		if p.pos >= len(p.src) {
			p.errAt(v.Span.Start, 1, T("unexpected end of document: the object opened here is not closed with }", "文書が途中で終わっています。ここで始まるオブジェクトが } で閉じられていません"))
			return nil
		}
		if p.src[p.pos] != '"' {
			msg := T("expected a quoted member name", "引用符で囲んだメンバー名が必要です")
			if p.src[p.pos] == '}' {
				msg = T("a trailing comma is not allowed in JSON", "JSON では末尾のカンマは使えません")
			}
			p.errAt(p.pos, 1, unexpected(p.src[p.pos:], msg))
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
			p.errAt(p.pos, 1, Tf("expected ':' after the member name %q", "メンバー名 %q の後に ':' が必要です", key))
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
			p.errAt(p.pos, 0, T("unexpected end of document: the object is not closed with }", "文書が途中で終わっています。オブジェクトが } で閉じられていません"))
			return nil
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case '}':
			p.pos++
			v.Span.End = p.pos
			v.Fields = p.takeFields(mark)
			return v
		default:
			p.errAt(p.pos, 1, unexpected(p.src[p.pos:], T("expected ',' or '}' after a member (is a comma missing?)", "メンバーの後には ',' か '}' が必要です (カンマが抜けていませんか?)")))
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
	kind := ValueKind(0) // of every item so far
	for {
		if p.pos < len(p.src) && p.src[p.pos] == ']' {
			p.errAt(p.pos, 1, T("unexpected ']': a trailing comma is not allowed in JSON", "予期しない ']'。JSON では末尾のカンマは使えません"))
			return nil
		}
		item := p.value(depth + 1)
		if item == nil {
			return nil
		}
		if len(p.items) == mark {
			kind = item.Kind
		} else if item.Kind != kind {
			kind = 0
		}
		p.items = append(p.items, item)
		p.skipSpace()
		if p.pos >= len(p.src) {
			p.errAt(p.pos, 0, T("unexpected end of document: the array is not closed with ]", "文書が途中で終わっています。配列が ] で閉じられていません"))
			return nil
		}
		switch p.src[p.pos] {
		case ',':
			p.pos++
			p.skipSpace()
		case ']':
			p.pos++
			v.Span.End = p.pos
			v.Items = p.takeItems(mark)
			v.itemsKind = kind
			return v
		default:
			p.errAt(p.pos, 1, unexpected(p.src[p.pos:], T("expected ',' or ']' after an element (is a comma missing?)", "要素の後には ',' か ']' が必要です (カンマが抜けていませんか?)")))
			return nil
		}
	}
}

func (p *parser) literal(word string, kind ValueKind) *Value {
	start := p.pos
	if len(p.src)-p.pos < len(word) || string(p.src[p.pos:p.pos+len(word)]) != word {
		p.errAt(p.pos, 1, unexpected(p.src[p.pos:], T("expected a value (strings need double quotes)", "値が必要です (文字列は二重引用符で囲みます)")))
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
		p.errAt(p.pos, 1, T("invalid number: a digit is missing", "数値が不正です。数字がありません"))
		return nil
	}
	if p.pos < len(p.src) && p.src[p.pos] == '.' {
		p.pos++
		if digits() == 0 {
			p.errAt(p.pos, 1, T("invalid number: a digit must follow the decimal point", "数値が不正です。小数点の後に数字が必要です"))
			return nil
		}
	}
	if p.pos < len(p.src) && (p.src[p.pos] == 'e' || p.src[p.pos] == 'E') {
		p.pos++
		if p.pos < len(p.src) && (p.src[p.pos] == '+' || p.src[p.pos] == '-') {
			p.pos++
		}
		if digits() == 0 {
			p.errAt(p.pos, 1, T("invalid number: the exponent has no digits", "数値が不正です。指数に数字がありません"))
			return nil
		}
	}
	return p.newValue(Value{Kind: Number, Span: Span{start, p.pos}, Str: p.text[start:p.pos]})
}

// str reads a quoted string at p.pos and returns its decoded text.
func (p *parser) str() (string, bool) {
	start := p.pos
	p.pos++ // opening quote
	// Fast path: no escapes and valid UTF-8 needs no copy. Eight bytes at
	// a time: the first that ends the fast path is found in the word,
	// the last few bytes of the document with a table.
	src, i := p.src, p.pos
	for {
		if i+8 > len(src) {
			for i < len(src) && !stringStop[src[i]] {
				i++
			}
			break
		}
		if m := specialBytes(binary.LittleEndian.Uint64(src[i:])); m != 0 {
			i += bits.TrailingZeros64(m) / 8
			break
		}
		i += 8
	}
	if i < len(src) && src[i] == '"' && (p.validUTF8 || utf8.Valid(src[p.pos:i])) {
		s := p.text[p.pos:i]
		p.pos = i + 1
		return s, true
	}
	return p.slowStr(start)
}

// stringStop are the bytes that end str's fast path: the closing quote,
// an escape, a control character (an error).
var stringStop = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

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
			what := T("a control character", "制御文字")
			if c == '\n' || c == '\r' {
				what = T("a line break", "改行")
			}
			// Point from the opening quote to the break: the usual cause is
			// a string left open while typing.
			p.errAt(start, p.pos-start, Text{
				EN: what.EN + " inside a string: the string is not closed with \" before it, or the character must be escaped",
				JA: "文字列の中に" + what.JA + "があります。その前で文字列が \" で閉じられていないか、エスケープが必要です",
			})
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
	p.errAt(start, 1, T("unexpected end of document: the string that starts here is not closed with \"", "文書が途中で終わっています。ここで始まる文字列が \" で閉じられていません"))
	return "", false
}

func (p *parser) escape() (rune, bool) {
	at := p.pos
	p.pos++ // backslash
	if p.pos >= len(p.src) {
		p.errAt(at, 1, T("unexpected end of document inside an escape sequence", "エスケープシーケンスの途中で文書が終わっています"))
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
	p.errAt(at, 2, Tf("invalid escape sequence \\%c (valid: \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)",
		"不正なエスケープシーケンス \\%c (使えるのは \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)", rune(c)))
	return 0, false
}

func (p *parser) hex4(at int) (rune, bool) {
	if len(p.src)-p.pos < 4 {
		p.errAt(at, len(p.src)-at, badUnicodeEscape)
		return 0, false
	}
	n, err := strconv.ParseUint(string(p.src[p.pos:p.pos+4]), 16, 32)
	if err != nil {
		p.errAt(at, 6, badUnicodeEscape)
		return 0, false
	}
	p.pos += 4
	return rune(n), true
}

var badUnicodeEscape = T("invalid \\u escape: four hexadecimal digits are needed", "不正な \\u エスケープ。16 進数 4 桁が必要です")

// unexpected says which character was found where something else was
// expected.
func unexpected(b []byte, expected Text) Text {
	found := describe(b)
	return Text{
		EN: "unexpected " + found.EN + ": " + expected.EN,
		JA: "予期しない" + found.JA + ": " + expected.JA,
	}
}

// describe names the character at the start of b for an error message.
func describe(b []byte) Text {
	if len(b) == 0 {
		return T("end of document", "文書の終わり")
	}
	r, _ := utf8.DecodeRune(b)
	switch {
	case r == utf8.RuneError:
		hex := strconv.FormatUint(uint64(b[0]), 16)
		return T("byte 0x"+hex+" (not UTF-8 text)", "バイト 0x"+hex+" (UTF-8 のテキストではありません)")
	case r < 0x20 || r == 0x7f:
		return T("control character "+strconv.QuoteRune(r), "制御文字 "+strconv.QuoteRune(r))
	case r == '\'':
		return T("single quote (JSON needs double quotes)", "一重引用符 (JSON では二重引用符が必要です)")
	}
	q := strconv.QuoteRune(r)
	return T(q, q)
}
