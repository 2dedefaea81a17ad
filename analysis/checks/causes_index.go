package checks

import (
	"maps"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// The index of the workspace's causes: what each principal's blocked
// requests (Workspace.Blocked) say of each document, so that the pass of
// each file reads its own entries instead of scanning every principal's
// requests (issue 16). It is built in parts, each when a check first asks
// for it: which of the principal's identity policies ask for each request
// (causesOf), the groups of one identity policy (groupsOf), the elements
// of the other documents (hereOf). A keystroke that makes a principal's
// answer again analyses the open documents: an identity policy's groups
// take the requests it asks for, not the principal's thousand requests
// times their fifty causes. It renders no message: a group keeps its
// first request and cause and counts the rest; the pass that reports
// renders them.

// causeIndex is what one principal's blocked requests say, by document.
type causeIndex struct {
	principal string
	// The index points into the answer, which is not changed once given,
	// instead of copying its requests and causes (a third of check's
	// memory at 10,000 governed policies).
	blocked []analysis.BlockedRequest
	asks    *principalAsks  // the index of the principal's identity policies it was made with
	own     map[docKey]bool // the principal's identity policies (principalAsks.own)
	// asking holds, for each request of the answer, the elements of the
	// principal's identity policies that ask for it (principalAsks.of):
	// none for a request none of them asks for, which no check reports
	// (unasked).
	asking [][]askedAt
	// concerns lists, for each identity policy of the principal, the
	// requests it asks for or holds a cause of, in the answer's order:
	// the only ones its groups can take.
	concerns map[docKey][]int32

	identity lazyParts[map[string][]*causeGroup] // each policy's groups by code, built when its checks ask
	// ownPlaces knows, of the places the groups built so far met, those
	// in the principal's identity policies (own): by their addresses, the
	// engine's one copy of each (eval's sharedCauses), not hashing their
	// path and document again in each identity policy's groups (4,000 of
	// them at 10,000 governed policies). Replaced, not changed.
	ownPlaces atomic.Pointer[map[*analysis.Place]bool]
}

// lazyParts are parts of an index, one per document, each built once
// when first asked for, by any of the goroutines that analyse documents.
type lazyParts[T any] struct {
	mu    sync.Mutex
	parts map[docKey]*lazyPart[T]
}

type lazyPart[T any] struct {
	once  sync.Once
	value T
}

// of returns the part of document d, built by build when first asked.
func (l *lazyParts[T]) of(d docKey, build func() T) T {
	l.mu.Lock()
	if l.parts == nil {
		l.parts = map[docKey]*lazyPart[T]{}
	}
	p := l.parts[d]
	if p == nil {
		p = &lazyPart[T]{}
		l.parts[d] = p
	}
	l.mu.Unlock()
	p.once.Do(func() { p.value = build() })
	return p.value
}

// forget drops the part of document d, built or not: it is built again
// when next asked for. A goroutine building it meanwhile keeps its own.
func (l *lazyParts[T]) forget(d docKey) {
	l.mu.Lock()
	delete(l.parts, d)
	l.mu.Unlock()
}

// causesHereIndex is what one principal's blocked requests say of the
// elements of non-identity documents (and of the identity policies of
// other principals). It is begun with the documents each list of causes
// places a cause in (docs); the elements of a document are made when its
// checks ask (of), from the requests of those lists only.
type causesHereIndex struct {
	ix    *causeIndex
	docs  map[docKey][]causeIn // the causes reported in each document, a list's together
	codes []string             // the codes of the causes, by their number in causeIn
	// sameList chains the requests of each list of causes: the next
	// request of the answer with the same list, -1 for none.
	sameList []int32
	here     lazyParts[map[string][]*blockedHere]

	// Of each request of the answer that an element made blocks: the
	// numbers of the place of the first element of the principal's
	// identity policies that asks for it (ix.asking) and of the grant's,
	// which tell the places related to an element apart without hashing
	// them for each request (relatedHere); -1 for none. The documents'
	// parts number their requests under mu.
	mu         sync.Mutex
	askPlace   []int32
	grantPlace []int32 // -1 until the request is numbered
	placeIDs   map[analysis.Place]int32
	// And the numbers of its action and of its action and resource
	// together, which tell apart, without comparing strings for each
	// request, the actions of an element (reportBlockedHere) and what
	// the words of its causes say of it (causeDetails): an SCP's element
	// blocks 750 requests, and the 50 SCPs of an account each block the
	// same ones.
	actionNo   []int32
	requestNo  []int32
	actionIDs  map[string]int32
	requestIDs map[actionOn]int32
	// And of its resource, which tells the buckets and objects an SCP's
	// element blocks apart for its fix (exemptPrincipalFixes) without
	// sorting the 750 requests' resources.
	resourceNo  []int32
	resourceIDs map[string]int32
}

// actionOn is a request's action and resource.
type actionOn struct{ action, resource string }

// causeIn is a cause of a list of causes of the answer reported in a
// document: the first request the list blocks (sameList chains the
// others), the cause's position in the list, and its code.
type causeIn struct {
	first int32
	at    int32
	code  uint8 // its number in causesHereIndex.codes
}

// causeGroup is one finding of an identity policy: the requests of its
// principal that the causes of one code block and that the policy asks
// for at one element (or, for the bucket it lacks, at its Statement).
// The first cause names the finding; the others, at
// other places (the 50 SCPs of an account that deny the same uploads),
// are counted and the first few listed.
type causeGroup struct {
	span        analysis.Span            // the element of the identity policy
	first       *analysis.BlockedRequest // in the answer, as the index points to it
	cause       *analysis.Cause          // first's cause
	inThisFile  bool                     // the cause lies in this identity policy
	conditional bool
	count       int                        // requests, first included
	nearest     []*analysis.BlockedRequest // the requests whose grants are nearest, at most MaxRelated
	last        int                        // index of the last request counted, to count each once
	// The causes at other places than the first's: the first of them
	// (at most MaxRelated), and how many places and documents; the places
	// and documents themselves are told apart while the groups are made
	// (groupScratch), not kept with them.
	others    []*analysis.Cause
	othersOf  []*analysis.BlockedRequest // the request each of others blocks, whose words it says
	places    int
	otherDocs int
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

// causesOf is the index of the principal's causes, begun once per
// workspace: the identity policies that ask for each request.
func causesOf(w analysis.Workspace, principal string) *causeIndex {
	return memoized(w, causesKey+principal, func() *causeIndex { return buildCauses(w, principal, nil) })
}

// buildCauses makes the principal's index. The elements that ask for a
// request depend on its action and resource and on the principal's
// identity policies alone (principalAsks.of): those of a request of
// prev's index, the principal's index before a keystroke made its answer
// again (a bucket policy's: most requests are as they were), are taken
// over when the identity policies are the same (CarryMemos), or when the
// edited ones cannot ask for it (askingReuse.edited), not looked for
// again.
func buildCauses(w analysis.Workspace, principal string, prev *causeIndex) *causeIndex {
	asks := asksOf(w, principal)
	blocked := w.Blocked(principal)
	ix := &causeIndex{principal: principal, blocked: blocked, asks: asks, own: asks.own, asking: make([][]askedAt, len(blocked))}
	var reuse askingReuse
	if prev != nil && prev.asks == asks {
		reuse.prev = prev
	} else if prev != nil {
		reuse.prev, reuse.edited = prev, editedAsks(prev.asks, asks)
		if reuse.edited == nil {
			reuse.prev = nil
		}
	}
	concerns := concernsPlacings.get()
	defer concerns.release()
	var all []askedAt                  // one array for the elements of every request not taken over
	start := make([]int, len(blocked)) // where each request's are in all; -1 when taken over
	for i := range blocked {
		b := &blocked[i]
		asking, reused := reuse.of(b)
		if reused {
			ix.asking[i], start[i] = asking, -1
		} else {
			start[i] = len(all)
			all = asks.of(b.Action, b.Resource, all)
			asking = all[start[i]:]
		}
		for _, t := range asking { // one element per policy
			concerns.add(docKey{t.policy.Path, t.policy.DocName}, int32(i))
		}
		for j := range b.Causes {
			c := &b.Causes[j]
			if c.Code != missingBucketCode || !c.Located {
				continue
			}
			at := docKey{c.Place.Path, c.Place.Doc}
			if ix.own[at] && !concernedAlready(at, asking, b.Causes[:j]) {
				concerns.add(at, int32(i))
			}
		}
	}
	ix.concerns = concerns.byDocument()
	// Each request's elements, sliced once the array no longer moves.
	end := len(all)
	for i := len(blocked) - 1; i >= 0; i-- {
		if start[i] >= 0 {
			ix.asking[i] = all[start[i]:end:end]
			end = start[i]
		}
	}
	return ix
}

// unasked reports whether the principal has identity policies and none
// of them asks for the request: no Allow of theirs matches its action and
// resource. Its principal's own policies stop it (explain: blocked by
// identity, when no explicit Deny answers first), and a policy that does
// not ask for a request is no fault: no check of another layer reports
// it, nor widens that layer to it. A bucket missing from an identity
// policy that allows the action elsewhere is that policy's finding
// (missing-resource-arn), its place alone.
func (ix *causeIndex) unasked(i int) bool {
	return len(ix.asking[i]) == 0 && len(ix.asks.policies) > 0
}

// unaskedRequest is unasked for a check that reads the principal's
// answer itself.
func unaskedRequest(w analysis.Workspace, principal string, b *analysis.BlockedRequest) bool {
	a := asksOf(w, principal)
	return len(a.policies) > 0 && len(a.of(b.Action, b.Resource, nil)) == 0
}

// concernedAlready reports whether a request whose elements that ask for
// it are asking, and whose causes before this one are causes, concerns
// the identity policy at already.
func concernedAlready(at docKey, asking []askedAt, causes []analysis.Cause) bool {
	for _, t := range asking {
		if t.policy.Path == at.path && t.policy.DocName == at.doc {
			return true
		}
	}
	for j := range causes {
		if c := &causes[j]; c.Code == missingBucketCode && c.Located && c.Place.Path == at.path && c.Place.Doc == at.doc {
			return true
		}
	}
	return false
}

// askingReuse finds, for each request of a new answer in turn, the same
// request (action and resource) in the index before, whose elements that
// ask for it are the same: a keystroke drops and adds the entries of one
// bucket policy's grants, which come together, and keeps the others in
// their order, so it looks a few entries ahead of the last one found.
type askingReuse struct {
	prev *causeIndex
	next int // the entry of prev after the last one found
	// When prev was made with other versions of some of the identity
	// policies (an identity policy's keystroke), what they can ask for.
	edited *askEdit
}

// askEdit is what the identity policies a keystroke swapped can ask for
// now: the buckets their statements name. A request on another bucket
// is asked for by the same elements as before (none, for one that none
// asked for and none of the buckets names), but for one that the old
// version of a swapped policy asked for: those have the old version in
// their elements.
type askEdit struct {
	buckets map[string]bool
	old     map[*analysis.File]bool // the swapped policies' old versions
}

// editedAsks compares the principal's index of its identity policies
// before a keystroke with the one after: nil when they are not the same
// policies with statements, in the same order, or when a swapped one
// now has a statement on the list every request looks at (a wildcard
// bucket, NotResource), which may ask for any request.
func editedAsks(before, after *principalAsks) *askEdit {
	if len(before.policies) != len(after.policies) {
		return nil
	}
	e := &askEdit{buckets: map[string]bool{}, old: map[*analysis.File]bool{}}
	for n, old := range before.policies {
		now := after.policies[n]
		if old == now {
			continue
		}
		if old.Path != now.Path || old.DocName != now.DocName {
			return nil
		}
		for _, s := range statementsAsking(now.Policy) {
			if s.wild {
				return nil
			}
			for _, b := range s.buckets {
				e.buckets[b] = true
			}
		}
		e.old[old] = true
	}
	return e
}

// unchangedBy reports whether the elements that ask for a request,
// asking before the edit, are the same after it.
func (e *askEdit) unchangedBy(b *analysis.BlockedRequest, asking []askedAt) bool {
	if bucket, _, ok := s3BucketOf(b.Resource); ok && e.buckets[bucket] {
		return false
	}
	return !slices.ContainsFunc(asking, func(t askedAt) bool { return e.old[t.policy] })
}

// lookAhead is how many entries of the index before are looked at for
// a request: past the entries a keystroke dropped (one bucket policy's
// grants to the principal), a request not found is looked for again.
const lookAhead = 64

func (r *askingReuse) of(b *analysis.BlockedRequest) ([]askedAt, bool) {
	if r.prev == nil {
		return nil, false
	}
	old := r.prev.blocked
	for k := r.next; k < len(old) && k < r.next+lookAhead; k++ {
		if old[k].Action == b.Action && old[k].Resource == b.Resource {
			r.next = k + 1
			if asking := r.prev.asking[k]; r.edited == nil || r.edited.unchangedBy(b, asking) {
				return asking, true
			}
			return nil, false
		}
	}
	return nil, false
}

// isIdentityOf reports whether f is one of the principal's identity
// policies.
func isIdentityOf(f *analysis.File, principal string) bool {
	return f != nil && f.Kind == analysis.KindIdentity && f.Facts != nil && f.Facts.Principal == principal
}

// groupsOf returns the groups of the principal's identity policy id, by
// code, built when its checks first ask: of the requests it concerns,
// those that an element outside the principal's identity policies blocks
// and that it asks for, and those whose bucket it lacks (a cause in it).
func (ix *causeIndex) groupsOf(w analysis.Workspace, f *analysis.File) map[string][]*causeGroup {
	return ix.identity.of(docKey{f.Path, f.DocName}, func() map[string][]*causeGroup { return ix.buildGroups(w, f) })
}

func (ix *causeIndex) buildGroups(w analysis.Workspace, f *analysis.File) map[string][]*causeGroup {
	id := docKey{f.Path, f.DocName}
	out := map[string][]*causeGroup{}
	byKey := map[string]map[groupKey]*causeGroup{}
	groupOf := func(code string, span analysis.Span, inThisFile bool, b *analysis.BlockedRequest, c *analysis.Cause) *causeGroup {
		groups := byKey[code]
		if groups == nil {
			groups = map[groupKey]*causeGroup{}
			byKey[code] = groups
		}
		gk := groupKey{span, c.Located, inThisFile, b.Conditional}
		g := groups[gk]
		if g == nil {
			g = &causeGroup{span: span, first: b, cause: c, inThisFile: inThisFile, conditional: b.Conditional, last: -1}
			groups[gk] = g
			out[code] = append(out[code], g)
		}
		return g
	}
	decided := newDecidedLists()
	defer decided.release()
	seen := newGroupScratch()
	defer seen.release()
	if known := ix.ownPlaces.Load(); known != nil {
		seen.known = *known
	}
	defer ix.learnOwn(seen)
	for _, i := range ix.concerns[id] {
		b := &ix.blocked[i]
		var asks *askedAt // this policy's element that asks for the request
		for n := range ix.asking[i] {
			if t := &ix.asking[i][n]; t.policy.Path == id.path && t.policy.DocName == id.doc {
				asks = t // one element per policy
				break
			}
		}
		decisions, same := decided.of(b.Causes)
		for j := range b.Causes {
			c, d := &b.Causes[j], &decisions[j]
			if !same {
				code := reportedCode(w, *c)
				*d = groupDecision{code: code, where: ix.whereReported(seen, code, c, id, f)}
			}
			var span analysis.Span
			switch {
			case d.where == elsewhere && asks != nil:
				span = asks.span
			case d.where == atStatement:
				span = f.Policy.Statement.KeySpan
			default:
				d.group = nil
				continue
			}
			// The cause, of a request before with the same list, went to
			// the group this request falls in too: its place is counted
			// there.
			counted := same && d.group != nil && d.group.span == span && d.group.conditional == b.Conditional
			if !counted {
				d.group = groupOf(d.code, span, d.where == atStatement, b, c)
			}
			d.group.add(seen, id.path, int(i), b, c, counted)
		}
	}
	return out
}

// groupDecision is what a cause of a request says to an identity policy:
// its code, whether and where the policy reports it, and the group it
// went to.
type groupDecision struct {
	code  string
	where reportedWhere
	group *causeGroup
}

// reportedWhere says where an identity policy reports a cause.
type reportedWhere int8

const (
	notReported reportedWhere = iota
	elsewhere                 // another document blocks: at the element that asks for the request
	atStatement               // the bucket the policy lacks: at its Statement
)

// whereReported says where the principal's identity policy f (id)
// reports a cause of the code.
func (ix *causeIndex) whereReported(seen *groupScratch, code string, c *analysis.Cause, id docKey, f *analysis.File) reportedWhere {
	switch {
	case code == implicitDenyCode:
		return notReported // no check reports it
	case !c.Located || !seen.own(ix, c.Place):
		// An element of a document that is not the principal's identity
		// policy: the document reports it, and the principal's identity
		// policies that ask for the request.
		return elsewhere
	case code == missingBucketCode && (docKey{c.Place.Path, c.Place.Doc}) == id && f.Policy != nil && f.Policy.Statement != nil:
		// A cause in one of the principal's identity policies is that
		// policy's to report: the single-file check reports all but the
		// bucket it lacks, which only the workspace shows.
		return atStatement
	}
	return notReported
}

// decidedLists keeps what was decided of each cause of a list of causes.
// The engine gives the requests blocked alike one list (the fifty SCPs
// of an account that deny each of its uploads: eval's sharedCauses), not
// changed once given, and what is decided of a cause depends on the cause
// alone: a list met again is taken by its address, without hashing the
// places of its causes again. It lives while one policy's groups are
// made; its arrays are reused by the next (decidedPool): made anew they
// were a third of what an identity policy's keystroke allocated in the
// checks.
type decidedLists struct {
	lists     map[*analysis.Cause]decidedRange
	decisions []groupDecision // every list's, one after the other
}

// decidedRange is where a list's decisions lie in decidedLists.decisions.
type decidedRange struct{ at, n int32 }

var decidedPool = sync.Pool{New: func() any { return &decidedLists{lists: map[*analysis.Cause]decidedRange{}} }}

func newDecidedLists() *decidedLists { return decidedPool.Get().(*decidedLists) }

// release empties d, which must not keep the groups and causes it
// pointed to, and gives it back.
func (d *decidedLists) release() {
	clear(d.lists)
	clear(d.decisions)
	d.decisions = d.decisions[:0]
	decidedPool.Put(d)
}

// of returns where to keep what is decided of each of the causes, and
// whether it holds what was decided of them already. The slice is valid
// until the next call.
func (d *decidedLists) of(causes []analysis.Cause) (decided []groupDecision, known bool) {
	if len(causes) == 0 {
		return nil, true
	}
	if r, ok := d.lists[&causes[0]]; ok && int(r.n) == len(causes) {
		return d.decisions[r.at : r.at+r.n], true
	}
	at := len(d.decisions)
	d.decisions = slices.Grow(d.decisions, len(causes))[:at+len(causes)]
	d.lists[&causes[0]] = decidedRange{int32(at), int32(len(causes))}
	return d.decisions[at:], false
}

// hereOf is what the principal's blocked requests say of the elements of
// the documents that are not its identity policies, begun once per
// workspace: the documents each list of causes places a cause in.
func hereOf(w analysis.Workspace, principal string) *causesHereIndex {
	return memoized(w, causesHereKey+principal, func() *causesHereIndex { return causesOf(w, principal).buildHere(w) })
}

// buildHere decides each list of causes of the answer once (the engine
// gives the requests blocked alike one list): which of its causes are
// reported in which document, under which code. The causes of every
// document lie in one array, each document's together, made once their
// number is known: appended document by document they took three times
// their size, on each keystroke that makes a principal's answer again.
func (ix *causeIndex) buildHere(w analysis.Workspace) *causesHereIndex {
	h := &causesHereIndex{ix: ix, sameList: make([]int32, len(ix.blocked))}
	p := causesPlacings.get()
	defer p.release()
	last := lastOfLists.Get().(map[causeList]int32) // the last request of each list so far; -1 for a list reported nowhere
	defer func() {
		clear(last)
		lastOfLists.Put(last)
	}()
	for i := range ix.blocked {
		b := &ix.blocked[i]
		h.sameList[i] = -1
		if len(b.Causes) == 0 || ix.unasked(i) {
			continue
		}
		k := causeList{&b.Causes[0], len(b.Causes)}
		prev, known := last[k]
		switch {
		case !known && h.placeList(w, p, int32(i), b.Causes):
			last[k] = int32(i)
		case !known:
			last[k] = -1
		case prev >= 0:
			h.sameList[prev] = int32(i)
			last[k] = int32(i)
		}
	}
	h.docs = p.byDocument()
	return h
}

// causeList is a list of causes of the answer, which the requests blocked
// alike share.
type causeList struct {
	first *analysis.Cause
	n     int
}

// lastOfLists keeps buildHere's maps of the lists to their last request
// for reuse: made anew, they were an eighth of what a keystroke's
// index of a principal's causes here allocated.
var lastOfLists = sync.Pool{New: func() any { return map[causeList]int32{} }}

// placeList records, for the document of each of the causes of the list
// (whose first request is first) reported there, the cause, and reports
// whether there are any.
func (h *causesHereIndex) placeList(w analysis.Workspace, p *placing[causeIn], first int32, causes []analysis.Cause) bool {
	reported := false
	for j := range causes {
		c := &causes[j]
		if !c.Located {
			continue
		}
		code := reportedCode(w, *c)
		d := docKey{c.Place.Path, c.Place.Doc}
		if code == implicitDenyCode || h.ix.own[d] {
			continue // no check reports it, or the principal's identity policy does
		}
		p.add(d, causeIn{first: first, at: int32(j), code: h.codeNumber(code)})
		reported = true
	}
	return reported
}

// codeNumber numbers a check's code in the index (causeIn.code): a
// principal's causes have a handful of codes, and there are fewer checks
// than a uint8 counts (TestCauseCodesFitTheirNumber).
func (h *causesHereIndex) codeNumber(code string) uint8 {
	i := slices.Index(h.codes, code)
	if i < 0 {
		i = len(h.codes)
		h.codes = append(h.codes, code)
	}
	return uint8(i)
}

// placing gathers what is recorded of each document (the causes
// reported there, the requests an identity policy concerns), in the
// order it is recorded, before it is laid out in one array, each
// document's together (byDocument): appended document by document, the
// lists took about three times their size. Its own lists are reused from
// one index to the next (a placingPool).
type placing[T any] struct {
	docs   map[docKey]int32 // each document's number
	keys   []docKey         // the documents, by number
	counts []int32          // the entries of each document
	placed []placed[T]
	pool   *placingPool[T]
}

type placed[T any] struct {
	doc int32
	v   T
}

// placingPool keeps placings for reuse.
type placingPool[T any] struct{ sync.Pool }

var (
	causesPlacings   placingPool[causeIn]
	concernsPlacings placingPool[int32]
)

func (pp *placingPool[T]) get() *placing[T] {
	if p, ok := pp.Get().(*placing[T]); ok {
		return p
	}
	return &placing[T]{docs: map[docKey]int32{}, pool: pp}
}

// release empties p, which must not keep the documents' names, and gives
// it back.
func (p *placing[T]) release() {
	clear(p.docs)
	clear(p.keys)
	p.keys, p.counts, p.placed = p.keys[:0], p.counts[:0], p.placed[:0]
	p.pool.Put(p)
}

// add records v in document d.
func (p *placing[T]) add(d docKey, v T) {
	n, ok := p.docs[d]
	if !ok {
		n = int32(len(p.keys))
		p.docs[d] = n
		p.keys, p.counts = append(p.keys, d), append(p.counts, 0)
	}
	p.counts[n]++
	p.placed = append(p.placed, placed[T]{n, v})
}

// byDocument lays what was recorded out in one array, each document's
// together in the order it was recorded, and returns each document's.
func (p *placing[T]) byDocument() map[docKey][]T {
	out := make(map[docKey][]T, len(p.keys))
	all := make([]T, len(p.placed))
	next := p.counts // each document's count becomes where its entries go next
	at := int32(0)
	for n, count := range p.counts {
		out[p.keys[n]] = all[at : at+count : at+count]
		next[n] = at
		at += count
	}
	for _, e := range p.placed {
		all[next[e.doc]] = e.v
		next[e.doc]++
	}
	return out
}

// of returns the elements of document d that the principal's requests
// are blocked at, by code, made when its checks first ask.
func (h *causesHereIndex) of(d docKey) map[string][]*blockedHere {
	if len(h.docs[d]) == 0 {
		return nil
	}
	return h.here.of(d, func() map[string][]*blockedHere { return h.buildDoc(d) })
}

// buildDoc makes the elements of document d: the requests of the lists
// that place a cause in it, in the answer's order, each added to the
// element of each of its causes there, as a pass over the whole answer
// would.
func (h *causesHereIndex) buildDoc(d docKey) map[string][]*blockedHere {
	// Each request, with the list of its causes here, as its place in the
	// answer and the list's number in one number (inList): sorted as
	// numbers, without a comparison function (an SCP's causes here are of
	// 750 requests, and each of the fifty SCPs of an account sorts them).
	scratch := docScratches.Get().(*docScratch)
	defer scratch.release()
	keys, lists := scratch.keys, scratch.lists // a request has one list: once each
	causes := h.docs[d]
	for len(causes) > 0 {
		n := 1 // the list's causes here
		for n < len(causes) && causes[n].first == causes[0].first {
			n++
		}
		for i := causes[0].first; i >= 0; i = h.sameList[i] {
			keys = append(keys, inList(i, len(lists)))
		}
		lists = append(lists, causes[:n])
		causes = causes[n:]
	}
	scratch.keys, scratch.lists = keys, lists
	slices.Sort(keys)
	places := h.numberPlaces(keys)
	type codeSpan struct {
		code uint8 // its number in h.codes
		span analysis.Span
	}
	// The elements, made in two rounds: the first counts each one's
	// requests, the second fills the arrays, each element's cut from one
	// of the document's to its size (appended request by request they
	// took twice their size, and a copy for each doubling).
	elements := map[codeSpan]*blockedHere{}
	var order []*blockedHere // the elements in the order they are met
	var last *blockedHere    // the element of the cause before, most often this one's too
	var lastAt codeSpan
	elementOf := func(in causeIn, c *analysis.Cause) *blockedHere {
		at := codeSpan{in.code, c.Place.Span}
		if last != nil && at == lastAt {
			return last
		}
		e := elements[at]
		if e == nil {
			e = &blockedHere{principal: h.ix.principal, place: c.Place.Span, ix: h, places: places, code: in.code}
			elements[at] = e
			order = append(order, e)
		}
		last, lastAt = e, at
		return e
	}
	total := 0
	for _, k := range keys {
		i, list := k>>32, lists[uint32(k)]
		for _, in := range list {
			elementOf(in, &h.ix.blocked[i].Causes[in.at]).size++
		}
		total += len(list)
	}
	requests, causesOf, at := make([]*analysis.BlockedRequest, 0, total), make([]*analysis.Cause, 0, total), make([]int32, 0, total)
	out := map[string][]*blockedHere{}
	for _, e := range order {
		requests, causesOf, at = cutTo(e, requests, causesOf, at)
		out[h.codes[e.code]] = append(out[h.codes[e.code]], e)
	}
	for _, k := range keys {
		i := int32(k >> 32)
		b := &h.ix.blocked[i]
		for _, in := range lists[uint32(k)] {
			c := &b.Causes[in.at]
			elementOf(in, c).add(int(i), b, c)
		}
	}
	return out
}

// docScratch holds buildDoc's requests and lists while it makes a
// document's elements, reused from one document to the next: made anew
// they were a tenth of the bytes the workspace causes of a first scan
// allocated.
type docScratch struct {
	keys  []uint64
	lists [][]causeIn
}

var docScratches = sync.Pool{New: func() any { return new(docScratch) }}

// release empties s, which must not keep the lists of the index, and
// gives it back.
func (s *docScratch) release() {
	clear(s.lists)
	s.keys, s.lists = s.keys[:0], s.lists[:0]
	docScratches.Put(s)
}

// inList is request i of the answer, whose list of causes here is the
// n-th, in one number: sorted, the requests are in the answer's order.
func inList(i int32, n int) uint64 { return uint64(i)<<32 | uint64(n) }

// cutTo gives element e the first e.size entries of each array, empty
// and to be filled, and returns the rest.
func cutTo(e *blockedHere, requests []*analysis.BlockedRequest, causes []*analysis.Cause, at []int32) ([]*analysis.BlockedRequest, []*analysis.Cause, []int32) {
	n := e.size
	e.requests, e.causes, e.at = requests[:0:n], causes[:0:n], at[:0:n]
	return requests[n:n:cap(requests)], causes[n:n:cap(causes)], at[n:n:cap(at)]
}

// numberPlaces records, for each of the requests (inList) not numbered
// yet, the number of the place of the first element of the principal's identity
// policies that asks for it and of the grant's; it returns how many
// places are numbered, all of these requests' among them.
func (h *causesHereIndex) numberPlaces(requests []uint64) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.grantPlace == nil {
		n := len(h.ix.blocked)
		h.askPlace, h.grantPlace = make([]int32, n), make([]int32, n)
		for i := range h.grantPlace {
			h.grantPlace[i] = -1
		}
		h.placeIDs = map[analysis.Place]int32{}
		h.actionNo, h.requestNo, h.resourceNo = make([]int32, n), make([]int32, n), make([]int32, n)
		h.actionIDs, h.requestIDs, h.resourceIDs = map[string]int32{}, map[actionOn]int32{}, map[string]int32{}
	}
	placeID := func(p analysis.Place) int32 { return numberOf(h.placeIDs, p) }
	for _, r := range requests {
		i := int32(r >> 32) // inList
		if h.grantPlace[i] >= 0 {
			continue
		}
		h.askPlace[i] = -1
		if asked := h.ix.asking[i]; len(asked) > 0 {
			a := asked[0]
			h.askPlace[i] = placeID(analysis.Place{Path: a.policy.Path, Doc: a.policy.DocName, Span: a.span})
		}
		b := &h.ix.blocked[i]
		h.grantPlace[i] = placeID(b.Grant)
		h.actionNo[i] = numberOf(h.actionIDs, b.Action)
		h.requestNo[i] = numberOf(h.requestIDs, actionOn{b.Action, b.Resource})
		h.resourceNo[i] = numberOf(h.resourceIDs, b.Resource)
	}
	return len(h.placeIDs)
}

// numberOf is k's number in ids, the next one when it has none yet.
func numberOf[K comparable](ids map[K]int32, k K) int32 {
	id, ok := ids[k]
	if !ok {
		id = int32(len(ids))
		ids[k] = id
	}
	return id
}

// add adds request i, blocked by c, to the element.
func (e *blockedHere) add(i int, b *analysis.BlockedRequest, c *analysis.Cause) {
	e.requests = append(e.requests, b)
	e.causes = append(e.causes, c)
	e.at = append(e.at, int32(i))
}

// add counts request i, blocked by c, in the group of an identity policy
// (at path); counted is true when c's place is counted there already.
func (g *causeGroup) add(seen *groupScratch, path string, i int, b *analysis.BlockedRequest, c *analysis.Cause, counted bool) {
	if !counted && c.Located && !g.inThisFile && *c.Place != *g.cause.Place {
		g.addOther(seen, b, c)
	}
	if g.last == i {
		return // a second cause of the same code
	}
	g.last = i
	g.count++
	g.keepNearest(seen, path, b)
}

// addOther counts a cause of request b at another place than the
// group's first.
func (g *causeGroup) addOther(seen *groupScratch, b *analysis.BlockedRequest, c *analysis.Cause) {
	if !seen.place(g, c.Place) {
		return
	}
	g.places++
	if len(g.others) < analysis.MaxRelated {
		g.others, g.othersOf = append(g.others, c), append(g.othersOf, b)
	}
	if d := (docKey{c.Place.Path, c.Place.Doc}); d != (docKey{g.cause.Place.Path, g.cause.Place.Doc}) && seen.doc(g, d) {
		g.otherDocs++
	}
}

// groupScratch is what the groups of an identity policy are made with:
// the places and documents of the causes counted in each group, and how
// far each grant's file lies from the policy. A map of each in each
// group took more room than the rest of the group (13 MB of check's
// memory at 10,000 governed policies, with the copies of the first
// request and cause the group now points to). Its maps are reused from
// one policy's groups to the next.
type groupScratch struct {
	places    map[groupPlace]struct{}
	docs      map[groupDoc]struct{}
	distances map[string]int // folderDistance from the policy, by the grant's path
	// The places by number: the engine's causes point at one copy of
	// each place (eval's sharedCauses), whose number is found by its
	// address, the place hashed once for each copy met.
	placeAt  map[*analysis.Place]int32
	placeNos map[analysis.Place]int32
	ownAt    map[*analysis.Place]bool // whether a place lies in one of the principal's identity policies, found while the groups are made
	known    map[*analysis.Place]bool // and as found before (causeIndex.ownPlaces)
}

type groupPlace struct {
	g *causeGroup
	p int32 // the place's number
}

type groupDoc struct {
	g *causeGroup
	d docKey
}

var groupScratches = sync.Pool{New: func() any {
	return &groupScratch{places: map[groupPlace]struct{}{}, docs: map[groupDoc]struct{}{}, distances: map[string]int{},
		placeAt: map[*analysis.Place]int32{}, placeNos: map[analysis.Place]int32{}, ownAt: map[*analysis.Place]bool{}}
}}

func newGroupScratch() *groupScratch { return groupScratches.Get().(*groupScratch) }

// release empties o, which must not keep the groups, and gives it back.
func (o *groupScratch) release() {
	clear(o.places)
	clear(o.docs)
	clear(o.distances)
	clear(o.placeAt)
	clear(o.placeNos)
	clear(o.ownAt)
	o.known = nil
	groupScratches.Put(o)
}

// learnOwn adds to ownPlaces what the groups made with seen found.
func (ix *causeIndex) learnOwn(seen *groupScratch) {
	if len(seen.ownAt) == 0 {
		return
	}
	for {
		old := ix.ownPlaces.Load()
		var known map[*analysis.Place]bool
		if old != nil {
			known = maps.Clone(*old)
		}
		if known == nil {
			known = make(map[*analysis.Place]bool, len(seen.ownAt))
		}
		maps.Copy(known, seen.ownAt)
		if ix.ownPlaces.CompareAndSwap(old, &known) {
			return
		}
	}
}

// own reports whether the place p points to lies in one of the identity
// policies of ix's principal (causeIndex.own), known by p's address once
// found: a cause's place is one of a few hundred copies, its document
// two strings to hash.
func (o *groupScratch) own(ix *causeIndex, p *analysis.Place) bool {
	if own, ok := o.known[p]; ok {
		return own
	}
	own, ok := o.ownAt[p]
	if !ok {
		own = ix.own[docKey{p.Path, p.Doc}]
		o.ownAt[p] = own
	}
	return own
}

// place reports whether p is a new place of group g's, and records it.
func (o *groupScratch) place(g *causeGroup, p *analysis.Place) bool {
	n, ok := o.placeAt[p]
	if !ok {
		n = numberOf(o.placeNos, *p)
		o.placeAt[p] = n
	}
	k := groupPlace{g, n}
	if _, ok := o.places[k]; ok {
		return false
	}
	o.places[k] = struct{}{}
	return true
}

// doc reports whether d is a new document of group g's, and records it.
func (o *groupScratch) doc(g *causeGroup, d docKey) bool {
	k := groupDoc{g, d}
	if _, ok := o.docs[k]; ok {
		return false
	}
	o.docs[k] = struct{}{}
	return true
}

// keepNearest keeps the request among the group's nearest grants to the
// identity policy at path: at most MaxRelated, the nearest first, and of
// two as near the first met; a grant of the same request at the same
// place (which would say the same) is not kept twice.
func (g *causeGroup) keepNearest(seen *groupScratch, path string, b *analysis.BlockedRequest) {
	d := seen.distance(path, b.Grant.Path)
	if len(g.nearest) == analysis.MaxRelated && seen.distance(path, g.nearest[len(g.nearest)-1].Grant.Path) <= d {
		return // no nearer than the last kept: most requests of a large group
	}
	for _, n := range g.nearest {
		if n.Grant == b.Grant && n.Action == b.Action && n.Resource == b.Resource && n.GrantedTo == b.GrantedTo {
			return
		}
	}
	i := len(g.nearest)
	for i > 0 && seen.distance(path, g.nearest[i-1].Grant.Path) > d {
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

// distance is folderDistance(path, to), path being the identity
// policy's whose groups are made: the grants of a principal's requests
// lie in a few bucket policies, measured once each.
func (o *groupScratch) distance(path, to string) int {
	d, ok := o.distances[to]
	if !ok {
		d = folderDistance(path, to)
		o.distances[to] = d
	}
	return d
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
	files    []*analysis.File // the principal's identity policies, in the workspace's order
	policies []*analysis.File // those with statements
	byBucket map[string][]askingStatement
	wild     []askingStatement
	// own holds every identity policy of the principal, those without
	// statements too: a cause there is the policy's to report.
	own map[docKey]bool
}

// askingStatement is an Allow statement of the principal's policy n.
type askingStatement struct {
	n int
	*statementAsks
}

// statementAsks is an Allow statement with its Action and Resource
// lists, read once per parsed policy (analysis.Policy.Derived): the
// server binds the same parsed policy to the workspace of each edit.
type statementAsks struct {
	st                     *analysis.Statement
	actions, resources     []*analysis.Value
	notAction, notResource []*analysis.Value
	wild                   bool     // on the list every request looks at
	buckets                []string // else the literal buckets its Resource names, each once
}

// askedAt is an element of an identity policy that asks for a request.
type askedAt struct {
	policy *analysis.File
	span   analysis.Span
}

// FirstIdentityPolicy is the principal's first identity policy in the
// workspace's order that has statements, or nil. It reported the
// requests none of its policies asks for, which no check reports now
// (causeIndex.unasked); the server still re-analyses it (lsp addAskers).
func FirstIdentityPolicy(w analysis.Workspace, principal string) *analysis.File {
	if a := asksOf(w, principal); len(a.policies) > 0 {
		return a.policies[0]
	}
	return nil
}

// asksOf indexes the principal's identity policies, once per workspace
// (a keystroke's workspace carries it over, or indexes the policies of
// the one before again with the edited one swapped in: CarryMemos).
func asksOf(w analysis.Workspace, principal string) *principalAsks {
	return memoized(w, asksKey+principal, func() *principalAsks {
		var files []*analysis.File
		for _, f := range w.PolicyFiles() {
			if isIdentityOf(f, principal) {
				files = append(files, f)
			}
		}
		return indexAsks(files)
	})
}

// indexAsks indexes a principal's identity policies, files.
func indexAsks(files []*analysis.File) *principalAsks {
	a := &principalAsks{files: files, byBucket: map[string][]askingStatement{}, own: map[docKey]bool{}}
	for _, f := range files {
		a.own[docKey{f.Path, f.DocName}] = true
		if f.Policy == nil || f.Policy.Statement == nil {
			continue
		}
		n := len(a.policies)
		a.policies = append(a.policies, f)
		for _, s := range statementsAsking(f.Policy) {
			if s.wild {
				a.wild = append(a.wild, askingStatement{n, s})
			}
			for _, b := range s.buckets {
				a.byBucket[b] = append(a.byBucket[b], askingStatement{n, s})
			}
		}
	}
	return a
}

type statementsAskingKey struct{}

// statementsAsking are the policy's Allow statements that may ask for an
// S3 request, once per parsed policy.
func statementsAsking(p *analysis.Policy) []*statementAsks {
	return p.Derived(statementsAskingKey{}, func(p *analysis.Policy) any {
		var out []*statementAsks
		for _, st := range p.Statements {
			if !st.IsAllow() {
				continue
			}
			s := &statementAsks{st: st, actions: st.Actions(), resources: st.Resources(),
				notAction: analysis.Strings(st.NotAction), notResource: analysis.Strings(st.NotResource)}
			if s.classify() {
				out = append(out, s)
			}
		}
		return out
	}).([]*statementAsks)
}

// classify finds whether the statement is on the list every request
// looks at or under the buckets it names; false when it asks for no S3
// request.
func (s *statementAsks) classify() bool {
	if s.st.NotResource == nil && !slices.ContainsFunc(s.resources, func(r *analysis.Value) bool { return mayMatchS3(r.Str) }) {
		// Its resources are another service's (a KMS key): it asks for
		// no S3 request, and on the short list every request looks at, a
		// key statement in each of a principal's thousand policies made
		// the index quadratic in the folder.
		return false
	}
	for _, r := range s.resources {
		name, _, ok := s3BucketOf(r.Str)
		if !ok || hasWildcard(name) || strings.Contains(name, "${") {
			s.wild, s.buckets = true, nil
			return true
		}
		if !slices.Contains(s.buckets, name) {
			s.buckets = append(s.buckets, name)
		}
	}
	if s.st.NotResource != nil {
		s.wild, s.buckets = true, nil
	}
	return true
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
// whose Action and Resource match, at the matching Action entry); none
// when none does (causeIndex.unasked).
func (a *principalAsks) of(action, resource string, out []askedAt) []askedAt {
	if len(a.policies) == 0 {
		return out
	}
	var literal []askingStatement
	if bucket, _, ok := s3BucketOf(resource); ok {
		literal = a.byBucket[bucket]
	}
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
	return out
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
