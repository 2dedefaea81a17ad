package eval

import (
	"maps"
	"slices"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// BlockedAfterEdit answers Blocked for a principal in w, a workspace made
// from prev by editing the bucket policies at the paths edited (one
// document each, before and after) and nothing else, after Reuse took
// over prev's evaluations but those of the requests stale (the
// principal's requests whose evaluations it dropped). It takes prev's
// answer over and makes again only the entries of the grants of the
// edited policies, instead of the principal's every grant: a keystroke in
// a bucket policy moves the places of its own grants and causes, and the
// evaluations of its bucket's requests, not those of the principal's
// other grants (issue 16; a principal's answer holds about a thousand
// requests at 5,000 governed policies).
//
// The answer is the one Blocked would give: the grants of the other
// bucket policies are as they were, and so are their evaluations (none of
// their requests is stale) and the places of their causes (none lies in
// an edited file). ok is false, and the caller asks Blocked, when that
// cannot be known so: prev has no answer for the principal, an edited
// path is not one bucket policy in both workspaces, a stale request is on
// a bucket another bucket policy that grants the principal names, or an
// entry of another grant has a cause in an edited file. same is true when
// the answer is prev's own: nothing of it was made again.
func (w *Workspace) BlockedAfterEdit(prev *Workspace, principal string, edited map[string]bool, stale []Request) (out []analysis.BlockedRequest, same, ok bool) {
	old, answered := prev.Answered(principal)
	c := newCaller(principal)
	if !answered || c.account == "" || !slices.Contains(w.principals(), principal) || !slices.Contains(prev.principals(), principal) {
		return nil, false, false
	}
	// The edited documents, in the order Blocked lists grants (by file).
	var docs []*analysis.File
	for path := range edited {
		before, after := prev.bucketPolicyAt(path), w.bucketPolicyAt(path)
		if before == nil || after == nil {
			return nil, false, false
		}
		docs = append(docs, after)
	}
	slices.SortFunc(docs, func(a, b *analysis.File) int { return w.orderOf(a) - w.orderOf(b) })
	if w.staleElsewhere(c, edited, stale) {
		return nil, false, false
	}
	// Old entries of the other grants are kept, in order; each edited
	// document's entries are made again where its grants come in the
	// order of files.
	lastPlace, lastOrder := analysis.Place{Path: "\x00"}, -1 // entries of one file come together
	orderOf := func(b *analysis.BlockedRequest) int {
		if b.Grant.Path != lastPlace.Path || b.Grant.Doc != lastPlace.Doc {
			lastPlace, lastOrder = b.Grant, -1
			if f := w.byName(placeName(w, b.Grant)); f != nil {
				lastOrder = w.orderOf(f)
			}
		}
		return lastOrder
	}
	fresh := 0
	next := 0 // the next edited document to insert
	maker := w.entryMaker()
	defer maker.release()
	insertUpTo := func(order int) {
		for ; next < len(docs) && w.orderOf(docs[next]) < order; next++ {
			for _, g := range w.grants(docs[next], []string{principal}) {
				if e := w.evaluate(g.Request); e.result.Decision != Allowed {
					if b := maker.blockedRequest(g, e); len(b.Causes) > 0 {
						out = append(out, b)
						fresh++
					}
				}
			}
		}
	}
	dropped := 0
	out = make([]analysis.BlockedRequest, 0, len(old)+8) // about as many: appending from nothing made each answer three times over
	for i := range old {
		b := &old[i]
		if edited[b.Grant.Path] {
			dropped++
			continue
		}
		if slices.ContainsFunc(b.Causes, func(c analysis.Cause) bool { return c.Located && edited[c.Place.Path] }) {
			return nil, false, false
		}
		order := orderOf(b)
		if order < 0 {
			return nil, false, false
		}
		insertUpTo(order)
		out = append(out, *b)
	}
	insertUpTo(len(w.Files))
	if fresh == 0 && dropped == 0 {
		out = old // nothing was made again: prev's answer, as KeepAnswer would take it
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if kept, done := w.blocked[principal]; done {
		return kept, false, true // another caller answered first
	}
	if w.blocked == nil {
		w.blocked = map[string][]analysis.BlockedRequest{}
	}
	w.blocked[principal] = out
	return out, fresh == 0 && dropped == 0, true
}

// bucketPolicyAt returns the bucket policy of the file at path when it is
// the file's one document (not one a host file holds), else nil.
func (w *Workspace) bucketPolicyAt(path string) *analysis.File {
	f := w.byName(w.rel(path))
	if f == nil || f.Path != path || f.DocName != "" || f.Host != nil || f.Kind != analysis.KindBucket || f.Policy == nil {
		return nil
	}
	return f
}

// staleElsewhere reports whether a stale request of the caller is on a
// bucket that a bucket policy not edited, which grants the caller
// something, names: that grant's entry would have to be made again.
func (w *Workspace) staleElsewhere(c caller, edited map[string]bool, stale []Request) bool {
	if len(stale) == 0 {
		return false
	}
	buckets := map[string]bool{}
	for _, req := range stale {
		buckets[analysis.BucketOfARN(req.Resource)] = true
	}
	sites := w.grantSites()
	for _, name := range []string{c.arn, c.account, c.root} {
		for _, site := range sites[name] {
			if edited[site.file.Path] {
				continue
			}
			for b := range buckets {
				if names, _ := w.bucketNames.get(site.file); b == "" || names[b] {
					return true
				}
			}
		}
	}
	return false
}

// placeName is the DocName of the document a place is in.
func placeName(w *Workspace, p analysis.Place) string {
	if p.Doc == "" {
		return w.rel(p.Path)
	}
	return w.rel(p.Path) + "#" + p.Doc
}

// Callers lists the principals identity policies belong to, each once,
// sorted (what Blocked answers for).
func (w *Workspace) Callers() []string { return w.callers }

// KeepWithSid takes prev's evaluation of a request over into w with the
// Sid of one statement changed: the policy named policy was edited in
// that statement's Sid alone. The engine judges a statement by its other
// elements and names it by its Sid, so the evaluation is the same but for
// the words of its causes at that statement, which now name it by sid
// (by its number when sid is ""), as a fresh evaluation would: a
// keystroke in the Sid of the statement that a principal's near misses
// quote (hundreds of requests at 5,000 governed policies) evaluates none
// of them again. It reports false, and takes nothing over, when prev has
// no evaluation of the request or a cause at the statement has words made
// at once (they quote the old Sid in their text): the caller evaluates it
// again then.
func (w *Workspace) KeepWithSid(prev *Workspace, req Request, policy string, statement int, sid string) bool {
	key := requestKey(req)
	var e *evaluation
	prev.mu.Lock()
	if o := prev.evaluations[req.Principal]; o != nil {
		e = o.get(key)
	}
	prev.mu.Unlock()
	if e == nil {
		return false
	}
	causes := e.appendCauses(nil)
	for i := range causes {
		c := &causes[i]
		if c.Policy != policy || c.Statement != statement {
			continue
		}
		said, ok := withSid(c.Message, policy, sid)
		if !ok {
			return false
		}
		c.Message = said
	}
	// Kept as a fresh evaluation's causes are: requests renamed alike
	// share one list.
	renamed := &evaluation{request: e.request, result: e.result, causes: w.cache().shared.keptCauses(causes), reads: e.reads, bucket: e.bucket}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.keepEvaluation(req.Principal, key, renamed)
	return true
}

// KeepOwnedPolicies takes over prev's list of a caller's own policies
// (identity, boundary, session) and their index, which a scenario of the
// caller's requests holds, when those documents are the same parsed texts
// under the same names and facts, in the same order, in both workspaces:
// a keystroke in a bucket policy evaluates again the requests of the
// principals it grants, and indexing each one's identity policies again
// (250 of them at 5,000 governed policies) was most of that. Nothing is
// taken over otherwise, nor when prev built no list for the caller.
func (w *Workspace) KeepOwnedPolicies(prev *Workspace, caller string) {
	p := parsePrincipal(caller)
	prev.mu.Lock()
	c := prev.scenarios
	prev.mu.Unlock()
	if c == nil {
		return
	}
	c.mu.Lock()
	o := c.owned[p.arn]
	c.mu.Unlock()
	if o == nil || !sameOwned(prev, w, p) && !slices.EqualFunc(prev.ownedBy(p), w.ownedBy(p), func(a, b *analysis.File) bool {
		return a.Policy == b.Policy && a.Kind == b.Kind && a.Host == b.Host && len(a.Src) == len(b.Src) && (len(a.Src) == 0 || &a.Src[0] == &b.Src[0]) &&
			(a.Facts == nil) == (b.Facts == nil) && (a.Facts == nil || *a.Facts == *b.Facts) && prev.DocName(a) == w.DocName(b)
	}) {
		return
	}
	mine := w.cache()
	mine.mu.Lock()
	defer mine.mu.Unlock()
	if mine.owned[p.arn] == nil {
		mine.owned[p.arn] = o
	}
}

// sameOwned reports whether w lists the caller's own policies in the very
// slices prev does (Swapped shares them when no document of theirs was
// swapped): the same documents in the same order, without sorting and
// comparing them one by one.
func sameOwned(prev, w *Workspace, p principal) bool {
	keys := []string{p.arn}
	if p.roleARN != "" {
		keys = append(keys, ownerKey(p.roleARN))
	}
	for _, k := range keys {
		a, b := prev.owned[k], w.owned[k]
		if len(a) != len(b) || len(a) > 0 && &a[0] != &b[0] {
			return false
		}
	}
	return true
}

// NewWorkspaceLike starts an empty workspace rooted at prev's folder with
// room for as many documents, buckets and owners as prev has, as the
// language server builds one for each edit of a set: its maps then do not
// grow (and rehash) a few times over while thousands of documents are
// added. It is NewWorkspace's workspace with the largest maps made
// bigger, so that a map NewWorkspace comes to make is made here too.
func NewWorkspaceLike(prev *Workspace) *Workspace {
	w := NewWorkspace(prev.Dir)
	n := len(prev.Files)
	w.Files, w.inScenarios = make([]*analysis.File, 0, n), make([]*analysis.File, 0, len(prev.inScenarios))
	w.names, w.named, w.order = newLayered[*analysis.File, string](n), newLayered[string, *analysis.File](n), newLayered[*analysis.File, int](n)
	w.bucketNames, w.grantNames = newLayered[*analysis.File, map[string]bool](len(prev.bucketNames.base)), newLayered[*analysis.File, []grantName](len(prev.grantNames.base))
	w.Buckets, w.bucketConfig = make(map[string]*analysis.BucketFacts, len(prev.Buckets)), make(map[string]string, len(prev.bucketConfig))
	return w
}

// BlockedAfterSidEdit answers Blocked for a principal in w, made from prev
// by edits that changed only the Sids of identity policies (edited: their
// paths), after Reuse kept the principal's evaluations but those of
// renamed, which KeepWithSid took over with the new Sids. A Sid decides
// nothing, so the same requests are blocked by the same causes: prev's
// entries are taken over, and only those with a cause in an edited file
// (its place may have moved) or an evaluation taken over (its words
// changed) are made again, instead of listing and looking up each of the
// principal's grants. ok is false, and the caller asks Blocked, when prev
// has no answer or an entry to make again has no kept evaluation or is no
// longer blocked.
func (w *Workspace) BlockedAfterSidEdit(prev *Workspace, principal string, edited map[string]bool, renamed []Request) (out []analysis.BlockedRequest, ok bool) {
	old, answered := prev.Answered(principal)
	c := newCaller(principal)
	if !answered || c.account == "" || !slices.Contains(w.principals(), principal) {
		return nil, false
	}
	rewritten := map[[2]string]bool{}
	for _, req := range renamed {
		rewritten[[2]string{req.Action, req.Resource}] = true
	}
	context := w.endpointContext(c.account)
	maker := w.entryMaker()
	defer maker.release()
	out = make([]analysis.BlockedRequest, 0, len(old))
	for i := range old {
		b := &old[i]
		if !rewritten[[2]string{b.Action, b.Resource}] && !slices.ContainsFunc(b.Causes, func(c analysis.Cause) bool { return c.Located && edited[c.Place.Path] }) {
			out = append(out, *b)
			continue
		}
		f := w.byName(placeName(w, b.Grant))
		req := Request{Principal: principal, Action: b.Action, Resource: b.Resource, Context: context}
		e := w.kept(req)
		if f == nil || e == nil || e.result.Decision == Allowed {
			return nil, false
		}
		g := Grant{Policy: f, Names: &analysis.Value{Kind: analysis.String, Span: b.Grant.Span, Str: b.GrantedTo}, Request: req}
		nb := maker.blockedRequest(g, e)
		if len(nb.Causes) == 0 {
			return nil, false
		}
		out = append(out, nb)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if kept, done := w.blocked[principal]; done {
		return kept, true // another caller answered first
	}
	if w.blocked == nil {
		w.blocked = map[string][]analysis.BlockedRequest{}
	}
	w.blocked[principal] = out
	return out, true
}

// kept returns the workspace's evaluation of a request, or nil: it
// evaluates nothing.
func (w *Workspace) kept(req Request) *evaluation {
	key := requestKey(req)
	w.mu.Lock()
	defer w.mu.Unlock()
	if o := w.evaluations[req.Principal]; o != nil {
		return o.get(key)
	}
	return nil
}

// AddShared adds f as AddFile does, but leaves f.Workspace alone: the
// language server's sets share a document between the workspaces of
// successive edits (a set another goroutine reads is never changed), and
// binds a copy to a workspace only to analyse it. What AddFile derives
// from the text (name, buckets, grants) is taken over from prev when prev
// holds f itself.
func (w *Workspace) AddShared(f *analysis.File, prev *Workspace) {
	if prev != nil && prev.Dir == w.Dir && f.Policy != nil {
		if name, ok := prev.names.get(f); ok {
			buckets, _ := prev.bucketNames.get(f)
			grants, _ := prev.grantNames.get(f)
			w.addDoc(f, name, buckets, grants)
			return
		}
	}
	w.addDoc(f, "", nil, nil)
}

// Swapped returns a workspace that holds prev's documents, in prev's
// order, but each key of swaps replaced by its value: a new version of
// the same document (same path, place in its host, kind, config and
// facts), as a keystroke makes one. The documents are shared, not copied
// nor bound (AddShared); what prev derived from the others is taken over
// by sharing prev's maps (layered) or copying them (a copy of a map's
// tables, nothing hashed again), not by adding each document again: at
// 5,000 governed policies that was 6 ms of every keystroke (issue 16).
// prev must be sealed (Seal) and is only read: other goroutines may read
// it, and swap from it, meanwhile. nil when prev is not sealed or a swap
// is not such a version of a document of prev: the caller builds the
// workspace document by document.
func Swapped(prev *Workspace, swaps map[*analysis.File]*analysis.File) *Workspace {
	if !prev.sealed {
		return nil
	}
	for old, now := range swaps {
		if !sameDocument(prev, old, now) {
			return nil
		}
	}
	w := &Workspace{Dir: prev.Dir, Files: slices.Clone(prev.Files), Broken: slices.Clone(prev.Broken),
		Buckets: prev.Buckets, bucketConfig: prev.bucketConfig, bucketsShared: true,
		names: prev.names.over(), named: prev.named.over(),
		callers: slices.Clone(prev.callers), endpoints: maps.Clone(prev.endpoints), endpointContexts: maps.Clone(prev.endpointContexts),
		inScenarios: slices.Clone(prev.inScenarios), owned: maps.Clone(prev.owned), order: prev.order.over(),
		bucketNames: prev.bucketNames.over(), grantNames: prev.grantNames.over()}
	ownedCloned := map[string]bool{}
	for old, now := range swaps {
		i := prev.orderOf(old)
		w.Files[i] = now
		w.order.del(old)
		w.order.set(now, i)
		name := prev.nameOf(old)
		w.names.del(old)
		w.names.set(now, name)
		if w.byName(name) == old {
			w.named.set(name, now)
		}
		w.bucketNames.del(old)
		w.grantNames.del(old)
		if now.Kind == analysis.KindBucket {
			w.describeBucketPolicy(now, nil, nil)
		}
		switch {
		case ownedKinds[now.Kind]:
			if now.Facts != nil && now.Facts.Principal != "" {
				key := ownerKey(now.Facts.Principal)
				if !ownedCloned[key] {
					w.owned[key], ownedCloned[key] = slices.Clone(w.owned[key]), true
				}
				replaceDoc(w.owned[key], old, now)
			}
		case scenarioKinds[now.Kind]:
			replaceDoc(w.inScenarios, old, now)
		}
	}
	w.carryGrantSites(prev, swaps)
	w.carryScenarios(prev, swaps)
	w.carryGrantLists(prev, swaps)
	return w
}

// carryGrantLists gives w prev's lists of grants (grantsTo) when no
// bucket policy is swapped: a principal's grants are made of the bucket
// policies' statements, the buckets' facts (which only a bucket policy's
// swap may change) and the callers and endpoints, which a swap leaves
// as they were.
func (w *Workspace) carryGrantLists(prev *Workspace, swaps map[*analysis.File]*analysis.File) {
	for old := range swaps {
		if old.Kind == analysis.KindBucket {
			return
		}
	}
	prev.mu.Lock()
	defer prev.mu.Unlock()
	w.grantLists, w.grantKeys = maps.Clone(prev.grantLists), maps.Clone(prev.grantKeys)
}

// carryScenarios has w build its scenario cache from prev's, when prev
// built one (carriedScenarios).
func (w *Workspace) carryScenarios(prev *Workspace, swaps map[*analysis.File]*analysis.File) {
	prev.mu.Lock()
	from := prev.scenarios
	prev.mu.Unlock()
	if from == nil {
		return
	}
	c := &carriedScenarios{from: from, swaps: swaps}
	for old, now := range swaps {
		if old.Kind == analysis.KindBucket {
			before, _ := prev.bucketNames.get(old)
			after, _ := w.bucketNames.get(now)
			c.placesMoved = c.placesMoved || !maps.Equal(before, after)
		}
	}
	w.carried = c
}

// grantSitesKey is the Memo of grantSites.
const grantSitesKey = "eval: grant sites"

// carryGrantSites gives w, which Swapped made from prev, prev's grant
// sites with each swapped bucket policy in place of its old version,
// when each names the same principals in the same statements as before
// (a keystroke outside its Principal elements): built from every
// document of the workspace, they were 1.4 ms of a bucket policy's
// keystroke at 5,000 policies. Otherwise they are built when asked.
func (w *Workspace) carryGrantSites(prev *Workspace, swaps map[*analysis.File]*analysis.File) {
	var moved [][2]*analysis.File
	for old, now := range swaps {
		if old.Kind != analysis.KindBucket {
			continue
		}
		before, _ := prev.grantNames.get(old)
		after, _ := w.grantNames.get(now)
		if !slices.EqualFunc(before, after, sameGrantName) {
			return
		}
		moved = append(moved, [2]*analysis.File{old, now})
	}
	sites := prev.grantSites()
	if len(moved) > 0 {
		sites = maps.Clone(sites)
		for _, m := range moved {
			// The new version may grant other actions in the same
			// statements: each site takes its count from it.
			names, _ := w.grantNames.get(m[1])
			for _, g := range names {
				list := slices.Clone(sites[g.name])
				for i := range list {
					if list[i].file == m[0] && list[i].statement == g.statement {
						list[i].file, list[i].actions = m[1], g.actions
					}
				}
				sites[g.name] = list
			}
		}
	}
	built := &memo{value: sites}
	built.once.Do(func() {})
	w.memos = map[string]*memo{grantSitesKey: built}
}

// sameGrantName reports whether two versions of a bucket policy name the
// same principal in the same statement, whatever actions it grants.
func sameGrantName(a, b grantName) bool { return a.name == b.name && a.statement == b.statement }

// sameDocument reports whether now is a new version of old, a policy of
// prev, that prev's maps describe but for what its text gives: the same
// place (path, place in its host), kind, config and facts, so the same
// name, owner, caller and endpoint.
func sameDocument(prev *Workspace, old, now *analysis.File) bool {
	if old == nil || now == nil || old.Policy == nil || now.Policy == nil {
		return false
	}
	if i, ok := prev.order.get(old); !ok || prev.Files[i] != old {
		return false
	}
	if _, taken := prev.order.get(now); taken {
		return false
	}
	return old.Path == now.Path && old.DocName == now.DocName && old.Kind == now.Kind && old.Config == now.Config &&
		(old.Facts == nil) == (now.Facts == nil) && (old.Facts == nil || *old.Facts == *now.Facts)
}

// replaceDoc puts now where old is in docs.
func replaceDoc(docs []*analysis.File, old, now *analysis.File) {
	if i := slices.Index(docs, old); i >= 0 {
		docs[i] = now
	}
}

// layered is a map of a workspace that Swapped shares with the workspace
// it was made from: base is never changed once shared, and top holds the
// workspace's own entries over it (a key deleted: an entry not ok). A
// keystroke swaps one document in, and copying the maps of every
// document's name and place was most of what making its workspace
// allocated at 5,000 policies (issue 16); top is copied instead, and
// laid into a new base when it grows past maxLayered entries.
type layered[K comparable, V any] struct {
	base   map[K]V
	top    map[K]layer[V]
	shared bool // base is another workspace's too: entries go to top
}

type layer[V any] struct {
	v  V
	ok bool
}

// maxLayered bounds top: a copy of it is made for every keystroke, and
// one of base every maxLayered keystrokes.
const maxLayered = 64

func newLayered[K comparable, V any](size int) layered[K, V] {
	return layered[K, V]{base: make(map[K]V, size)}
}

func (l *layered[K, V]) get(k K) (V, bool) {
	if e, ok := l.top[k]; ok {
		return e.v, e.ok
	}
	v, ok := l.base[k]
	return v, ok
}

func (l *layered[K, V]) set(k K, v V) {
	if !l.shared {
		l.base[k] = v
		return
	}
	if l.top == nil {
		l.top = map[K]layer[V]{}
	}
	l.top[k] = layer[V]{v, true}
}

func (l *layered[K, V]) del(k K) {
	if !l.shared {
		delete(l.base, k)
		return
	}
	if l.top == nil {
		l.top = map[K]layer[V]{}
	}
	l.top[k] = layer[V]{}
}

// over returns the map for a workspace made from l's, which is shared
// already (Seal): the same entries, base shared, top copied, or both
// laid into a new base when top is large. l is only read.
func (l *layered[K, V]) over() layered[K, V] {
	if len(l.top) < maxLayered {
		return layered[K, V]{base: l.base, top: maps.Clone(l.top), shared: true}
	}
	base := maps.Clone(l.base)
	for k, e := range l.top {
		if e.ok {
			base[k] = e.v
		} else {
			delete(base, k)
		}
	}
	return layered[K, V]{base: base}
}
