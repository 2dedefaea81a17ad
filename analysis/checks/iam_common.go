package checks

import (
	"slices"
	"strings"
	"sync"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
)

// Helpers shared by the checks, hover and completion that use the IAM
// service data.

// rejectsUnknownNames reports whether the service that stores a policy of
// kind k refuses unknown actions and condition keys. S3 refuses a bucket
// policy naming one ("Policy has invalid action" / "invalid condition
// key", MalformedPolicy); IAM stores an identity policy that names one, and
// the entry then matches no request.
func rejectsUnknownNames(k analysis.Kind) bool { return k == analysis.KindBucket }

// unknownSeverity is the severity of an unknown-* finding in kind k.
func unknownSeverity(k analysis.Kind) analysis.Severity {
	if rejectsUnknownNames(k) {
		return analysis.Error
	}
	return analysis.Warning
}

// actionRef is one Action entry split at its colon.
type actionRef struct {
	Value          *analysis.Value
	Prefix, Name   string
	Service        *iamdata.Service // nil when the prefix is unknown
	Matches        []*iamdata.Action
	Wildcard, Full bool // Name holds * or ?; Full: the entry is "*" alone
}

// actionEntries are the string values of Action and NotAction.
func actionEntries(s *analysis.Statement) []*analysis.Value {
	return append(analysis.Strings(s.Action), analysis.Strings(s.NotAction)...)
}

// parseActionRef splits an Action value. It reports false for a value that
// is not service:action (left to the structural checks).
func parseActionRef(v *analysis.Value) (actionRef, bool) {
	r := actionRef{Value: v}
	if v.Str == "*" {
		r.Full, r.Wildcard = true, true
		return r, true
	}
	prefix, name, ok := strings.Cut(v.Str, ":")
	if !ok || prefix == "" || name == "" || strings.ContainsAny(prefix, "*?") || analysis.HasPlaceholder(prefix) {
		return r, false
	}
	r.Prefix, r.Name = prefix, name
	// A template placeholder stands for any part of the name: the text
	// around it must still name an action.
	name = analysis.ReplacePlaceholders(name, "*")
	r.Wildcard = strings.ContainsAny(name, "*?")
	r.Service = iamdata.Lookup(prefix)
	if r.Service == nil {
		return r, true
	}
	if r.Wildcard {
		r.Matches = r.Service.MatchActions(name)
	} else if a := r.Service.Action(name); a != nil {
		r.Matches = []*iamdata.Action{a}
	}
	return r, true
}

// serviceAction is an action with the service that holds it.
type serviceAction struct {
	Service *iamdata.Service
	*iamdata.Action
}

// statementActions resolves the statement's Action entries, wildcards
// expanded. complete is false when some entry is "*", unparsable or
// unknown: a check that needs every action of the statement then stays
// quiet.
//
// The answer may be shared: callers must not modify the slice. When an
// entry has a wildcard, it is kept by the statement's Action entries,
// since two checks ask for each statement on every keystroke, and
// policies repeat their action lists.
func statementActions(s *analysis.Statement) (actions []serviceAction, complete bool) {
	if s.Action == nil || s.NotAction != nil {
		return nil, false
	}
	entries := s.Actions()
	if !slices.ContainsFunc(entries, func(v *analysis.Value) bool { return hasWildcard(v.Str) }) {
		return expandActions(entries) // lookups alone: cheaper than the cache
	}
	key := expansionKey(entries)
	if r, ok := expansions.get(key); ok {
		return r.actions, r.complete
	}
	actions, complete = expandActions(entries)
	expansions.put(key, expansion{actions, complete})
	return actions, complete
}

func expandActions(entries []*analysis.Value) (actions []serviceAction, complete bool) {
	complete = true
	refs := make([]actionRef, 0, 8)
	total := 0
	for _, v := range entries {
		r, ok := parseActionRef(v)
		if !ok || r.Full || len(r.Matches) == 0 {
			complete = false
			continue
		}
		refs = append(refs, r)
		total += len(r.Matches)
	}
	actions = make([]serviceAction, 0, total)
	for _, r := range refs {
		for _, a := range r.Matches {
			actions = append(actions, serviceAction{r.Service, a})
		}
	}
	return actions, complete && len(actions) > 0
}

// expansionKey is the Action entries joined by NUL, which no action holds.
func expansionKey(entries []*analysis.Value) string {
	if len(entries) == 1 {
		return entries[0].Str
	}
	var b strings.Builder
	for _, v := range entries {
		b.WriteString(v.Str)
		b.WriteByte(0)
	}
	return b.String()
}

type expansion struct {
	actions  []serviceAction
	complete bool
}

// expansions keeps the expanded action lists. It is emptied when full:
// its keys come from the documents a long-running server sees.
var expansions = boundedCache[expansion]{max: 1024}

// boundedCache is a map safe for concurrent use that forgets everything
// when it reaches max entries.
type boundedCache[V any] struct {
	mu  sync.Mutex
	max int
	m   map[string]V
}

func (c *boundedCache[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}

func (c *boundedCache[V]) put(key string, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil || len(c.m) >= c.max {
		c.m = make(map[string]V)
	}
	c.m[strings.Clone(key)] = v // a key sliced from a document would keep all its text
}

// replaceFix is the quick fix that replaces span with a JSON string.
func replaceFix(span analysis.Span, s string) analysis.Fix {
	return analysis.Fix{
		Title: analysis.Tf("Replace with %s", "%s に置き換える", s),
		Edits: []analysis.Edit{{Span: span, NewText: analysis.Quote(s)}},
	}
}

// baseType strips the ArrayOf of a multivalued key's type.
func baseType(t string) string { return strings.TrimPrefix(t, "ArrayOf") }
