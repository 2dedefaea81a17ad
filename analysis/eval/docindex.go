package eval

import (
	"maps"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// docIndex lists the statements of policies that name no principal (a
// principal's identity policies, the SCPs of an account) by the actions
// and the resources they may match, so that a request is judged against
// the few statements that can decide it instead of every statement of a
// set that grows with the folder (issue 16). A statement the index leaves
// out cannot match the request's action and resource both, so it can
// neither deny, nor allow, nor be the near miss a cause points at, except
// as the first statement that allows the action (firstAllowOfAction).
//
// It is built once per workspace for each principal and account
// (Workspace.Scenario) and is read-only after that.
type docIndex struct {
	docs  []*Doc
	sites []site // every statement, in the order the engine reads them
	// byAction lists the sites by lower-cased literal action; anyAction
	// the sites with a wildcard, a template placeholder or NotAction.
	byAction  map[string][]int32
	anyAction []int32
	// byPrefix lists the sites by the literal start of each of their
	// Resource values; anyResource the sites with NotResource.
	byPrefix    map[string][]int32
	anyResource []int32
	// prefixLengths are the lengths of byPrefix's keys, each once,
	// ascending: a resource's prefixes of those lengths alone can be keys
	// (hashing each of its prefixes was most of candidates' time for a
	// key ARN of 75 bytes).
	prefixLengths []int
	// denies indexes the Deny statements alone, which explicitDeny reads:
	// a deny-list SCP is attached beside FullAWSAccess, whose Allow of every
	// action and resource each request walked past once for every such SCP
	// of its account (issue 16). nil in an index of Deny statements.
	denies *docIndex
	// textClasses, in an index of Deny statements, are for each site the
	// number of the first site of the same text in a policy of the same
	// Version (judgedTexts.judgeSite), -1 for a statement without a text
	// of its own; nil in an index of every statement.
	textClasses []int32
}

// site is one statement of an indexed policy.
type site struct {
	doc         *Doc
	st          *analysis.Statement
	prefixes    []string // the literal start of each Resource value
	actions     []string // lower-cased literal actions
	anyAction   bool
	anyResource bool
}

func newDocIndex(docs []*Doc) *docIndex {
	ix := indexStatements(docs, nil)
	ix.denies = indexStatements(docs, (*analysis.Statement).IsDeny)
	ix.denies.textClasses = textClasses(ix.denies.sites)
	return ix
}

// textClasses numbers the sites by their text and their policy's
// Version (docIndex.textClasses).
func textClasses(sites []site) []int32 {
	var first [2]map[string]int32 // by whether the policy's Version has variables, then text
	out := make([]int32, len(sites))
	for n, s := range sites {
		text, ok := statementText(s.doc, s.st)
		if !ok {
			out[n] = -1
			continue
		}
		byText := &first[0]
		if s.doc.variables() {
			byText = &first[1]
		}
		at, seen := (*byText)[string(text)] // a text met before is not copied
		if !seen {
			if *byText == nil {
				*byText = map[string]int32{}
			}
			at = int32(n)
			(*byText)[string(text)] = at
		}
		out[n] = at
	}
	return out
}

// indexStatements indexes the statements of docs that keep accepts, every
// one when keep is nil.
func indexStatements(docs []*Doc, keep func(*analysis.Statement) bool) *docIndex {
	ix := &docIndex{docs: docs, byAction: map[string][]int32{}, byPrefix: map[string][]int32{}}
	for _, d := range docs {
		for _, st := range d.Policy.Statements {
			if keep != nil && !keep(st) {
				continue
			}
			n := int32(len(ix.sites))
			s := siteOf(d, st)
			for _, a := range s.actions {
				if l := ix.byAction[a]; len(l) == 0 || l[len(l)-1] != n {
					ix.byAction[a] = append(l, n)
				}
			}
			for _, p := range s.prefixes {
				if l := ix.byPrefix[p]; len(l) == 0 || l[len(l)-1] != n {
					ix.byPrefix[p] = append(l, n)
				}
			}
			if s.anyAction {
				ix.anyAction = append(ix.anyAction, n)
			}
			if s.anyResource {
				ix.anyResource = append(ix.anyResource, n)
			}
			ix.sites = append(ix.sites, s)
		}
	}
	ix.prefixLengths = prefixLengths(ix.byPrefix)
	return ix
}

// siteOf is what the index holds of a statement of d.
func siteOf(d *Doc, st *analysis.Statement) site {
	s := site{doc: d, st: st, anyAction: st.Action == nil && st.NotAction != nil, anyResource: st.Resource == nil && st.NotResource != nil}
	if st.Action != nil {
		for _, v := range analysis.Strings(st.Action) {
			if literalAction(v.Str) {
				s.actions = append(s.actions, asciiLower(v.Str))
			} else {
				s.anyAction = true
			}
		}
	}
	if st.Resource != nil {
		for _, v := range analysis.Strings(st.Resource) {
			s.prefixes = append(s.prefixes, literalPrefix(v.Str))
		}
	}
	return s
}

// prefixLengths are the lengths of the keys of byPrefix, each once,
// ascending.
func prefixLengths(byPrefix map[string][]int32) []int {
	var lengths []int
	for p := range byPrefix {
		lengths = append(lengths, len(p))
	}
	slices.Sort(lengths)
	return slices.Compact(lengths)
}

// replacing returns the index of docs, ix's documents with the one at i
// replaced by a new version of it, made from ix as newDocIndex(docs)
// would make it: a keystroke in a principal's identity policy swaps one
// of its 600 policies at 5,000 governed policies, and indexing them all
// again was a sixth of what the first keystroke that changes what the
// policy allows allocated (BenchmarkIndexEdit identity-action, issue 16).
// nil when the new version has another number of statements, or of Deny
// statements, than the old: the index is then built again.
func (ix *docIndex) replacing(docs []*Doc, i int) *docIndex {
	if ix == nil || ix.denies == nil || len(docs) != len(ix.docs) || i < 0 || i >= len(docs) {
		return nil
	}
	out := ix.replaced(docs, i, nil)
	if out == nil {
		return nil
	}
	if out.denies = ix.denies.replaced(docs, i, (*analysis.Statement).IsDeny); out.denies == nil {
		return nil
	}
	// Numbered again: the new version's texts may stand first for others.
	out.denies.textClasses = textClasses(out.denies.sites)
	return out
}

// replaced is replacing for indexStatements(docs, keep): the sites of the
// new version take the places of the old one's, and only the lists of
// the actions and prefixes that differ between them are copied and
// changed. ix is not changed: other workspaces read it.
func (ix *docIndex) replaced(docs []*Doc, i int, keep func(*analysis.Statement) bool) *docIndex {
	kept := func(d *Doc) []*analysis.Statement {
		if keep == nil {
			return d.Policy.Statements
		}
		var out []*analysis.Statement
		for _, st := range d.Policy.Statements {
			if keep(st) {
				out = append(out, st)
			}
		}
		return out
	}
	now := docs[i]
	statements := kept(now)
	if len(statements) != len(kept(ix.docs[i])) {
		return nil
	}
	start := 0 // the old version's first site
	for _, d := range ix.docs[:i] {
		start += len(kept(d))
	}
	out := &docIndex{docs: docs, sites: slices.Clone(ix.sites), byAction: ix.byAction, anyAction: ix.anyAction,
		byPrefix: ix.byPrefix, anyResource: ix.anyResource, prefixLengths: ix.prefixLengths}
	actionsCopied, prefixesCopied, prefixesMoved := false, false, false
	for k, st := range statements {
		n := int32(start + k)
		was, s := ix.sites[n], siteOf(now, st)
		out.sites[n] = s
		if !slices.Equal(was.actions, s.actions) {
			if !actionsCopied {
				out.byAction, actionsCopied = maps.Clone(ix.byAction), true
			}
			moveSite(out.byAction, was.actions, s.actions, n)
		}
		if !slices.Equal(was.prefixes, s.prefixes) {
			if !prefixesCopied {
				out.byPrefix, prefixesCopied = maps.Clone(ix.byPrefix), true
			}
			prefixesMoved = moveSite(out.byPrefix, was.prefixes, s.prefixes, n) || prefixesMoved
		}
		if was.anyAction != s.anyAction {
			out.anyAction = toggledSite(out.anyAction, n, s.anyAction)
		}
		if was.anyResource != s.anyResource {
			out.anyResource = toggledSite(out.anyResource, n, s.anyResource)
		}
	}
	if prefixesMoved {
		out.prefixLengths = prefixLengths(out.byPrefix)
	}
	return out
}

// moveSite takes site n out of the lists of the keys it had and not now,
// and into those of the keys it has now and had not; moved reports
// whether a key came or went.
func moveSite(by map[string][]int32, had, has []string, n int32) (moved bool) {
	for _, k := range had {
		if !slices.Contains(has, k) {
			if l := toggledSite(by[k], n, false); len(l) > 0 {
				by[k] = l
			} else if _, ok := by[k]; ok {
				delete(by, k)
				moved = true
			}
		}
	}
	for _, k := range has {
		if !slices.Contains(had, k) {
			_, ok := by[k]
			by[k] = toggledSite(by[k], n, true)
			moved = moved || !ok
		}
	}
	return moved
}

// toggledSite returns an ascending list of sites with n in it (in) or
// not, a copy when it differs from list: list may be another index's.
func toggledSite(list []int32, n int32, in bool) []int32 {
	i, found := slices.BinarySearch(list, n)
	switch {
	case found == in:
		return list
	case in:
		return slices.Insert(slices.Clip(list), i, n)
	case len(list) == 1:
		return nil
	}
	return slices.Delete(slices.Clone(list), i, i+1)
}

// prefixesOf yields the sites of each of the resource's prefixes that
// byPrefix holds, shortest first.
func (ix *docIndex) prefixesOf(resource string) func(yield func([]int32) bool) {
	return func(yield func([]int32) bool) {
		for _, n := range ix.prefixLengths {
			if n > len(resource) {
				return
			}
			if l := ix.byPrefix[resource[:n]]; len(l) > 0 && !yield(l) {
				return
			}
		}
	}
}

// literalAction reports whether an Action value matches one action only
// (analysis.MatchAction without a wildcard is a comparison that ignores
// ASCII case; a placeholder makes it unknown, see matchTri).
func literalAction(v string) bool {
	return !strings.ContainsAny(v, "*?") && !analysis.HasPlaceholder(v)
}

// literalPrefix is the start of a Resource value that a matching resource
// starts with: up to a wildcard, a policy variable or a template
// placeholder (matchResource substitutes from "${", matchTri replaces
// "${…}" and "{{…}}").
func literalPrefix(v string) string {
	if i := strings.IndexAny(v, "*?${"); i >= 0 {
		return v[:i]
	}
	return v
}

// asciiLower folds ASCII letters only, as analysis.MatchWildcard does.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if 'A' <= s[i] && s[i] <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if 'A' <= b[j] && b[j] <= 'Z' {
					b[j] += 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// lowerAction is asciiLower of a request's action, the same string for
// every pass that asks (loweredActions): every evaluation looks its
// action up in the indexes, and lower-casing it there was a string for
// each pass and each near miss looked for (issue 16).
func lowerAction(s string) string {
	upper := false
	for i := 0; i < len(s) && !upper; i++ {
		upper = 'A' <= s[i] && s[i] <= 'Z'
	}
	if !upper {
		return s
	}
	known := loweredActions.Load()
	if l, ok := (*known)[s]; ok {
		return l
	}
	l := asciiLower(s)
	for len(*known) < maxLoweredActions {
		next := make(map[string]string, len(*known)+1)
		maps.Copy(next, *known)
		next[strings.Clone(s)] = l // not s: it may hold a policy's text alive
		if loweredActions.CompareAndSwap(known, &next) {
			break
		}
		known = loweredActions.Load()
	}
	return l
}

// loweredActions are the actions lowerAction has lower-cased, a map
// replaced, never changed, so that passes read it without a lock; at
// most maxLoweredActions (a server's keystrokes name a few actions more).
var loweredActions atomic.Pointer[map[string]string]

const maxLoweredActions = 512

func init() { loweredActions.Store(&map[string]string{}) }

// covers reports whether the index was built over exactly these docs: a
// caller may have changed a scenario's lists since it was built.
func (ix *docIndex) covers(docs []*Doc) bool {
	return ix != nil && len(ix.docs) == len(docs) && (len(docs) == 0 || &ix.docs[0] == &docs[0] || slices.Equal(ix.docs, docs))
}

// ofAction lists, in order, the sites whose Action may match the action
// (lower-cased).
func (ix *docIndex) ofAction(action string) []int32 {
	return mergeSorted(ix.byAction[action], ix.anyAction)
}

// candidates lists, in order, the sites that may match both the action
// (lower-cased) and the resource (escaped as matchResource matches it):
// every statement that can apply, or fail only on a condition.
func (ix *docIndex) candidates(action, resource string) []int32 {
	byAction := ix.ofAction(action)
	byResource := len(ix.anyResource)
	for l := range ix.prefixesOf(resource) {
		if byResource >= len(byAction) {
			break
		}
		byResource += len(l)
	}
	var out []int32
	if len(byAction) <= byResource {
		for _, n := range byAction {
			if ix.sites[n].mayMatchResource(resource) {
				out = append(out, n)
			}
		}
		return out
	}
	all := slices.Clone(ix.anyResource)
	for l := range ix.prefixesOf(resource) {
		all = append(all, l...)
	}
	slices.Sort(all)
	for _, n := range slices.Compact(all) {
		if ix.sites[n].mayMatchAction(action) {
			out = append(out, n)
		}
	}
	return out
}

func (s *site) mayMatchResource(resource string) bool {
	if s.anyResource {
		return true
	}
	for _, p := range s.prefixes {
		if strings.HasPrefix(resource, p) {
			return true
		}
	}
	return false
}

func (s *site) mayMatchAction(action string) bool {
	return s.anyAction || slices.Contains(s.actions, action)
}

// mayMatchWritten is mayMatchAction and mayMatchResource of a target as
// a pass records it (its action as written, its resource not escaped),
// compared byte by byte instead of lower-casing and escaping them into
// new strings: MayRead asks it for each target of each kept evaluation
// an edit may concern, 150 KB of a keystroke's allocations at 5,000
// governed policies (issue 16).
func (s *site) mayMatchWritten(t target) bool {
	if !s.anyAction && !slices.ContainsFunc(s.actions, func(a string) bool { return lowerOf(a, t.action) }) {
		return false
	}
	return s.anyResource || slices.ContainsFunc(s.prefixes, func(p string) bool { return escapedPrefix(t.resource, p) })
}

// lowerOf reports whether lower is asciiLower(s).
func lowerOf(lower, s string) bool {
	if len(lower) != len(s) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if lower[i] != c {
			return false
		}
	}
	return true
}

// escapedPrefix reports whether escapeWild(s) starts with prefix.
func escapedPrefix(s, prefix string) bool {
	if len(prefix) > len(s) {
		return false
	}
	for i := 0; i < len(prefix); i++ {
		c := s[i]
		switch c {
		case '*':
			c = litStar
		case '?':
			c = litQ
		}
		if prefix[i] != c {
			return false
		}
	}
	return true
}

// mergeSorted merges two ascending lists without duplicates.
func mergeSorted(a, b []int32) []int32 {
	if len(b) == 0 {
		return a
	}
	if len(a) == 0 {
		return b
	}
	out := make([]int32, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case j == len(b) || i < len(a) && a[i] < b[j]:
			out = append(out, a[i])
			i++
		case i == len(a) || b[j] < a[i]:
			out = append(out, b[j])
			j++
		default:
			out = append(out, a[i])
			i++
			j++
		}
	}
	return out
}
