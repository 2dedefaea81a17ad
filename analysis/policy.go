package analysis

import (
	"iter"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unsafe"
)

// Policy is the positioned model of a policy document. Every element keeps
// its Field, so a finding can point at the key or at the value.
//
// Grammar: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
type Policy struct {
	Root       *Value // the top-level object
	Version    *Field
	ID         *Field
	Statement  *Field // the Statement element itself
	Statements []*Statement

	derived derivedValues // what checks compute from the whole policy, once
	// mem is the memory of the recycled trees the policy's statements and
	// ARNs are laid out in (File.Recycle); nil for memory of their own.
	mem *policySlabs
}

// policySlabs are the memory of a policy model made from a tree in
// recycled slabs (a file check reads alone), given to the next file's
// policy with the tree's slabs: over a tree of files, the statements and
// Resource ARNs of each file in memory of their own were a quarter of the
// memory check allocated (issue 16). A slab too small is replaced.
type policySlabs struct {
	statements    []Statement
	statementPtrs []*Statement
	arns          []ResourceARN
	arnsBy        []statementARNs
}

// takeCleared returns n elements of *slab, cleared, as a slice of exact
// capacity; in new memory, kept in *slab for the next policy, when the
// slab has not room for them.
func takeCleared[T any](slab *[]T, n int) []T {
	if cap(*slab) < n {
		*slab = make([]T, n)
		return (*slab)[:n:n]
	}
	out := (*slab)[:n:n]
	clear(out)
	return out
}

// derivedValues are the values Derived keeps, by key. A policy has a few
// (the checks ask for up to seven, most policies for fewer), so a slice
// of pairs searched in turn, made at the first with room for four: two
// slices grown one key at a time took six allocations for four values,
// eight for seven, and held the same room in the end.
type derivedValues struct {
	mu      sync.Mutex
	entries []derivedValue
}

// derivedValue is one value Derived keeps, with its key.
type derivedValue struct{ key, value any }

// derivedRoom is the number of values a policy has room for at first.
const derivedRoom = 4

// Derived returns what build computes from the policy, computed once per
// policy and key, then kept with it: checks that compare every statement
// with every other (each Deny with each Allow) then prepare the
// statements once per document, not once per statement. key is a value
// of a type of the caller's own, as for context.WithValue; build must
// not call Derived on the same policy.
func (p *Policy) Derived(key any, build func(*Policy) any) any {
	d := &p.derived
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, e := range d.entries {
		if e.key == key {
			return e.value
		}
	}
	v := build(p)
	if d.entries == nil {
		d.entries = make([]derivedValue, 0, derivedRoom)
	}
	d.entries = append(d.entries, derivedValue{key, v})
	return v
}

// ResourceARNs are a policy's Resource entries read as ARNs, each once
// (invalid-arn, action-resource-mismatch, missing-resource-arn,
// requester-pays and the bucket lookups each ask for every entry).
type ResourceARNs struct {
	byIndex []statementARNs // by Statement.Index
}

type statementARNs struct {
	st   *Statement
	arns []ResourceARN
}

// resourceARNsKey keys ResourceARNs in Derived.
type resourceARNsKey struct{}

// ResourceARNs returns the policy's Resource entries read as ARNs, read
// on the first call.
func (p *Policy) ResourceARNs() *ResourceARNs {
	return p.Derived(resourceARNsKey{}, func(p *Policy) any {
		n, size := 0, 0
		for _, s := range p.Statements {
			n = max(n, s.Index+1)
			size += len(s.Resources())
		}
		var t *ResourceARNs
		var all []ResourceARN // the policy's entries in one slab
		if p.mem != nil {
			t = &ResourceARNs{byIndex: takeCleared(&p.mem.arnsBy, n)}
			all = takeCleared(&p.mem.arns, size)
		} else {
			t = &ResourceARNs{byIndex: make([]statementARNs, n)}
			all = make([]ResourceARN, size)
		}
		next := 0
		for _, s := range p.Statements {
			start := next
			for _, v := range s.Resources() {
				all[next].read(v)
				next++
			}
			t.byIndex[s.Index] = statementARNs{s, all[start:next:next]}
		}
		return t
	}).(*ResourceARNs)
}

// Of returns the statement's Resource entries (Resources) read as ARNs,
// in order. The slice is shared: callers must not modify it.
func (t *ResourceARNs) Of(s *Statement) []ResourceARN {
	if s.Index < len(t.byIndex) && t.byIndex[s.Index].st == s {
		return t.byIndex[s.Index].arns
	}
	out := make([]ResourceARN, 0, len(s.Resources())) // a statement of another policy
	for _, v := range s.Resources() {
		out = append(out, ReadResourceARN(v))
	}
	return out
}

// ForgetDerived drops the value Derived keeps for key, if any: the next
// call builds it again. A caller that holds the value keeps it.
func (p *Policy) ForgetDerived(key any) {
	d := &p.derived
	d.mu.Lock()
	defer d.mu.Unlock()
	d.entries = slices.DeleteFunc(d.entries, func(e derivedValue) bool { return e.key == key })
}

// Statement is one statement object, with its elements looked up once.
type Statement struct {
	Index int    // position in the Statement array (0 for a lone object)
	Obj   *Value // the statement object

	Sid, Effect                      *Field
	Principal, NotPrincipal          *Field
	Action, NotAction                *Field
	Resource, NotResource, Condition *Field

	conds []Condition // built with the statement: every check asks for them
	// otherMembers: a member is none of StatementElements (found as the
	// statement's elements are looked up; unknown-element asks).
	otherMembers bool
	// effect is what Effect says, read with the statement (effectAllow,
	// effectDeny, effectOther); 0 for a statement init did not build.
	effect uint8
}

const (
	effectAllow = 1 + iota
	effectDeny
	effectOther
)

// HasOtherMembers reports whether a member of the statement is none of
// StatementElements.
func (s *Statement) HasOtherMembers() bool { return s.otherMembers }

// TopLevelElements are the members a policy document may hold.
var TopLevelElements = []string{"Version", "Id", "Statement"}

// StatementElements are the members a statement may hold.
var StatementElements = []string{"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource", "Condition"}

// IsPolicy reports whether a parsed JSON document is a policy: an object
// whose top level holds Statement as a statement object or an array of
// them. Other JSON files, such as a query file whose "Statement" is a
// string, are left alone (a file named or configured as a policy is
// checked whatever its Statement holds).
func IsPolicy(root *Value) bool {
	if root == nil || root.Kind != Object {
		return false
	}
	st := root.Get("Statement")
	if st == nil {
		return false
	}
	switch st.Value.Kind {
	case Object:
		return true
	case Array:
		return allKind(st.Value.Items, Object)
	}
	return false
}

// NewPolicy builds the model from a parsed document. It never fails: what
// is malformed is left for the checks to report.
func NewPolicy(root *Value) *Policy { return newPolicy(root, nil) }

// newPolicy is NewPolicy in the memory of recycled trees, mem, when it is
// not nil: the caller promises that the policy is not used once its tree
// is recycled (File.Recycle).
func newPolicy(root *Value, mem *policySlabs) *Policy {
	p := &Policy{
		Root:      root,
		Version:   root.Get("Version"),
		ID:        root.Get("Id"),
		Statement: root.Get("Statement"),
		mem:       mem,
	}
	if p.Statement == nil {
		return p
	}
	switch v := p.Statement.Value; v.Kind {
	case Object:
		p.Statements = []*Statement{new(Statement).init(0, v)}
	case Array:
		n := 0
		for _, item := range v.Items {
			if item.Kind == Object {
				n++
			}
		}
		// The statements in one allocation: a tree of check's benchmark
		// holds 340,000.
		var slab []Statement
		if mem != nil {
			slab, p.Statements = takeCleared(&mem.statements, n), takeCleared(&mem.statementPtrs, n)[:0]
		} else {
			slab, p.Statements = make([]Statement, n), make([]*Statement, 0, n)
		}
		for i, item := range v.Items {
			if item.Kind == Object {
				p.Statements = append(p.Statements, slab[len(p.Statements)].init(i, item))
			}
		}
	}
	return p
}

// init looks the statement's elements up in one pass over its members (a
// later duplicate wins, as with Value.Get) and returns s.
func (s *Statement) init(index int, obj *Value) *Statement {
	s.Index, s.Obj = index, obj
	for _, f := range obj.Fields {
		switch f.Key {
		case "Sid":
			s.Sid = f
		case "Effect":
			s.Effect = f
		case "Principal":
			s.Principal = f
		case "NotPrincipal":
			s.NotPrincipal = f
		case "Action":
			s.Action = f
		case "NotAction":
			s.NotAction = f
		case "Resource":
			s.Resource = f
		case "NotResource":
			s.NotResource = f
		case "Condition":
			s.Condition = f
		default:
			s.otherMembers = true
		}
	}
	s.conds = s.buildConditions()
	switch s.EffectText() {
	case "Allow":
		s.effect = effectAllow
	case "Deny":
		s.effect = effectDeny
	default:
		s.effect = effectOther
	}
	return s
}

// VersionText is the Version value, or "" when absent or not a string.
func (p *Policy) VersionText() string {
	if p.Version == nil || p.Version.Value.Kind != String {
		return ""
	}
	return p.Version.Value.Str
}

// EffectText is "Allow", "Deny", or whatever else the statement says.
func (s *Statement) EffectText() string {
	if s.Effect == nil || s.Effect.Value.Kind != String {
		return ""
	}
	return s.Effect.Value.Str
}

// IsAllow and IsDeny answer from what init read of Effect: the
// cross-file checks ask them of every statement of the folder's policies
// for each file, and following Effect to its value each time was 2 % of
// check's CPU over 10,000 governed policies (issue 16).
func (s *Statement) IsAllow() bool {
	if s.effect != 0 {
		return s.effect == effectAllow
	}
	return s.EffectText() == "Allow"
}

func (s *Statement) IsDeny() bool {
	if s.effect != 0 {
		return s.effect == effectDeny
	}
	return s.EffectText() == "Deny"
}

// SidText is the Sid, or "" when there is none.
func (s *Statement) SidText() string {
	if s.Sid == nil || s.Sid.Value.Kind != String {
		return ""
	}
	return s.Sid.Value.Str
}

// Label names the statement for people: its Sid, else its position.
func (s *Statement) Label() string {
	return StatementLabel(s.SidText(), s.Index)
}

// StatementLabel is the Label of the statement of that Sid and index,
// for words written after the statement's tree is gone (a lazy message).
func StatementLabel(sid string, index int) string {
	if sid != "" {
		return sid
	}
	return "Statement " + strconv.Itoa(index+1)
}

// Strings returns the string values of an element that takes a string or
// an array of strings. Values of other types are skipped; a nil field
// yields nil. The slice may be the tree's own: callers must not modify
// it (an append copies it).
func Strings(f *Field) []*Value {
	if f == nil {
		return nil
	}
	if f.Value.Kind == String {
		return fieldValue(f)
	}
	return stringValues(f.Value)
}

// fieldValue is the field's value as a slice of one that is the field's
// own pointer to it, with room for no more: every check asks for the
// Action, Resource and Condition values of every statement, and a slice
// of its own for each lone value was a sixth of the allocations of check
// over a tree.
func fieldValue(f *Field) []*Value { return unsafe.Slice(&f.Value, 1) }

// StringValues are the strings of a value as Strings gives those of a
// field holding it, without a field to hold it: the evaluation engine
// made one for each Resource and Action it matched (issue 16).
func StringValues(v *Value) []*Value { return stringValues(v) }

func stringValues(v *Value) []*Value {
	switch v.Kind {
	case String:
		return []*Value{v}
	case Array:
		if v.itemsKind == String || v.itemsKind == 0 && allKind(v.Items, String) {
			// The parser gives Items its exact capacity: an append by the
			// caller copies rather than writing into the tree.
			return v.Items[:len(v.Items):len(v.Items)]
		}
		out := make([]*Value, 0, len(v.Items))
		for _, item := range v.Items {
			if item.Kind == String {
				out = append(out, item)
			}
		}
		return out
	}
	return nil
}

func allKind(items []*Value, k ValueKind) bool {
	for _, item := range items {
		if item.Kind != k {
			return false
		}
	}
	return true
}

// Actions are the statement's Action values (not NotAction).
func (s *Statement) Actions() []*Value { return Strings(s.Action) }

// Resources are the statement's Resource values (not NotResource).
func (s *Statement) Resources() []*Value { return Strings(s.Resource) }

// PrincipalRef is one principal named in Principal or NotPrincipal.
type PrincipalRef struct {
	Type  string // "*" for the bare wildcard, else AWS, Service, Federated, CanonicalUser
	Value *Value // the string naming it
}

// Principals lists the principals of a Principal or NotPrincipal element.
// "Principal": "*" yields one ref of Type "*".
func Principals(f *Field) []PrincipalRef {
	// One allocation, at its size (every check that reads principals
	// asks).
	n := 0
	for range AllPrincipals(f) {
		n++
	}
	if n == 0 {
		return nil
	}
	out := make([]PrincipalRef, 0, n)
	for ref := range AllPrincipals(f) {
		out = append(out, ref)
	}
	return out
}

// AllPrincipals yields the principals Principals lists, in its order,
// without a slice: for a question asked of every statement of many
// policies (does one name this account?).
func AllPrincipals(f *Field) iter.Seq[PrincipalRef] {
	return func(yield func(PrincipalRef) bool) {
		if f == nil {
			return
		}
		switch v := f.Value; v.Kind {
		case String:
			yield(PrincipalRef{Type: "*", Value: v})
		case Object:
			for _, member := range v.Fields {
				switch member.Value.Kind {
				case String:
					if !yield(PrincipalRef{Type: member.Key, Value: member.Value}) {
						return
					}
				case Array:
					for _, item := range member.Value.Items {
						if item.Kind == String && !yield(PrincipalRef{Type: member.Key, Value: item}) {
							return
						}
					}
				}
			}
		}
	}
}

// IsEveryone reports whether the principal is the anonymous wildcard:
// "*" or {"AWS": "*"}.
func (r PrincipalRef) IsEveryone() bool {
	return r.Value.Str == "*" && (r.Type == "*" || r.Type == "AWS")
}

// Condition is one key test: Operator → Key → Values.
type Condition struct {
	Operator *Field // e.g. "StringEquals"; its Value is the object of keys
	Key      *Field // e.g. "aws:SourceVpce"
	Values   []*Value
}

// Conditions flattens the Condition element. Malformed parts are skipped.
func (s *Statement) Conditions() []Condition {
	if s.conds != nil {
		return s.conds[:len(s.conds):len(s.conds)]
	}
	return s.buildConditions()
}

func (s *Statement) buildConditions() []Condition {
	if s.Condition == nil || s.Condition.Value.Kind != Object {
		return nil
	}
	n := 0
	for _, op := range s.Condition.Value.Fields {
		if op.Value.Kind == Object {
			n += len(op.Value.Fields)
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Condition, 0, n) // one allocation for the statement's conditions
	for _, op := range s.Condition.Value.Fields {
		if op.Value.Kind != Object {
			continue
		}
		for _, key := range op.Value.Fields {
			out = append(out, Condition{Operator: op, Key: key, Values: scalarValues(key)})
		}
	}
	return out
}

// scalarValues accepts a scalar or an array of scalars (condition values
// may be strings, numbers or booleans). Like Strings, the slice may be
// the tree's own.
func scalarValues(key *Field) []*Value {
	switch v := key.Value; v.Kind {
	case String, Number, Bool:
		return fieldValue(key)
	case Array:
		if !slices.ContainsFunc(v.Items, func(item *Value) bool { return !isScalar(item.Kind) }) {
			return v.Items[:len(v.Items):len(v.Items)] // the parser's exact size
		}
		out := make([]*Value, 0, len(v.Items))
		for _, item := range v.Items {
			if isScalar(item.Kind) {
				out = append(out, item)
			}
		}
		return out
	}
	return nil
}

func isScalar(k ValueKind) bool { return k == String || k == Number || k == Bool }

// HasConditionKey reports whether the statement tests key (case-insensitive,
// as condition key names are).
func (s *Statement) HasConditionKey(key string) bool {
	for _, c := range s.Conditions() {
		if strings.EqualFold(c.Key.Key, key) {
			return true
		}
	}
	return false
}
