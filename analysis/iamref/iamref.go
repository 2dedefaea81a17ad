// Package iamref resolves the names a policy writes against the IAM
// service data: an Action entry split into service and action with its
// matches, a statement's actions with wildcards expanded, and whether an
// ARN pattern may match a resource type's format. The checks and the
// editor's hover and completion share it.
package iamref

import (
	"slices"
	"strings"
	"sync"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
)

// Action is one Action entry split at its colon.
type Action struct {
	Value          *analysis.Value
	Prefix, Name   string
	Service        *iamdata.Service // nil when the prefix is unknown
	Matches        []*iamdata.Action
	Wildcard, Full bool // Name holds * or ?; Full: the entry is "*" alone
	// OK is ParseAction's second answer, for the entries that share
	// the Action (Entry).
	OK bool
}

// ActionEntries are the string values of Action and NotAction.
func ActionEntries(s *analysis.Statement) []*analysis.Value {
	return append(analysis.Strings(s.Action), analysis.Strings(s.NotAction)...)
}

// ParseAction splits an Action value. It reports false for a value that
// is not service:action (left to the structural checks).
func ParseAction(v *analysis.Value) (Action, bool) {
	r := Action{Value: v}
	if v.Str == "*" {
		r.Full, r.Wildcard, r.OK = true, true, true
		return r, true
	}
	prefix, name, ok := strings.Cut(v.Str, ":")
	if !ok || prefix == "" || name == "" || strings.ContainsAny(prefix, "*?") || analysis.HasPlaceholder(prefix) {
		return r, false
	}
	r.Prefix, r.Name, r.OK = prefix, name, true
	// A template placeholder stands for any part of the name: the text
	// around it must still name an action.
	name = analysis.ReplacePlaceholders(name, "*")
	r.Wildcard = HasGlob(name)
	r.Service = iamdata.Lookup(prefix)
	if r.Service == nil {
		return r, true
	}
	if r.Wildcard {
		r.Matches = r.Service.MatchActions(name)
	} else {
		r.Matches = r.Service.ActionMatches(name)
	}
	return r, true
}

// ServiceAction is an action with the service that holds it.
type ServiceAction struct {
	Service *iamdata.Service
	*iamdata.Action
}

// StatementActions resolves the statement's Action entries, wildcards
// expanded. complete is false when some entry is "*", unparsable or
// unknown: a check that needs every action of the statement then stays
// quiet.
//
// The answer may be shared: callers must not modify the slice. When an
// entry has a wildcard, it is kept by the statement's Action entries,
// since two checks ask for each statement on every keystroke, and
// policies repeat their action lists.
func StatementActions(s *analysis.Statement) (actions []ServiceAction, complete bool) {
	if s.Action == nil || s.NotAction != nil {
		return nil, false
	}
	return statementActions(nil, s, parseEntries(s.Actions()))
}

// parseEntries resolves Action entries.
func parseEntries(values []*analysis.Value) []Entry {
	out := make([]Entry, len(values))
	actions := make([]Action, len(values))
	for i, v := range values {
		actions[i], _ = ParseAction(v)
		out[i].Action, out[i].Value = &actions[i], v
	}
	return out
}

// actionSlab is where a policy's statements' action lists are written,
// one allocation for many statements; nil allocates each list.
type actionSlab struct{ free []ServiceAction }

// take returns an empty list with room for n actions.
func (s *actionSlab) take(n int) []ServiceAction {
	if s == nil {
		return make([]ServiceAction, 0, n)
	}
	if cap(s.free)-len(s.free) < n {
		s.free = make([]ServiceAction, 0, max(n, 64))
	}
	out := s.free[len(s.free) : len(s.free) : len(s.free)+n]
	s.free = s.free[:len(s.free)+n]
	return out
}

// expandEntries lists the actions of parsed Action entries, in slab.
func expandEntries(slab *actionSlab, entries []Entry) (actions []ServiceAction, complete bool) {
	complete = true
	total := 0
	for _, e := range entries {
		if !e.usable() {
			complete = false
			continue
		}
		total += len(e.Matches)
	}
	actions = slab.take(total)
	for _, e := range entries {
		if e.usable() {
			for _, a := range e.Matches {
				actions = append(actions, ServiceAction{e.Service, a})
			}
		}
	}
	return actions, complete && len(actions) > 0
}

// Entry is an Action or NotAction entry resolved: OK (the Action's) is
// ParseAction's second answer. The entries of a policy that write the
// same text share their Action (a tenth of what check allocated over a
// tree, when each entry held its own): its Value is the first of them,
// the entry's own is Value. Two words, OK in the Action: the entries are
// a policy's largest slice of Resolve (issue 16).
type Entry struct {
	*Action
	Value *analysis.Value
}

// Parsed is the entry as ParseAction returns it, with its own Value.
func (e Entry) Parsed() Action {
	a := *e.Action
	a.Value = e.Value
	return a
}

// usable reports whether the entry names actions of the IAM data.
func (e Entry) usable() bool { return e.OK && !e.Full && len(e.Matches) > 0 }

// Resolved are a policy's Action and NotAction entries resolved against
// the IAM data, and each statement's actions expanded, once per policy:
// unknown-service, unknown-action, action-resource-mismatch and
// condition-key-not-applicable each ask for every statement's.
type Resolved struct {
	byIndex []resolvedStatement // by Statement.Index
	entries []Entry             // every statement's, in order
}

// resolvedStatement is a statement's part of Resolved: its entries are
// entries[start:end] of the policy's, by number, not a slice of its own
// (16 bytes less for each statement of every policy read).
type resolvedStatement struct {
	st         *analysis.Statement
	start, end int32
	actions    []ServiceAction
	complete   bool
	glob       bool // actionsGlob
}

// resolvedKey keys Resolve in analysis.Policy.Derived.
type resolvedKey struct{}

// Forget drops the policy's resolved entries (Resolve builds them again):
// only the checks of the policy's own document resolve it, and a server
// that has published a closed file's findings drops them, 17 MB at
// 10,000 governed policies (issue 16).
func Forget(p *analysis.Policy) { p.ForgetDerived(resolvedKey{}) }

// Resolve returns the policy's resolved entries, built on the first call.
func Resolve(p *analysis.Policy) *Resolved {
	return p.Derived(resolvedKey{}, func(p *analysis.Policy) any {
		n, size := 0, 0
		for _, s := range p.Statements {
			n = max(n, s.Index+1)
			size += len(analysis.Strings(s.Action)) + len(analysis.Strings(s.NotAction))
		}
		r := &Resolved{byIndex: make([]resolvedStatement, n)}
		all := make([]Entry, 0, size) // one allocation for the policy's entries
		// Policies repeat their actions from statement to statement: each
		// distinct entry is looked up once (seen: its first place in all),
		// into a slab of Actions that does not move (a new one when full).
		var seen firstEntries
		var distinct []Action
		add := func(v *analysis.Value) {
			if i, ok := seen.find(all, v.Str); ok {
				e := all[i]
				e.Value = v
				all = append(all, e)
				return
			}
			if len(distinct) == cap(distinct) {
				distinct = make([]Action, 0, min(size-len(all), 16)) // small: most entries repeat another
			}
			a, _ := ParseAction(v)
			distinct = append(distinct, a)
			seen.add(all, v.Str, int32(len(all)))
			all = append(all, Entry{Action: &distinct[len(distinct)-1], Value: v})
		}
		need := 0 // the actions of the lists written in the slab
		for _, s := range p.Statements {
			start := len(all)
			for _, v := range analysis.Strings(s.Action) {
				add(v)
			}
			for _, v := range analysis.Strings(s.NotAction) {
				add(v)
			}
			rs := resolvedStatement{st: s, start: int32(start), end: int32(len(all)), glob: actionsGlob(s)}
			r.byIndex[s.Index] = rs
			need += slabNeed(s, all[start:], rs.glob)
		}
		// The lists in one slab of their exact size: a slab of at least 64
		// actions for each policy was 14 MB of the first scan of 10,000
		// governed policies (issue 16).
		var expanded actionSlab
		if need > 0 {
			expanded.free = make([]ServiceAction, 0, need)
		}
		for _, s := range p.Statements {
			rs := &r.byIndex[s.Index]
			rs.actions, rs.complete = listActions(&expanded, s, all[rs.start:rs.end], rs.glob)
		}
		r.entries = all
		return r
	}).(*Resolved)
}

// firstEntries finds the first of a policy's entries that writes a text:
// by looking through the few distinct texts of most policies (seven on
// average in check's benchmark tree, where a map made, hashed and filled
// for each policy was a third of Resolve), and in a map once they are
// more than fewEntries.
type firstEntries struct {
	few    [fewEntries]int32 // places in all, while n <= fewEntries
	n      int
	byText map[string]int32
}

const fewEntries = 16

func (f *firstEntries) find(all []Entry, text string) (int32, bool) {
	if f.byText != nil {
		i, ok := f.byText[text]
		return i, ok
	}
	for _, i := range f.few[:f.n] {
		if all[i].Value.Str == text {
			return i, true
		}
	}
	return 0, false
}

// add records the place of a text find did not find.
func (f *firstEntries) add(all []Entry, text string, at int32) {
	if f.byText == nil && f.n < fewEntries {
		f.few[f.n] = at
		f.n++
		return
	}
	if f.byText == nil {
		f.byText = make(map[string]int32, 2*fewEntries)
		for _, i := range f.few {
			f.byText[all[i].Value.Str] = i
		}
	}
	f.byText[text] = at
}

// of returns what was resolved of a statement of the policy.
func (r *Resolved) of(s *analysis.Statement) (resolvedStatement, bool) {
	if s.Index < len(r.byIndex) && r.byIndex[s.Index].st == s {
		return r.byIndex[s.Index], true
	}
	return resolvedStatement{}, false
}

// Entries are ActionEntries(s) resolved, in order. The slice is shared:
// callers must not modify it.
func (r *Resolved) Entries(s *analysis.Statement) []Entry {
	if rs, ok := r.of(s); ok {
		return r.entries[rs.start:rs.end:rs.end]
	}
	return parseEntries(ActionEntries(s)) // a statement of another policy
}

// Actions is StatementActions(s), computed once per policy.
func (r *Resolved) Actions(s *analysis.Statement) (actions []ServiceAction, complete bool) {
	if rs, ok := r.of(s); ok {
		return rs.actions, rs.complete
	}
	return StatementActions(s)
}

// statementActions is StatementActions from the statement's resolved
// entries (its Action entries come first), writing a list without
// wildcards in slab (a list with wildcards is kept for other policies).
func statementActions(slab *actionSlab, s *analysis.Statement, entries []Entry) ([]ServiceAction, bool) {
	return listActions(slab, s, entries, actionsGlob(s))
}

// actionsGlob reports whether an Action entry of the statement holds a
// wildcard as written: its list is then kept for other policies, not
// written in a slab.
func actionsGlob(s *analysis.Statement) bool {
	return slices.ContainsFunc(s.Actions(), func(v *analysis.Value) bool { return HasGlob(v.Str) })
}

// listActions is statementActions with actionsGlob(s) given (Resolve
// asks it once for each statement).
func listActions(slab *actionSlab, s *analysis.Statement, entries []Entry, glob bool) ([]ServiceAction, bool) {
	if s.Action == nil || s.NotAction != nil {
		return nil, false
	}
	values := s.Actions()
	entries = entries[:len(values)]
	if !glob {
		return expandEntries(slab, entries)
	}
	var room [256]byte
	key := appendExpansionKey(room[:0], values)
	if r, ok := expansions.GetBytes(key); ok {
		return r.actions, r.complete
	}
	actions, complete := expandEntries(nil, entries) // kept in expansions: a list of its own
	expansions.PutBytes(key, expansion{actions, complete})
	return actions, complete
}

// slabNeed is the room statementActions takes in the slab for the
// statement's list.
func slabNeed(s *analysis.Statement, entries []Entry, glob bool) int {
	if s.Action == nil || s.NotAction != nil || glob {
		return 0 // none, or kept in expansions, a list of its own
	}
	n := 0
	for _, e := range entries[:len(s.Actions())] {
		if e.usable() {
			n += len(e.Matches)
		}
	}
	return n
}

// appendExpansionKey appends the Action entries joined by NUL, which no
// action holds, to b: a statement's key is looked up in room on the
// caller's stack, not made a string (growing a strings.Builder was more
// than half the allocations of an identity policy naming many actions).
func appendExpansionKey(b []byte, entries []*analysis.Value) []byte {
	for _, v := range entries {
		b = append(b, v.Str...)
		b = append(b, 0)
	}
	return b
}

type expansion struct {
	actions  []ServiceAction
	complete bool
}

// expansions keeps the expanded action lists. It is emptied when full:
// its keys come from the documents a long-running server sees.
var expansions = BoundedCache[expansion]{Max: 1024}

// BoundedCache is a map safe for concurrent use that forgets everything
// when it reaches Max entries: its keys come from the documents a
// long-running server sees.
type BoundedCache[V any] struct {
	mu  sync.Mutex
	Max int
	m   map[string]V
}

// Get returns the value kept for key.
func (c *BoundedCache[V]) Get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

// GetBytes is Get of a key held in bytes, not made a string to ask.
func (c *BoundedCache[V]) GetBytes(key []byte) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[string(key)] // no string is made for a map index
	return v, ok
}

// Put keeps a value for key, forgetting every other when Max is reached.
func (c *BoundedCache[V]) Put(key string, v V) {
	c.put(strings.Clone(key), v) // a key sliced from a document would keep all its text
}

// PutBytes is Put of a key held in bytes, made a string of its own once.
func (c *BoundedCache[V]) PutBytes(key []byte, v V) { c.put(string(key), v) }

func (c *BoundedCache[V]) put(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= c.Max {
		c.m = make(map[string]V)
	}
	c.m[key] = v
}

// BaseType strips the ArrayOf of a multivalued key's type.
func BaseType(t string) string { return strings.TrimPrefix(t, "ArrayOf") }

// MayMatchARN reports whether some ARN fits both the resource type format
// (whose ${...} parts stand for any text) and the policy's resource
// pattern (whose * and ? are wildcards and ${...} policy variables stand
// for any text). The five fields before the resource are compared one by
// one, so that a wildcard in one never spans a colon into the next. ARNs
// are matched case-sensitively, as AWS does.
func MayMatchARN(format, resource string) bool {
	if format == resource {
		return true
	}
	format, resource = VariablesToStar(format), VariablesToStar(resource)
	f, okF := arnFields(format)
	r, okR := arnFields(resource)
	if !okF || !okR {
		return GlobsIntersect(format, resource)
	}
	for i := range f {
		if !GlobsIntersect(f[i], r[i]) {
			return false
		}
	}
	return true
}

// arnFields splits an ARN pattern into its six colon-separated fields,
// the last holding the rest, without allocating.
func arnFields(s string) (fields [6]string, ok bool) {
	for i := range 5 {
		if fields[i], s, ok = strings.Cut(s, ":"); !ok {
			return fields, false
		}
	}
	fields[5] = s
	return fields, true
}

// VariablesToStar turns every ${...} into *.
func VariablesToStar(s string) string {
	if strings.IndexByte(s, '$') < 0 || !strings.Contains(s, "${") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		b.WriteByte('*')
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return b.String()
}

// GlobsIntersect reports whether one string matches both patterns, in
// which * stands for any run and ? for one character.
func GlobsIntersect(a, b string) bool {
	// Most fields hold no wildcard on one side: plain matching then
	// answers without the search below.
	if !HasGlob(a) {
		return analysis.MatchWildcard(b, a, false)
	}
	if !HasGlob(b) {
		return analysis.MatchWildcard(a, b, false)
	}
	seen := make([]bool, (len(a)+1)*(len(b)+1))
	var match func(i, j int) bool
	match = func(i, j int) bool {
		if i == len(a) && j == len(b) {
			return true
		}
		k := i*(len(b)+1) + j
		if seen[k] {
			return false // already explored, without success
		}
		seen[k] = true
		switch {
		case i < len(a) && a[i] == '*':
			return match(i+1, j) || j < len(b) && match(i, j+1)
		case j < len(b) && b[j] == '*':
			return match(i, j+1) || i < len(a) && match(i+1, j)
		case i < len(a) && j < len(b) && (a[i] == b[j] || a[i] == '?' || b[j] == '?'):
			return match(i+1, j+1)
		}
		return false
	}
	return match(0, 0)
}

// Pattern is an Action or Resource pattern prepared to be compared with
// many others: the literal text before its first wildcard and after its
// last, which every string it matches starts and ends with, kept as
// lengths (24 bytes, not 48: a tree prepares one for every Action and
// Resource entry).
type Pattern struct {
	Text       string
	head, tail int32 // the lengths of the literal head and tail of Text
}

// NewPattern prepares a pattern. Policy variables and placeholders (any
// of $ { }) end the literal text as a wildcard does: they may stand for
// any text.
func NewPattern(s string) Pattern {
	p := Pattern{Text: s, head: int32(len(s)), tail: int32(len(s))}
	first := -1
	for i := 0; i < len(s); i++ { // a table, not IndexAny: prepared for every Action and Resource of a tree
		if patternSpecial[s[i]] {
			first = i
			break
		}
	}
	if first >= 0 {
		last := len(s) - 1
		for !patternSpecial[s[last]] {
			last--
		}
		p.head, p.tail = int32(first), int32(len(s)-last-1)
	}
	return p
}

// headText is the literal text before the pattern's first wildcard, tailText
// that after its last (the whole text when it has none).
func (p Pattern) headText() string { return p.Text[:p.head] }
func (p Pattern) tailText() string { return p.Text[len(p.Text)-int(p.tail):] }

// Literal reports whether the pattern holds no wildcard, variable or
// placeholder: it matches its text alone.
func (p Pattern) Literal() bool { return int(p.head) == len(p.Text) }

// IsLiteral reports whether s holds none of the bytes that end a
// pattern's literal text: NewPattern(s).Literal() without the pattern.
// Five byte searches: fewer instructions than a loop over the bytes of a
// bucket ARN.
func IsLiteral(s string) bool {
	return strings.IndexByte(s, '*') < 0 && strings.IndexByte(s, '?') < 0 &&
		strings.IndexByte(s, '$') < 0 && strings.IndexByte(s, '{') < 0 && strings.IndexByte(s, '}') < 0
}

// patternSpecial are the bytes that end a pattern's literal text.
var patternSpecial = [256]bool{'*': true, '?': true, '$': true, '{': true, '}': true}

// Disjoint reports that no string matches both patterns because their
// literal heads or tails differ: the cheap answer to most comparisons of
// two ARNs or two actions, before GlobsIntersect or MayMatchARN, which
// only ever answer false then. The last byte of the heads compared is
// looked at first: ARNs of one policy share a long head and differ near
// its end ("…bucket-16" and "…bucket-33/*").
func (p Pattern) Disjoint(q Pattern) bool {
	n := int(min(p.head, q.head))
	if n > 0 && p.Text[n-1] != q.Text[n-1] || p.Text[:n] != q.Text[:n] {
		return true
	}
	n = int(min(p.tail, q.tail))
	return p.Text[len(p.Text)-n:] != q.Text[len(q.Text)-n:]
}

// HasGlob reports whether s holds * or ?: two byte searches, cheaper than
// strings.ContainsAny on the short fields of ARNs and actions, asked
// millions of times over a tree (ContainsAny builds its set of bytes on
// every call).
func HasGlob(s string) bool {
	return strings.IndexByte(s, '*') >= 0 || strings.IndexByte(s, '?') >= 0
}
