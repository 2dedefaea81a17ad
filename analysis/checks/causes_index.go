package checks

import (
	"path"
	"slices"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// The index of the workspace's causes: what each principal's blocked
// requests (Workspace.Blocked) say of each document, grouped once per
// workspace and principal, so that the pass of each file reads its own
// entries instead of scanning every principal's requests (issue 16). It
// renders no message: a group keeps its first request and cause and
// counts the rest; the pass that reports renders them.

// docCode names the entries of one document under one check's code.
type docCode struct {
	path, doc, code string
}

// causeIndex is what one principal's blocked requests say, by document.
type causeIndex struct {
	// Of each request of the answer (Workspace.Blocked) that an element
	// outside the principal's identity policies blocks: the first element
	// of those policies that asks for it (policy nil when none), and the
	// numbers of that place and of the grant's, which tell the places
	// related to an element apart without hashing them for each request
	// (relatedHere); -1 for none.
	asked      []askedAt
	askPlace   []int32
	grantPlace []int32
	places     int // the places numbered
	// here: the elements of non-identity documents (and the identity
	// policies of other principals) that block the principal's requests.
	here map[docCode][]*blockedHere
	// identity: what the principal's identity policies report.
	identity map[docCode][]*causeGroup
}

// causeGroup is one finding of an identity policy: the requests of its
// principal that the causes of one code block and that the policy asks
// for at one element (or, for requests no policy asks for, the
// principal's first). The first cause names the finding; the others, at
// other places (the 50 SCPs of an account that deny the same uploads),
// are counted and the first few listed.
type causeGroup struct {
	span        analysis.Span // the element of the identity policy
	first       analysis.BlockedRequest
	cause       analysis.Cause // first's cause
	inThisFile  bool           // the cause lies in this identity policy
	conditional bool
	count       int                        // requests, first included
	nearest     []*analysis.BlockedRequest // the requests whose grants are nearest, at most MaxRelated
	last        int                        // index of the last request counted, to count each once
	// The causes at other places than the first's: the first of them
	// (at most MaxRelated), and how many places and documents.
	others    []*analysis.Cause
	othersOf  []*analysis.BlockedRequest // the request each of others blocks, whose words it says
	places    map[analysis.Place]bool
	otherDocs map[docKey]bool
}

// groupKey tells the groups of one identity policy and code apart: one
// per element and kind of cause and decision. Causes at different places
// share a group: one finding per element, which a check reports once
// (analysis merges findings of a code at one span).
type groupKey struct {
	span        analysis.Span
	located     bool
	inThisFile  bool
	conditional bool
}

// memoized returns build's value, kept by the workspace under key while
// it does not change when the workspace keeps values (the engine's does:
// eval.Workspace.Memo), else built for this call. A key that ends in
// "\x00" and a principal must hold only what is derived from that
// principal's answer (Blocked) and its identity policies: the server
// carries it over edits that change neither (eval.Workspace.KeepPrincipalMemos).
func memoized[T any](w analysis.Workspace, key string, build func() T) T {
	if m, ok := w.(interface{ Memo(string, func() any) any }); ok {
		return m.Memo(key, func() any { return build() }).(T)
	}
	return build()
}

// docKey is a document of the workspace.
type docKey struct{ path, doc string }

// documentsOf maps each policy document of the workspace to its file.
func documentsOf(w analysis.Workspace) map[docKey]*analysis.File {
	return memoized(w, "checks: documents", func() map[docKey]*analysis.File {
		out := map[docKey]*analysis.File{}
		for _, f := range w.PolicyFiles() {
			if k := (docKey{f.Path, f.DocName}); out[k] == nil {
				out[k] = f
			}
		}
		return out
	})
}

// causesOf is the index of the principal's causes, built once per
// workspace.
func causesOf(w analysis.Workspace, principal string) *causeIndex {
	return memoized(w, "checks: causes\x00"+principal, func() *causeIndex { return buildCauses(w, principal) })
}

func buildCauses(w analysis.Workspace, principal string) *causeIndex {
	ix := &causeIndex{here: map[docCode][]*blockedHere{}, identity: map[docCode][]*causeGroup{}}
	docs := documentsOf(w)
	asks := asksOf(w, principal)
	hereAt := map[docCode]map[analysis.Span]*blockedHere{}
	groups := map[docCode]map[groupKey]*causeGroup{}
	placeIDs := map[analysis.Place]int32{}
	placeID := func(p analysis.Place) int32 {
		id, ok := placeIDs[p]
		if !ok {
			id = int32(len(placeIDs))
			placeIDs[p] = id
		}
		return id
	}
	var targets []askedAt
	// The index points into the answer, which is not changed once given,
	// instead of copying its requests and causes (a third of check's
	// memory at 10,000 governed policies).
	blocked := w.Blocked(principal)
	for i := range blocked {
		b := &blocked[i]
		targets = targets[:0] // found on the first cause that needs them
		asked, numbered := false, false
		for j := range b.Causes {
			c := &b.Causes[j]
			code := reportedCode(w, *c)
			if code == implicitDenyCode {
				continue // no check reports it
			}
			var at *analysis.File
			if c.Located {
				at = docs[docKey{c.Place.Path, c.Place.Doc}]
			}
			if at == nil || at.Kind != analysis.KindIdentity || at.Facts == nil || at.Facts.Principal != principal {
				// An element of a document that is not the principal's
				// identity policy: the document reports it, and the
				// principal's identity policies that ask for the request.
				if !asked {
					targets, asked = asks.of(b.Action, b.Resource, targets), true
				}
				if c.Located {
					if !numbered {
						ix.numberPlaces(len(blocked), i, b, targets, placeID)
						numbered = true
					}
					addHere(ix, hereAt, docCode{c.Place.Path, c.Place.Doc, code}, principal, i, b, c)
				}
				for _, t := range targets {
					addGroup(ix, groups, docCode{t.policy.Path, t.policy.DocName, code}, t.span, false, i, b, c)
				}
				continue
			}
			// A cause in one of the principal's identity policies is that
			// policy's to report: the single-file check reports all but
			// the bucket it lacks, which only the workspace shows.
			if code == missingBucketCode && at.Policy != nil && at.Policy.Statement != nil {
				addGroup(ix, groups, docCode{at.Path, at.DocName, code}, at.Policy.Statement.KeySpan, true, i, b, c)
			}
		}
	}
	ix.places = len(placeIDs)
	return ix
}

// numberPlaces records, for request i of the n of the answer, the first
// element of the principal's identity policies that asks for it and the
// numbers of that place and of the grant's.
func (ix *causeIndex) numberPlaces(n, i int, b *analysis.BlockedRequest, asked []askedAt, placeID func(analysis.Place) int32) {
	if ix.asked == nil {
		ix.asked, ix.askPlace, ix.grantPlace = make([]askedAt, n), make([]int32, n), make([]int32, n)
	}
	ix.askPlace[i] = -1
	if len(asked) > 0 {
		a := asked[0]
		ix.asked[i] = a
		ix.askPlace[i] = placeID(analysis.Place{Path: a.policy.Path, Doc: a.policy.DocName, Span: a.span})
	}
	ix.grantPlace[i] = placeID(b.Grant)
}

// addHere adds request i to the element of a document that blocks it.
func addHere(ix *causeIndex, at map[docCode]map[analysis.Span]*blockedHere, k docCode, principal string, i int, b *analysis.BlockedRequest, c *analysis.Cause) {
	byPlace := at[k]
	if byPlace == nil {
		byPlace = map[analysis.Span]*blockedHere{}
		at[k] = byPlace
	}
	h := byPlace[c.Place.Span]
	if h == nil {
		h = &blockedHere{principal: principal, place: c.Place.Span, ix: ix}
		byPlace[c.Place.Span] = h
		ix.here[k] = append(ix.here[k], h)
	}
	h.requests = append(h.requests, b)
	h.causes = append(h.causes, c)
	h.at = append(h.at, int32(i))
}

// addGroup counts request i, blocked by c, in its group of the identity
// policy's document k at span.
func addGroup(ix *causeIndex, groups map[docCode]map[groupKey]*causeGroup, k docCode, span analysis.Span, inThisFile bool, i int, b *analysis.BlockedRequest, c *analysis.Cause) {
	byKey := groups[k]
	if byKey == nil {
		byKey = map[groupKey]*causeGroup{}
		groups[k] = byKey
	}
	gk := groupKey{span, c.Located, inThisFile, b.Conditional}
	g := byKey[gk]
	if g == nil {
		g = &causeGroup{span: span, first: *b, cause: *c, inThisFile: inThisFile, conditional: b.Conditional, last: -1}
		byKey[gk] = g
		ix.identity[k] = append(ix.identity[k], g)
	}
	if c.Located && !inThisFile && c.Place != g.cause.Place {
		g.addOther(b, c)
	}
	if g.last == i {
		return // a second cause of the same code
	}
	g.last = i
	g.count++
	g.keepNearest(k.path, b)
}

// addOther counts a cause of request b at another place than the
// group's first.
func (g *causeGroup) addOther(b *analysis.BlockedRequest, c *analysis.Cause) {
	if g.places == nil {
		g.places, g.otherDocs = map[analysis.Place]bool{}, map[docKey]bool{}
	}
	if g.places[c.Place] {
		return
	}
	g.places[c.Place] = true
	if len(g.others) < analysis.MaxRelated {
		g.others, g.othersOf = append(g.others, c), append(g.othersOf, b)
	}
	if d := (docKey{c.Place.Path, c.Place.Doc}); d != (docKey{g.cause.Place.Path, g.cause.Place.Doc}) {
		g.otherDocs[d] = true
	}
}

// keepNearest keeps the request among the group's nearest grants to the
// identity policy at path: at most MaxRelated, the nearest first, and of
// two as near the first met; a grant of the same request at the same
// place (which would say the same) is not kept twice.
func (g *causeGroup) keepNearest(path string, b *analysis.BlockedRequest) {
	for _, n := range g.nearest {
		if n.Grant == b.Grant && n.Action == b.Action && n.Resource == b.Resource && n.GrantedTo == b.GrantedTo {
			return
		}
	}
	d := folderDistance(path, b.Grant.Path)
	i := len(g.nearest)
	for i > 0 && folderDistance(path, g.nearest[i-1].Grant.Path) > d {
		i--
	}
	if i >= analysis.MaxRelated {
		return
	}
	if len(g.nearest) < analysis.MaxRelated {
		g.nearest = append(g.nearest, nil)
	}
	copy(g.nearest[i+1:], g.nearest[i:])
	g.nearest[i] = b
}

// folderDistance is how far the file at to lies from the file at from,
// as the related list orders places (analysis.boundRelated counts the
// folders of the relative path): 0 in the same file, 1 in the same
// folder, one more for each folder up and down; without building the
// relative path. Paths are slash-separated (analysis.File.Path).
func folderDistance(from, to string) int {
	if from == to {
		return 0
	}
	a, b := path.Dir(from), path.Dir(to)
	common := 0 // the length of the folders both lie in, with their slash
	for i := 0; i <= len(a) && i <= len(b); i++ {
		ca, cb := slashAt(a, i), slashAt(b, i)
		if ca != cb {
			break
		}
		if ca == '/' {
			common = i + 1
		}
	}
	return 1 + foldersAfter(a, common) + foldersAfter(b, common)
}

// slashAt is the byte at i, a slash at the end of the string.
func slashAt(s string, i int) byte {
	if i == len(s) {
		return '/'
	}
	return s[i]
}

// foldersAfter counts the folders of dir after its first n bytes.
func foldersAfter(dir string, n int) int {
	if n > len(dir) {
		return 0
	}
	return strings.Count(dir[n:], "/") + 1
}

// principalAsks indexes a principal's identity policies by the bucket of
// their Allow statements' Resource entries: a statement whose resources
// name no literal bucket (a wildcard, "*", NotResource) is on a short
// list every request looks at.
type principalAsks struct {
	policies []*analysis.File // in the workspace's order
	byBucket map[string][]askingStatement
	wild     []askingStatement
}

// askingStatement is an Allow statement of the principal's policy n,
// with its Action and Resource lists, read once when the index is built.
type askingStatement struct {
	n                      int
	st                     *analysis.Statement
	actions, resources     []*analysis.Value
	notAction, notResource []*analysis.Value
}

// askedAt is an element of an identity policy that asks for a request.
type askedAt struct {
	policy *analysis.File
	span   analysis.Span
}

// FirstIdentityPolicy is the principal's identity policy that reports
// the requests none of its policies asks for: its first in the
// workspace's order that has statements, or nil.
func FirstIdentityPolicy(w analysis.Workspace, principal string) *analysis.File {
	if a := asksOf(w, principal); len(a.policies) > 0 {
		return a.policies[0]
	}
	return nil
}

// asksOf indexes the principal's identity policies, once per workspace.
func asksOf(w analysis.Workspace, principal string) *principalAsks {
	return memoized(w, "checks: asks\x00"+principal, func() *principalAsks {
		a := &principalAsks{byBucket: map[string][]askingStatement{}}
		for _, f := range w.PolicyFiles() {
			if f.Kind != analysis.KindIdentity || f.Facts == nil || f.Facts.Principal != principal || f.Policy == nil || f.Policy.Statement == nil {
				continue
			}
			n := len(a.policies)
			a.policies = append(a.policies, f)
			for _, st := range f.Policy.Statements {
				if st.IsAllow() {
					a.add(askingStatement{n: n, st: st, actions: st.Actions(), resources: st.Resources(),
						notAction: analysis.Strings(st.NotAction), notResource: analysis.Strings(st.NotResource)})
				}
			}
		}
		return a
	})
}

func (a *principalAsks) add(s askingStatement) {
	if s.st.NotResource == nil && !slices.ContainsFunc(s.resources, func(r *analysis.Value) bool { return mayMatchS3(r.Str) }) {
		// Its resources are another service's (a KMS key): it asks for
		// no S3 request, and on the short list every request looks at, a
		// key statement in each of a principal's thousand policies made
		// the index quadratic in the folder.
		return
	}
	var buckets []string
	for _, r := range s.resources {
		name, _, ok := s3BucketOf(r.Str)
		if !ok || hasWildcard(name) || strings.Contains(name, "${") {
			a.wild = append(a.wild, s)
			return
		}
		if !slices.Contains(buckets, name) {
			buckets = append(buckets, name)
		}
	}
	if s.st.NotResource != nil {
		a.wild = append(a.wild, s)
		return
	}
	for _, b := range buckets {
		a.byBucket[b] = append(a.byBucket[b], s)
	}
}

// mayMatchS3 reports whether a Resource entry may match an S3 ARN: all
// but an ARN whose service is written out and is another one
// ("arn:aws:kms:*:*:key/*"), which no wildcard after it can turn into
// "s3".
func mayMatchS3(resource string) bool {
	fields := strings.SplitN(resource, ":", 4)
	return len(fields) < 4 || hasWildcard(fields[0]+fields[1]+fields[2]) || strings.EqualFold(fields[2], "s3")
}

// of appends to out the elements of the principal's identity policies
// that ask for the request, one per policy (its first Allow statement
// whose Action and Resource match, at the matching Action entry); when
// none does, the principal's first policy at the action that grants the
// request there, else its Statement.
func (a *principalAsks) of(action, resource string, out []askedAt) []askedAt {
	if len(a.policies) == 0 {
		return out
	}
	var literal []askingStatement
	if bucket, _, ok := s3BucketOf(resource); ok {
		literal = a.byBucket[bucket]
	}
	start := len(out)
	last := -1 // the policy that asked last: one element per policy
	i, j := 0, 0
	for i < len(literal) || j < len(a.wild) {
		// The two lists in the workspace's order, merged.
		var s askingStatement
		if j >= len(a.wild) || i < len(literal) && before(literal[i], a.wild[j]) {
			s, i = literal[i], i+1
		} else {
			s, j = a.wild[j], j+1
		}
		if s.n == last {
			continue
		}
		if span, ok := s.asksFor(action, resource); ok {
			out = append(out, askedAt{a.policies[s.n], span})
			last = s.n
		}
	}
	if len(out) > start {
		return out
	}
	p := a.policies[0]
	return append(out, askedAt{p, grantingAction(p.Policy, action, p.Policy.Statement.KeySpan)})
}

func before(x, y askingStatement) bool {
	return x.n < y.n || x.n == y.n && x.st.Index < y.st.Index
}

// asksFor reports whether the Allow statement allows the action on the
// resource, conditions aside (they may hold), and where: the Action entry
// that matches, else NotAction.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
func (s askingStatement) asksFor(action, resource string) (analysis.Span, bool) {
	var span analysis.Span
	switch {
	case s.st.Action != nil:
		i := slices.IndexFunc(s.actions, func(a *analysis.Value) bool { return analysis.MatchAction(a.Str, action) })
		if i < 0 {
			return span, false
		}
		span = s.actions[i].Span
	case s.st.NotAction != nil:
		if anyMatch(s.notAction, action) {
			return span, false
		}
		span = s.st.NotAction.KeySpan
	default:
		return span, false
	}
	matches := func(r *analysis.Value) bool { return analysis.MatchWildcard(r.Str, resource, false) }
	switch {
	case s.st.Resource != nil:
		return span, slices.ContainsFunc(s.resources, matches)
	case s.st.NotResource != nil:
		return span, !slices.ContainsFunc(s.notResource, matches)
	}
	return span, false
}
