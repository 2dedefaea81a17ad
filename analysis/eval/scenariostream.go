package eval

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// ScenarioReader reads a scenario file (the format of ParseScenarios)
// from a stream, one scenario at a time: a batch of any size costs the
// memory of one scenario, and a policy text that many scenarios repeat
// (the same bucket policy, the same SCP) is parsed once.
//
// Errors are those ParseScenarios reports, at the same lines: the first
// syntax error of the rest of the file wins over a scenario that does not
// fit the format. Scenarios before an error have been returned by then.
type ScenarioReader struct {
	in io.Reader
	// buf holds the input from mark on. A scenario returned keeps no
	// slice of it (its strings and policy texts are copies, its lines
	// are counted when it is read), so reading on moves the value being
	// read to the front and reads into the same buffer: a batch touches
	// 64 KB for its input, not the size of its file.
	buf      []byte
	pos      int // the next byte to scan
	mark     int // the start of the value being read; buf[:mark] may be dropped
	markLine int // the 1-based line of buf[mark]
	eof      bool
	readErr  error

	state    int
	many     bool
	err      error // sticky: the error that ended the stream, or io.EOF
	policies policyCache
	buckets  map[string]map[string]*analysis.BucketFacts // by text, then the request's bucket
	names    map[listName]string
	strings  map[string]string // intern
	// skeleton is written over for each scenario: a scenario read keeps
	// none of its members' Values (they give spans and kinds to parse).
	skeleton skeleton
	// elements are the elements of its arrays of policies (items), in
	// elementValues: written over for each scenario, as the skeleton.
	elements      []*analysis.Value
	elementValues []analysis.Value
}

const (
	stateStart  = iota
	stateArray  // after a scenario of an array: ',' or ']' comes
	stateDone   // the stream ended
	readerChunk = 64 << 10
)

// NewScenarioReader reads scenarios from in.
func NewScenarioReader(in io.Reader) *ScenarioReader {
	return &ScenarioReader{in: in, markLine: 1, names: map[listName]string{}, buckets: map[string]map[string]*analysis.BucketFacts{}}
}

// Many reports whether the file holds an array of scenarios (its answer
// is then an array too), once Next has returned a scenario.
func (s *ScenarioReader) Many() bool { return s.many }

// Next returns the next scenario, or io.EOF after the last.
func (s *ScenarioReader) Next() (*Scenario, error) { return s.NextIn(nil) }

// NextIn is Next, reading the scenario into room (nil: a room of its
// own): the scenario read into room before, and what it holds, is
// written over.
func (s *ScenarioReader) NextIn(room *ScenarioRoom) (*Scenario, error) {
	if s.err != nil {
		return nil, s.err
	}
	sc, err := s.next(room)
	if err != nil {
		s.err, s.state = err, stateDone
		return nil, err
	}
	return sc, nil
}

func (s *ScenarioReader) next(room *ScenarioRoom) (*Scenario, error) {
	switch s.state {
	case stateStart:
		return s.start(room)
	case stateArray:
		s.skipSpace()
		c, ok := s.peek()
		switch {
		case ok && c == ',':
			s.pos++
			s.skipSpace()
			if c, ok := s.peek(); ok && startsValue(c) {
				return s.element("[", room)
			}
		case ok && c == ']':
			s.pos++
			s.state = stateDone
			return nil, s.rest()
		}
		// The one-shot parser here has read "[" and an element: "{}"
		// stands for it, as no text can continue an object (a number
		// such as 0 would take a "." or an "e" after it).
		return nil, s.reparseError("[{}", "a scenario file is a JSON array of scenarios")
	}
	return nil, io.EOF
}

// start reads the first scenario: the root object, or the first element
// of the root array.
func (s *ScenarioReader) start(room *ScenarioRoom) (*Scenario, error) {
	if s.fill(3) && bytes.HasPrefix(s.buf[s.pos:], []byte("\xEF\xBB\xBF")) {
		s.pos += 3 // a UTF-8 byte order mark, as the parser takes it
	}
	s.skipSpace()
	c, ok := s.peek()
	switch {
	case ok && c == '[':
		s.setMark()
		s.many = true
		s.pos++
		s.skipSpace()
		first, ok := s.peek()
		if ok && startsValue(first) {
			s.state = stateArray
			return s.element("[", room)
		}
		if first == ']' {
			line := s.markLine
			if _, err := s.reparse(""); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("line %d: the array holds no scenario", line)
		}
	case ok && c == '{':
		s.state = stateDone
		sc, err := s.element("", room)
		if err == nil {
			if err = s.rest(); err == io.EOF {
				err = nil // the one scenario, and nothing after it
			}
		}
		return sc, err
	}
	// The mark is still the file's first byte unless an array opened: the
	// parser takes a byte order mark only there (one after white space, or
	// a second, is not JSON).
	root, err := s.reparse("")
	if err != nil {
		return nil, err
	}
	return nil, fmt.Errorf("a scenario file holds an object or an array of objects, not %s", withArticle(root.Kind.String()))
}

// element reads the scenario that starts at pos; prefix is the text the
// one-shot parser has read before it, for the syntax errors.
func (s *ScenarioReader) element(prefix string, room *ScenarioRoom) (*Scenario, error) {
	s.setMark()
	if !s.skipValue() {
		return nil, s.reparseError(prefix, "unexpected end of document")
	}
	src := s.buf[s.mark:s.pos]
	sc, err := s.scenario(src, room)
	if err != nil {
		if _, syntax := s.reparse(prefix); syntax != nil {
			return nil, syntax
		}
		return nil, err
	}
	s.setMark()
	return sc, nil
}

// rest checks that only white space follows the root value.
func (s *ScenarioReader) rest() error {
	s.setMark()
	s.skipSpace()
	if _, ok := s.peek(); ok {
		// "{}" stands for the root value read: no text can continue it.
		return s.reparseError("{}", "unexpected text after the end of the JSON value")
	}
	if s.readErr != nil {
		return s.readErr
	}
	return io.EOF
}

// scenario reads one scenario's text. Its members are only delimited:
// the request and the bucket are parsed, and a policy only when no
// earlier scenario held the same text.
func (s *ScenarioReader) scenario(src []byte, room *ScenarioRoom) (*Scenario, error) {
	r := &scenarioReader{src: src, lines: countedLines(src, s.markLine-1, room), stream: s, room: room}
	s.elements, s.elementValues = s.elements[:0], s.elementValues[:0]
	root, ok := s.skeleton.of(src, &s.policies)
	if !ok {
		// A member name with escapes, or text that is not JSON: the
		// positioned parser reads the whole scenario (and says where it
		// is not JSON). Its policies' texts are the scenario's: a copy,
		// as the read buffer is read into again.
		src = bytes.Clone(src)
		r.src = src
		var syn *analysis.SyntaxError
		if root, syn = analysis.ParseJSON(src); syn != nil {
			return nil, errors.New(syn.Msg.EN)
		}
	} else {
		r.delimited = true
	}
	sc := r.scenario(root)
	return sc, r.err
}

// countedLines is the line index of a scenario's text, whose first line
// is the file's line before+1, built now rather than on first use: the
// text is in the read buffer, which is read into again. It is the room's
// when there is one.
func countedLines(src []byte, before int, room *ScenarioRoom) *lineIndex {
	var ix *lineIndex
	if room != nil {
		ix = &room.lines
		*ix = lineIndex{before: before, newlines: ix.newlines[:0]}
	} else {
		ix = &lineIndex{before: before}
	}
	ix.once.Do(func() {
		for at := 0; ; {
			i := bytes.IndexByte(src[at:], '\n')
			if i < 0 {
				break
			}
			ix.newlines = append(ix.newlines, at+i)
			at += i + 1
		}
	})
	return ix
}

// reparse reads the rest of the input and parses prefix and the text
// from mark on as the one-shot parser would have read it: everything
// before mark was JSON, so a syntax error it finds is the file's first.
func (s *ScenarioReader) reparse(prefix string) (*analysis.Value, error) {
	for s.more() {
	}
	if s.readErr != nil {
		return nil, s.readErr
	}
	rest := s.buf[s.mark:]
	root, syn := analysis.ParseJSON(append([]byte(prefix), rest...))
	if syn == nil {
		return root, nil
	}
	at := min(max(syn.Span.Start-len(prefix), 0), len(rest))
	return nil, fmt.Errorf("line %d: %s", s.markLine+bytes.Count(rest[:at], []byte("\n")), syn.Msg.EN)
}

// reparseError is reparse's syntax error, or the message given when
// there is none (which the reader's checks should not allow).
func (s *ScenarioReader) reparseError(prefix, otherwise string) error {
	if _, err := s.reparse(prefix); err != nil {
		return err
	}
	return fmt.Errorf("line %d: %s", s.markLine, otherwise)
}

// setMark drops what was read before pos.
func (s *ScenarioReader) setMark() {
	s.markLine += bytes.Count(s.buf[s.mark:s.pos], []byte("\n"))
	s.mark = s.pos
}

// more reads on; false at the end of the input.
func (s *ScenarioReader) more() bool {
	if s.eof {
		return false
	}
	if len(s.buf) == cap(s.buf) {
		keep := s.buf[s.mark:]
		next := s.buf[:len(keep)]
		if len(keep) > cap(s.buf)/2 || cap(s.buf) == 0 {
			next = make([]byte, len(keep), max(readerChunk, 2*len(keep)))
		}
		copy(next, keep)
		s.buf, s.pos, s.mark = next, s.pos-s.mark, 0
	}
	for {
		n, err := s.in.Read(s.buf[len(s.buf):cap(s.buf)])
		s.buf = s.buf[:len(s.buf)+n]
		if err != nil {
			s.eof = true
			if err != io.EOF {
				s.readErr = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
}

// fill makes n bytes from pos available when the input holds them.
func (s *ScenarioReader) fill(n int) bool {
	for len(s.buf)-s.pos < n {
		if !s.more() {
			return false
		}
	}
	return true
}

func (s *ScenarioReader) peek() (byte, bool) {
	if s.pos >= len(s.buf) && !s.more() {
		return 0, false
	}
	return s.buf[s.pos], true
}

func (s *ScenarioReader) skipSpace() {
	for {
		for ; s.pos < len(s.buf); s.pos++ {
			if !isSpace(s.buf[s.pos]) {
				return
			}
		}
		if !s.more() {
			return
		}
	}
}

// skipValue moves pos past the value that starts there, counting
// brackets outside strings; false when the input ends first. It does not
// check the value: what is used of it is parsed.
func (s *ScenarioReader) skipValue() bool {
	sc := valueScanner{known: &s.policies}
	for {
		end, done := sc.scan(s.buf, s.pos)
		s.pos = end
		if done {
			return true
		}
		if !s.more() {
			return sc.scalar // a number or a literal may end the input
		}
	}
}

// valueScanner finds where a JSON value ends, over text that may come in
// parts.
type valueScanner struct {
	started, scalar, inString, escaped bool
	depth                              int
	// known policies are stepped over whole: a policy text the batch
	// repeats is compared, not scanned.
	known *policyCache
}

// scan reads src from i; it returns where it stopped and whether that is
// the end of the value. Strings, most of a policy, are skipped a quote at
// a time.
func (v *valueScanner) scan(src []byte, i int) (int, bool) {
	if !v.started && i < len(src) {
		v.started = true
		v.scalar = !startsString(src[i]) && src[i] != '{' && src[i] != '['
	}
	for i < len(src) {
		c := src[i]
		switch {
		case v.scalar:
			if isSpace(c) || c == ',' || c == ']' || c == '}' || c == ':' {
				return i, true
			}
		case v.inString:
			if v.escaped {
				v.escaped = false
				break
			}
			q := bytes.IndexByte(src[i:], '"')
			if q < 0 {
				v.escaped = oddBackslashes(src[i:])
				return len(src), false
			}
			i += q
			if oddBackslashes(src[i-q : i]) {
				break // an escaped quote
			}
			v.inString = false
			if v.depth == 0 {
				return i + 1, true
			}
		case c == '"':
			v.inString = true
		case c == '{' || c == '[':
			if v.depth > 0 {
				if n := v.known.match(src[i:]); n > 0 {
					i += n - 1 // a known policy, whole
					break
				}
			}
			v.depth++
		case c == '}' || c == ']':
			if v.depth--; v.depth == 0 {
				return i + 1, true
			}
		}
		i++
	}
	return i, false
}

// oddBackslashes reports whether b ends with an odd run of backslashes:
// the byte after it is escaped.
func oddBackslashes(b []byte) bool {
	n := 0
	for n < len(b) && b[len(b)-1-n] == '\\' {
		n++
	}
	return n%2 == 1
}

// valueEnd is the end of the value at src[i:], or -1.
func valueEnd(src []byte, i int, known *policyCache) int {
	if n := known.match(src[i:]); n > 0 {
		return i + n
	}
	sc := valueScanner{known: known}
	end, done := sc.scan(src, i)
	if !done && !sc.scalar {
		return -1
	}
	return end
}

func isSpace(c byte) bool      { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }
func startsString(c byte) bool { return c == '"' }
func startsValue(c byte) bool  { return kindOf(c) != 0 }
func skipSpaceIn(src []byte, i int) int {
	for i < len(src) && isSpace(src[i]) {
		i++
	}
	return i
}

// kindOf is the kind of the value that starts with c, 0 for none.
func kindOf(c byte) analysis.ValueKind {
	switch {
	case c == '{':
		return analysis.Object
	case c == '[':
		return analysis.Array
	case c == '"':
		return analysis.String
	case c == 't' || c == 'f':
		return analysis.Bool
	case c == 'n':
		return analysis.Null
	case c == '-' || c >= '0' && c <= '9':
		return analysis.Number
	}
	return 0
}

// of delimits the members of a scenario object without parsing
// their values: each member's Value has its kind and span only. It
// reports false when it cannot (a member name with escapes, text that is
// not JSON): the caller then parses the scenario whole.
func (sk *skeleton) of(src []byte, known *policyCache) (*analysis.Value, bool) {
	if len(src) == 0 || src[0] != '{' {
		if len(src) == 0 {
			return nil, false
		}
		return &analysis.Value{Kind: kindOf(src[0]), Span: analysis.Span{Start: 0, End: len(src)}}, true
	}
	all := sk.members[:0]
	ok := members(src, 0, known, func(key string, keySpan, value analysis.Span) {
		all = append(all, member{analysis.Field{Key: key, KeySpan: keySpan}, analysis.Value{Kind: kindOf(src[value.Start]), Span: value}})
	})
	sk.members = all
	sk.root = analysis.Value{Kind: analysis.Object, Span: analysis.Span{Start: 0, End: len(src)}, Fields: sk.fields[:0]}
	for i := range all {
		all[i].field.Value = &all[i].value
		sk.root.Fields = append(sk.root.Fields, &all[i].field)
	}
	sk.fields = sk.root.Fields
	return &sk.root, ok
}

// skeleton is the members of a scenario object, delimited (skeleton.of).
type skeleton struct {
	root    analysis.Value
	members []member
	fields  []*analysis.Field
}

type member struct {
	field analysis.Field
	value analysis.Value
}

// members delimits the members of the object at src[i:], which must end
// the text.
func members(src []byte, i int, known *policyCache, member func(key string, keySpan, value analysis.Span)) bool {
	i = skipSpaceIn(src, i+1)
	if i < len(src) && src[i] == '}' {
		return i+1 == len(src)
	}
	for i < len(src) && src[i] == '"' {
		keyEnd := bytes.IndexByte(src[i+1:], '"')
		if keyEnd < 0 {
			return false
		}
		keyEnd += i + 2
		raw := src[i+1 : keyEnd-1]
		if bytes.IndexByte(raw, '\\') >= 0 || !plainKey(raw) {
			return false
		}
		keySpan := analysis.Span{Start: i, End: keyEnd}
		i = skipSpaceIn(src, keyEnd)
		if i >= len(src) || src[i] != ':' {
			return false
		}
		i = skipSpaceIn(src, i+1)
		if i >= len(src) || !startsValue(src[i]) {
			return false
		}
		end := valueEnd(src, i, known)
		if end < 0 {
			return false
		}
		member(scenarioKey(raw), keySpan, analysis.Span{Start: i, End: end})
		i = skipSpaceIn(src, end)
		if i >= len(src) {
			return false
		}
		switch src[i] {
		case '}':
			return i+1 == len(src)
		case ',':
			i = skipSpaceIn(src, i+1)
		default:
			return false
		}
	}
	return false
}

// items delimits the elements of the array at span. The elements are the
// reader's, written over for the next scenario (scenario empties them):
// they give the spans and kinds of the values the scenario reads.
func (s *ScenarioReader) items(src []byte, span analysis.Span) ([]*analysis.Value, bool) {
	src = src[:span.End]
	i := skipSpaceIn(src, span.Start+1)
	if i < len(src) && src[i] == ']' {
		return nil, i+1 == len(src)
	}
	first := len(s.elementValues)
	for i < len(src) && startsValue(src[i]) {
		end := valueEnd(src, i, &s.policies)
		if end < 0 {
			return nil, false
		}
		s.elementValues = append(s.elementValues, analysis.Value{Kind: kindOf(src[i]), Span: analysis.Span{Start: i, End: end}})
		i = skipSpaceIn(src, end)
		if i >= len(src) {
			return nil, false
		}
		switch src[i] {
		case ']':
			// An array of elements grown since holds the elements before
			// it, which point into the array they were made in.
			start := len(s.elements)
			for j := first; j < len(s.elementValues); j++ {
				s.elements = append(s.elements, &s.elementValues[j])
			}
			return s.elements[start:len(s.elements):len(s.elements)], i+1 == len(src)
		case ',':
			i = skipSpaceIn(src, i+1)
		default:
			return nil, false
		}
	}
	return nil, false
}

// plainKey: printable ASCII, which the parser would read as it stands.
func plainKey(raw []byte) bool {
	for _, c := range raw {
		if c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

// scenarioKey is a member name, without an allocation for the names of
// the format.
func scenarioKey(raw []byte) string {
	switch string(raw) {
	case "request":
		return "request"
	case "identityPolicies":
		return "identityPolicies"
	case "resourcePolicy":
		return "resourcePolicy"
	case "serviceControlPolicies":
		return "serviceControlPolicies"
	case "resourceControlPolicies":
		return "resourceControlPolicies"
	case "permissionBoundaries":
		return "permissionBoundaries"
	case "sessionPolicy":
		return "sessionPolicy"
	case "endpointPolicies":
		return "endpointPolicies"
	case "gatewayEndpointPolicies":
		return "gatewayEndpointPolicies"
	case "keyPolicy":
		return "keyPolicy"
	case "bucket":
		return "bucket"
	case "managementAccount":
		return "managementAccount"
	}
	return string(raw)
}

// policyCache holds each policy text read, parsed, up to a bound, and
// finds them at the start of a text by their first bytes.
type policyCache struct {
	byText   map[string]*cachedPolicy
	byPrefix map[string][]*cachedPolicy
	bytes    int
}

type cachedPolicy struct {
	src    []byte
	policy *analysis.Policy
}

// policyCacheBytes bounds the texts kept (their parsed trees take about
// ten times as much): a stream of distinct policies starts the cache
// again rather than growing.
const policyCacheBytes = 4 << 20

// prefixLength is how many first bytes find the texts a text may start
// with; shorter texts are not looked for.
const prefixLength = 32

func (c *policyCache) get(text []byte) *cachedPolicy { return c.byText[string(text)] }

func (c *policyCache) put(text []byte, p *analysis.Policy) *cachedPolicy {
	if c.byText == nil || c.bytes+len(text) > policyCacheBytes {
		c.byText, c.byPrefix, c.bytes = map[string]*cachedPolicy{}, map[string][]*cachedPolicy{}, 0
	}
	e := &cachedPolicy{src: bytes.Clone(text), policy: p}
	c.byText[string(e.src)] = e
	c.bytes += len(text)
	if len(text) >= prefixLength {
		prefix := string(e.src[:prefixLength])
		if same := c.byPrefix[prefix]; len(same) < 8 {
			c.byPrefix[prefix] = append(same, e)
		}
	}
	return e
}

// match is the length of a known policy text src starts with, or 0. A
// policy is a JSON object: the one src starts with ends where the text
// does.
func (c *policyCache) match(src []byte) int {
	if c == nil || len(c.byPrefix) == 0 || len(src) < prefixLength {
		return 0
	}
	for _, e := range c.byPrefix[string(src[:prefixLength])] {
		if bytes.HasPrefix(src, e.src) {
			return len(e.src)
		}
	}
	return 0
}

// listName is the name of a policy in a list: "identityPolicies[0]".
type listName struct {
	list  string
	index int
}

func (s *ScenarioReader) listName(list string, i int) string {
	k := listName{list, i}
	name, ok := s.names[k]
	if !ok {
		name = fmt.Sprintf("%s[%d]", list, i)
		if len(s.names) < 1024 {
			s.names[k] = name
		}
	}
	return name
}

// plainRequest reads a request object whose text is plain, as a batch's
// requests are: each member named once, with a printable ASCII name
// without escapes and a value that is a string of printable ASCII
// without escapes (multipart: true or false; context: an object of such
// strings or arrays of them). It builds the request without the
// positioned parser's tree, which was two thirds of what a scenario
// allocated. It reports false for any other text, and req is then left
// as it was: the positioned parser reads it, and says what is wrong.
func (s *ScenarioReader) plainRequest(src []byte, req *Request, room *ScenarioRoom) bool {
	p := plainScanner{src: src, values: room.valueArray(), stream: s}
	var r Request
	var seen uint16
	ok := p.object(func(key []byte) bool {
		field := requestFieldIndex(key)
		if field < 0 || seen&(1<<field) != 0 {
			return false
		}
		seen |= 1 << field
		switch requestFields[field] {
		case "context":
			r.Context = room.contextMap()
			return p.object(func(key []byte) bool {
				if _, given := r.Context[string(key)]; given {
					return false
				}
				values, ok := p.contextValues()
				r.Context[s.intern(key)] = values
				return ok
			})
		case "multipart":
			switch {
			case p.literal("true"):
				r.Multipart = true
			case p.literal("false"):
			default:
				return false
			}
			return true
		case "time":
			text, ok := p.str()
			if !ok {
				return false
			}
			r.Time, ok = parseDate(string(text))
			return ok || len(text) == 0
		}
		text, ok := p.str()
		switch field {
		case requestAction, requestPrincipal:
			*stringMember(&r, requestFields[field]) = s.intern(text) // a batch asks a few actions of a few callers
		default:
			*stringMember(&r, requestFields[field]) = string(text)
		}
		return ok
	})
	room.keepValues(p.values)
	if !ok || p.i != len(src) || r.Principal == "" || r.Action == "" || r.Resource == "" {
		return false
	}
	*req = r
	return true
}

// requestFields are the members of a request, in the order of the bits
// of plainRequest's seen.
var requestFields = [...]string{"principal", "action", "resource", "resourceAccount", "requestPayer",
	"objectOwner", "objectAcl", "context", "multipart", "time"}

const requestPrincipal, requestAction = 0, 1 // requestFields[requestPrincipal], ...

func requestFieldIndex(key []byte) int {
	for i, name := range requestFields {
		if string(key) == name {
			return i
		}
	}
	return -1
}

// stringMember is the field of r that a request's string member sets, or
// nil when name is not one: the one list of them, for the parser's
// request and plainRequest alike.
func stringMember(r *Request, name string) *string {
	switch name {
	case "principal":
		return &r.Principal
	case "action":
		return &r.Action
	case "resource":
		return &r.Resource
	case "resourceAccount":
		return &r.ResourceAccount
	case "requestPayer":
		return &r.RequestPayer
	case "objectOwner":
		return &r.ObjectOwner
	case "objectAcl":
		return &r.ObjectACL
	}
	return nil
}

// intern returns text as a string, the same string each time the batch
// repeats it (its actions, its context keys), for up to 1,024 texts.
func (s *ScenarioReader) intern(text []byte) string {
	if str, ok := s.strings[string(text)]; ok {
		return str
	}
	str := string(text)
	if len(s.strings) < 1024 && len(text) <= 64 {
		if s.strings == nil {
			s.strings = map[string]string{}
		}
		s.strings[str] = str
	}
	return str
}

// plainScanner reads the plain JSON of plainRequest, strictly: anything
// it does not take stops it.
type plainScanner struct {
	src []byte
	i   int
	// values are the context's values, each key's a part of them (not nil:
	// a key given no value has an empty list), as intern makes them.
	values []string
	stream *ScenarioReader
}

func (p *plainScanner) space() { p.i = skipSpaceIn(p.src, p.i) }

// object reads an object, calling member after each member's name and
// colon to read its value.
func (p *plainScanner) object(member func(key []byte) bool) bool {
	p.space()
	if p.i >= len(p.src) || p.src[p.i] != '{' {
		return false
	}
	p.i++
	p.space()
	if p.i < len(p.src) && p.src[p.i] == '}' {
		p.i++
		return true
	}
	for {
		key, ok := p.str()
		if !ok {
			return false
		}
		p.space()
		if p.i >= len(p.src) || p.src[p.i] != ':' {
			return false
		}
		p.i++
		p.space()
		if !member(key) {
			return false
		}
		p.space()
		if p.i >= len(p.src) {
			return false
		}
		switch p.src[p.i] {
		case '}':
			p.i++
			return true
		case ',':
			p.i++
			p.space()
		default:
			return false
		}
	}
}

// str reads a string of printable ASCII without escapes.
func (p *plainScanner) str() ([]byte, bool) {
	if p.i >= len(p.src) || p.src[p.i] != '"' {
		return nil, false
	}
	start := p.i + 1
	for j := start; j < len(p.src); j++ {
		switch c := p.src[j]; {
		case c == '"':
			p.i = j + 1
			return p.src[start:j], true
		case c == '\\' || c < 0x20 || c >= 0x7f:
			return nil, false
		}
	}
	return nil, false
}

// contextValues reads a context value: a string, or an array of strings.
// The list is a part of p.values: growing them leaves the lists before in
// the array they were made in.
func (p *plainScanner) contextValues() ([]string, bool) {
	start := len(p.values)
	list := func() []string { return p.values[start:len(p.values):len(p.values)] }
	if p.i < len(p.src) && p.src[p.i] == '"' {
		text, ok := p.str()
		p.values = append(p.values, p.stream.intern(text))
		return list(), ok
	}
	if p.i >= len(p.src) || p.src[p.i] != '[' {
		return nil, false
	}
	p.i++
	p.space()
	if p.i < len(p.src) && p.src[p.i] == ']' {
		p.i++
		return list(), true
	}
	for {
		text, ok := p.str()
		if !ok {
			return nil, false
		}
		p.values = append(p.values, p.stream.intern(text))
		p.space()
		if p.i >= len(p.src) {
			return nil, false
		}
		switch p.src[p.i] {
		case ']':
			p.i++
			return list(), true
		case ',':
			p.i++
			p.space()
		default:
			return nil, false
		}
	}
}

// literal reads word (true, false) when it is the whole value.
func (p *plainScanner) literal(word string) bool {
	if !bytes.HasPrefix(p.src[p.i:], []byte(word)) {
		return false
	}
	end := p.i + len(word)
	if end < len(p.src) && !isSpace(p.src[end]) && p.src[end] != ',' && p.src[end] != '}' {
		return false
	}
	p.i = end
	return true
}
