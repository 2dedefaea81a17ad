package eval

import (
	"maps"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"unique"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// scenarioCache is what Workspace.Scenario gathers once per workspace
// instead of once per request: one Doc per document (shared by every
// scenario, never changed), the caller's own policies by principal, the
// SCPs and RCPs by account, bucket, key and endpoint policies by what
// they belong to. Each list keeps the order of the workspace's files, so
// a scenario holds what a walk over the files would give (issue 16: the
// walk was a quarter of an edit's work, and grows with the folder).
type scenarioCache struct {
	mu    sync.Mutex
	docs  layered[*analysis.File, *Doc] // shared with the caches carried from this one
	owned map[string]*ownedDocs         // by the caller's ARN
	// ownedSwaps are the lists left out of owned by a swap, patched when
	// asked for (ownedOf).
	ownedSwaps map[string]*ownedSwap
	scps       map[string]*scpDocs // by the caller's account
	rcps       map[string][][]*Doc // by the resource's account
	// bucketPolicy is the last bucket policy of each bucket name, keyPolicy
	// the last key policy of each key ARN; endpoints lists the endpoint
	// policies of each endpoint ("" for those of every endpoint).
	bucketPolicy map[string]*analysis.File
	keyPolicy    map[string]*analysis.File
	endpoints    map[string][]*analysis.File
	// endpointDocs are endpointsOf's lists for the requests that come
	// through one endpoint or none, by it: each request of a governed
	// folder comes through its account's, and making and sorting its list
	// for each was two arrays of every evaluation (issue 16). Never
	// changed once given; dropped with what they are made of.
	endpointDocs map[string][]*Doc
	// shared keeps once the words and lists of causes the workspace's
	// evaluations and answers share.
	shared *sharedCauses
}

// ownedSwap is a principal's lists as a cache before this one held them,
// and the versions of their documents swapped since (carry): a
// keystroke swaps one of a principal's 600 identity policies at 5,000
// governed policies, and indexing them all again (newDocIndex) was a
// sixth of what the first keystroke that changes what the policy allows
// allocated (BenchmarkIndexEdit identity-action, issue 16). ownedOf
// patches them when first asked for: a keystroke that evaluates nothing
// builds nothing. Neither is changed once made.
type ownedSwap struct {
	from *ownedDocs
	now  map[*analysis.Policy]*analysis.File // by the policy of from's Doc, its latest version
}

// versionOf reports whether f is a document of the lists, as from holds
// it or swapped since, and the policy from holds of it.
func (sw *ownedSwap) versionOf(f *analysis.File) (base *analysis.Policy, ok bool) {
	for base, now := range sw.now {
		if now == f {
			return base, true
		}
	}
	if sw.from.holds(f.Policy) {
		return f.Policy, true
	}
	return nil, false
}

type ownedDocs struct {
	identity, boundaries []*Doc
	session              *Doc
	index                *docIndex
}

type scpDocs struct {
	levels [][]*Doc
	index  *docIndex
	// allowLists are the levels that are not a deny list beside
	// FullAWSAccess (fullAccessLevel): the only ones requireSCPs judges.
	allowLists []int32
}

// cache returns the workspace's scenario cache, built on first use, from
// the cache of the workspace Swapped made it from when there is one.
func (w *Workspace) cache() *scenarioCache {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.scenarios == nil {
		if w.carried != nil {
			w.scenarios = w.carried.carry(w)
		} else {
			w.scenarios = newScenarioCache(w)
		}
		w.carried = nil
	}
	return w.scenarios
}

func newScenarioCache(w *Workspace) *scenarioCache {
	c := &scenarioCache{docs: newLayered[*analysis.File, *Doc](0), owned: map[string]*ownedDocs{}, scps: map[string]*scpDocs{}, rcps: map[string][][]*Doc{},
		shared: newSharedCauses()}
	c.placeDocs(w)
	return c
}

// carriedScenarios is the scenario cache of the workspace Swapped made a
// workspace from, with the swaps, until the workspace's own cache is
// built from it (carry): a keystroke swaps one document, and building
// the cache again (a Doc and its line index for each document a request
// reads, the lists of every principal and account, the bucket, key and
// endpoint policies by name) was about 3 ms of an identity policy's
// keystroke at 5,000 governed policies (issue 16).
type carriedScenarios struct {
	from  *scenarioCache
	swaps map[*analysis.File]*analysis.File
	// placesMoved: a swapped bucket policy names other buckets than
	// before (its place in bucketPolicy moves).
	placesMoved bool
}

// carry builds w's cache from the one carried: what no swapped document
// takes part in is taken over (the Docs of the other documents, the
// lists of principals and accounts none of whose policies was swapped),
// the rest is built again when asked. The carried cache is only read: the
// workspace it belongs to may still be evaluating.
func (c *carriedScenarios) carry(w *Workspace) *scenarioCache {
	from := c.from
	from.mu.Lock()
	defer from.mu.Unlock()
	from.docs.shared = true // copied, the map of 5,000 documents' Docs was 0.1 MB of every keystroke
	n := &scenarioCache{docs: from.docs.over(), owned: maps.Clone(from.owned), ownedSwaps: maps.Clone(from.ownedSwaps), scps: maps.Clone(from.scps), rcps: maps.Clone(from.rcps),
		bucketPolicy: from.bucketPolicy, keyPolicy: from.keyPolicy, endpoints: from.endpoints, shared: newSharedCauses()}
	if n.ownedSwaps == nil {
		n.ownedSwaps = map[string]*ownedSwap{}
	}
	placed := false // the maps of bucket, key and endpoint policies are n's own
	for old, now := range c.swaps {
		n.docs.del(old)
		switch {
		case ownedKinds[old.Kind]:
			// A principal's lists hold a Doc for each of its policies (made
			// by this cache or, KeepOwnedPolicies, another's): one that
			// holds none of old was built without it. One that holds old
			// is patched when asked for (ownedOf), with now in old's place.
			for key, sw := range n.ownedSwaps {
				if base, ok := sw.versionOf(old); ok {
					sw = &ownedSwap{from: sw.from, now: maps.Clone(sw.now)} // from's is only read
					sw.now[base] = now
					n.ownedSwaps[key] = sw
				}
			}
			for key, o := range n.owned {
				if o.holds(old.Policy) {
					delete(n.owned, key)
					n.ownedSwaps[key] = &ownedSwap{from: o, now: map[*analysis.Policy]*analysis.File{old.Policy: now}}
				}
			}
		case old.Kind == analysis.KindSCP:
			n.scps = map[string]*scpDocs{}
		case old.Kind == analysis.KindRCP:
			n.rcps = map[string][][]*Doc{}
		case scenarioKinds[old.Kind] && !c.placesMoved:
			if !placed {
				n.bucketPolicy, n.keyPolicy, n.endpoints = maps.Clone(n.bucketPolicy), maps.Clone(n.keyPolicy), maps.Clone(n.endpoints)
				placed = true
			}
			n.replacePlaced(old, now)
		}
	}
	if c.placesMoved {
		n.placeDocs(w)
	}
	return n
}

// holds reports whether the lists hold a Doc of the policy.
func (o *ownedDocs) holds(p *analysis.Policy) bool {
	of := func(d *Doc) bool { return d.Policy == p }
	return o.session != nil && of(o.session) || slices.ContainsFunc(o.identity, of) || slices.ContainsFunc(o.boundaries, of)
}

// swapped returns the lists with the Doc of the policy old replaced by
// now, as ownedOf makes them for a workspace Swapped made, or nil when
// they must be made again (old is in a list twice, or the identity
// policies' index cannot be patched: docIndex.replacing).
func (o *ownedDocs) swapped(old *analysis.Policy, now *Doc) *ownedDocs {
	of := func(d *Doc) bool { return d.Policy == old }
	replaced := func(docs []*Doc) ([]*Doc, int, bool) {
		i := slices.IndexFunc(docs, of)
		if i < 0 {
			return docs, i, true
		}
		if slices.ContainsFunc(docs[i+1:], of) {
			return nil, i, false
		}
		docs = slices.Clone(docs)
		docs[i] = now
		return docs, i, true
	}
	n := &ownedDocs{session: o.session, index: o.index}
	var i int
	var ok bool
	if n.identity, i, ok = replaced(o.identity); !ok {
		return nil
	}
	if i >= 0 {
		if n.index = o.index.replacing(n.identity, i); n.index == nil {
			return nil
		}
	}
	if n.boundaries, _, ok = replaced(o.boundaries); !ok {
		return nil
	}
	if o.session != nil && of(o.session) {
		n.session = now
	}
	return n
}

// replacePlaced puts now where old is in the maps of bucket, key and
// endpoint policies: a new version of old that names the same buckets,
// key and endpoint, at old's place in the workspace's order.
func (c *scenarioCache) replacePlaced(old, now *analysis.File) {
	for _, m := range []map[string]*analysis.File{c.bucketPolicy, c.keyPolicy} {
		for name, f := range m {
			if f == old {
				m[name] = now
			}
		}
	}
	c.endpointDocs = nil
	for e, list := range c.endpoints {
		if i := slices.Index(list, old); i >= 0 {
			list = slices.Clone(list)
			list[i] = now
			c.endpoints[e] = list
		}
	}
}

// placeDocs gives each bucket, key and endpoint its policies (bucketPolicy,
// keyPolicy, endpoints), in the workspace's order. A bucket has one
// policy: the one whose facts name the bucket (a Terraform or
// CloudFormation bucket policy, a file .s3policy.json places) over one
// whose Resource alone names it (a file read alone), whatever their order
// (an edit re-reads files into another order than a fresh read); among
// those alike, the last.
func (c *scenarioCache) placeDocs(w *Workspace) {
	c.bucketPolicy, c.keyPolicy, c.endpoints = map[string]*analysis.File{}, map[string]*analysis.File{}, map[string][]*analysis.File{}
	c.endpointDocs = nil
	named := map[string]bool{} // the buckets a policy's facts name
	for _, f := range w.inScenarios {
		facts := factsOf(f)
		switch f.Kind {
		case analysis.KindBucket:
			c.bucketPolicy[facts.Bucket] = f
			if facts.Bucket != "" {
				named[facts.Bucket] = true
				continue
			}
			buckets, _ := w.bucketNames.get(f)
			for name := range buckets {
				if !named[name] {
					c.bucketPolicy[name] = f
				}
			}
		case analysis.KindKey:
			if facts.Key != "" {
				c.keyPolicy[facts.Key] = f
			}
		case analysis.KindEndpoint:
			c.endpoints[facts.Endpoint] = append(c.endpoints[facts.Endpoint], f)
		}
	}
}

func factsOf(f *analysis.File) *analysis.FileFacts {
	if f.Facts == nil {
		return &analysis.FileFacts{}
	}
	return f.Facts
}

// doc is the one Doc of a document; the caller holds c.mu.
func (c *scenarioCache) doc(w *Workspace, f *analysis.File) *Doc {
	d, _ := c.docs.get(f)
	if d == nil {
		// The line index is set here, not on first use: scenarios of several
		// goroutines share the Doc (it counts lines once, on first use).
		text := f.Src
		if f.Host != nil && f.Host.Text != nil {
			text = f.Host.Text
		}
		name := w.DocName(f)
		d = &Doc{Name: name, name: unique.Make(name), Src: f.Src, Policy: f.Policy, Host: f.Host, lines: newLineIndex(text),
			Gateway: f.Kind == analysis.KindEndpoint && f.Facts.GatewayEndpoint()}
		c.docs.set(f, d)
	}
	return d
}

// ownedOf lists the caller's identity policies, boundaries and session
// policy (the last), as belongsTo gives them.
func (c *scenarioCache) ownedOf(w *Workspace, p principal) *ownedDocs {
	if o := c.owned[p.arn]; o != nil {
		return o
	}
	if sw := c.ownedSwaps[p.arn]; sw != nil {
		delete(c.ownedSwaps, p.arn)
		o := sw.from
		for base, now := range sw.now {
			if o = o.swapped(base, c.doc(w, now)); o == nil {
				break
			}
		}
		if o != nil {
			c.owned[p.arn] = o
			return o
		}
	}
	o := &ownedDocs{}
	for _, f := range w.ownedBy(p) {
		if !belongsTo(factsOf(f), p) {
			continue
		}
		switch f.Kind {
		case analysis.KindIdentity:
			o.identity = append(o.identity, c.doc(w, f))
		case analysis.KindBoundary:
			o.boundaries = append(o.boundaries, c.doc(w, f))
		case analysis.KindSession:
			o.session = c.doc(w, f)
		}
	}
	o.identity, o.boundaries = slices.Clip(o.identity), slices.Clip(o.boundaries)
	o.index = newDocIndex(o.identity)
	c.owned[p.arn] = o
	return o
}

// scpsOf lists the levels of SCPs that govern the callers of an account,
// from the SCP files of the account or of every account, in order: the
// files of one target (the root, an OU or the account they are attached
// to) make one level, a file without a target a level of its own.
func (c *scenarioCache) scpsOf(w *Workspace, account string) *scpDocs {
	if s := c.scps[account]; s != nil {
		return s
	}
	s := &scpDocs{}
	var levelOf map[string]int // by target
	for _, f := range w.inScenarios {
		facts := factsOf(f)
		if f.Kind != analysis.KindSCP || facts.Account != "" && facts.Account != account {
			continue
		}
		d := c.doc(w, f)
		if facts.Target != "" {
			if i, ok := levelOf[facts.Target]; ok {
				s.levels[i] = append(s.levels[i], d)
				continue
			}
			if levelOf == nil {
				levelOf = map[string]int{}
			}
			levelOf[facts.Target] = len(s.levels)
		}
		s.levels = append(s.levels, append(make([]*Doc, 0, 2), d)) // room for FullAWSAccess (scpLevel)
	}
	for i, level := range s.levels {
		s.levels[i] = scpLevel(level)
	}
	s.levels = slices.Clip(s.levels)
	s.index = newDocIndex(flatten(s.levels))
	for i, level := range s.levels {
		if !fullAccessLevel(level) {
			s.allowLists = append(s.allowLists, int32(i))
		}
	}
	c.scps[account] = s
	return s
}

// rcpsOf lists the RCPs that govern the resources of an account.
func (c *scenarioCache) rcpsOf(w *Workspace, account string) [][]*Doc {
	if r, ok := c.rcps[account]; ok {
		return r
	}
	var r [][]*Doc
	for _, f := range w.inScenarios {
		if facts := factsOf(f); f.Kind == analysis.KindRCP && (facts.Account == "" || facts.Account == account) {
			r = append(r, []*Doc{c.doc(w, f)})
		}
	}
	r = slices.Clip(r)
	c.rcps[account] = r
	return r
}

// endpointsOf lists, in order, the endpoint policies of every endpoint
// and of the endpoints the request comes through.
func (c *scenarioCache) endpointsOf(w *Workspace, vpces []string) []*Doc {
	key, kept := "", len(vpces) <= 1 // the list of one endpoint's requests is kept (endpointDocs)
	if len(vpces) == 1 {
		key = vpces[0]
	}
	if out, ok := c.endpointDocs[key]; ok && kept {
		return out
	}
	files := slices.Clone(c.endpoints[""])
	for i, e := range vpces {
		if e != "" && !slices.Contains(vpces[:i], e) {
			files = append(files, c.endpoints[e]...)
		}
	}
	slices.SortFunc(files, func(a, b *analysis.File) int { return w.orderOf(a) - w.orderOf(b) })
	var out []*Doc
	for _, f := range files {
		out = append(out, c.doc(w, f))
	}
	if kept {
		if c.endpointDocs == nil {
			c.endpointDocs = map[string][]*Doc{}
		}
		out = slices.Clip(out) // a caller that appends copies
		c.endpointDocs[key] = out
	}
	return out
}

// BucketPolicyFile is the bucket policy the engine evaluates for the
// bucket (the one .s3policy.json or the host gives the bucket, else the
// one whose Resources name it), or nil: what a check would find by a walk
// over the files, from the map built once per workspace.
func (w *Workspace) BucketPolicyFile(bucket string) *analysis.File {
	return w.cache().bucketPolicy[bucket]
}

// Memo returns what build returns for key, built once while the workspace
// does not change: a check keeps there what it derives from the whole
// workspace, so that analysing each file does not derive it again. A memo
// carried over from the workspace before (CarryMemos) is built with the
// build it was carried with, whoever asks first.
func (w *Workspace) Memo(key string, build func() any) any {
	w.mu.Lock()
	if w.memos == nil {
		w.memos = map[string]*memo{}
	}
	m := w.memos[key]
	if m == nil {
		m = &memo{}
		w.memos[key] = m
	}
	w.mu.Unlock()
	m.once.Do(func() {
		if m.carried != nil {
			build, m.carried = m.carried, nil
		}
		m.value = build()
		m.built.Store(true)
	})
	return m.value
}

// BuiltMemos calls f with each memo the workspace has built, by key (a
// memo another goroutine is building is left out): a check that keeps
// parts of its memos per document drops those of a document once its
// findings are published (analysis/checks: ForgetDocuments).
// The memos are listed under the lock into a slice used again (a
// server calls it for each closed file it publishes: a map made for each
// call was 12.5 MB and a tenth of a second of a first scan of 10,000
// governed policies, issue 16), and f is called after, without it.
func (w *Workspace) BuiltMemos(f func(key string, value any)) {
	built := builtMemoLists.Get().(*[]builtMemo)
	defer func() {
		clear(*built) // keeps no memo alive in the pool
		*built = (*built)[:0]
		builtMemoLists.Put(built)
	}()
	w.mu.Lock()
	for key, m := range w.memos {
		if m.built.Load() {
			*built = append(*built, builtMemo{key, m.value})
		}
	}
	w.mu.Unlock()
	for _, m := range *built {
		f(m.key, m.value)
	}
}

// builtMemo is a memo BuiltMemos lists: its key and value.
type builtMemo struct {
	key   string
	value any
}

// builtMemoLists are BuiltMemos' lists, used again.
var builtMemoLists = sync.Pool{New: func() any { return new([]builtMemo) }}

// sameHostMaps reports whether each swapped document has its old
// version's host map.
func sameHostMaps(swaps map[*analysis.File]*analysis.File) bool {
	for old, now := range swaps {
		if old.Host != now.Host {
			return false
		}
	}
	return true
}

type memo struct {
	once  sync.Once
	value any
	built atomic.Bool // value is set: CarryMemos may offer it
	// carried, when set, is what the memo is built with (CarryMemos).
	carried func() any
}

// CarryMemos offers carry the memos prev has built whose keys w holds no
// memo of yet (KeepPrincipalMemos shares some), by key, and gives w's
// memo of each key carry returns a build for that build, run when a
// check first asks: a keystroke's workspace (Swapped from prev with
// swaps, old version to new) takes over, so, what the checks derived
// from documents the edit left alone, patched by the edited ones,
// instead of deriving it again from every document (analysis/checks:
// CarryMemos says which and how). The table of host maps (HostMapOf) is
// taken over when each swapped document has its old version's host map
// (nil for a file that is one policy). A memo not built in prev is not
// offered: a workspace carries from the one before it only what that one
// built, never a chain of builds.
func (w *Workspace) CarryMemos(prev *Workspace, swaps map[*analysis.File]*analysis.File, carry func(built map[string]any) map[string]func() any) {
	w.mu.Lock()
	held := make(map[string]bool, len(w.memos))
	for key := range w.memos {
		held[key] = true
	}
	w.mu.Unlock()
	built := map[string]any{}
	prev.mu.Lock()
	for key, m := range prev.memos {
		if !held[key] && m.built.Load() {
			built[key] = m.value
		}
	}
	prev.mu.Unlock()
	builds := carry(built)
	if hostMaps, ok := built[hostMapsKey]; ok && sameHostMaps(swaps) {
		if builds == nil {
			builds = map[string]func() any{}
		}
		builds[hostMapsKey] = func() any { return hostMaps }
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.memos == nil {
		w.memos = map[string]*memo{}
	}
	for key, build := range builds {
		if w.memos[key] == nil && build != nil {
			w.memos[key] = &memo{carried: build}
		}
	}
}

// KeepPrincipalMemos takes over prev's memos of one principal: those
// whose key ends in "\x00" and the principal, which by the checks'
// convention hold what is derived from the principal's answer and its
// identity policies alone (analysis/checks: memoized). The server calls
// it for a principal whose answer it kept (KeepAnswer) and none of whose
// identity policies an edit changed, so that a keystroke does not derive
// them again for every principal. A memo still being built is shared.
func (w *Workspace) KeepPrincipalMemos(prev *Workspace, principal string) {
	suffix := "\x00" + principal
	prev.mu.Lock()
	var kept map[string]*memo
	for key, m := range prev.memos {
		if strings.HasSuffix(key, suffix) {
			if kept == nil {
				kept = map[string]*memo{}
			}
			kept[key] = m
		}
	}
	prev.mu.Unlock()
	if kept == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.memos == nil {
		w.memos = map[string]*memo{}
	}
	for key, m := range kept {
		if w.memos[key] == nil {
			w.memos[key] = m
		}
	}
}
