package eval

import (
	"slices"
	"strings"
	"sync"

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
	docs  map[*analysis.File]*Doc
	owned map[string]*ownedDocs // by the caller's ARN
	scps  map[string]*scpDocs   // by the caller's account
	rcps  map[string][][]*Doc   // by the resource's account
	// bucketPolicy is the last bucket policy of each bucket name, keyPolicy
	// the last key policy of each key ARN; endpoints lists the endpoint
	// policies of each endpoint ("" for those of every endpoint).
	bucketPolicy map[string]*analysis.File
	keyPolicy    map[string]*analysis.File
	endpoints    map[string][]*analysis.File
	// shared keeps once the words and lists of causes the workspace's
	// evaluations and answers share.
	shared *sharedCauses
}

type ownedDocs struct {
	identity, boundaries []*Doc
	session              *Doc
	index                *docIndex
}

type scpDocs struct {
	levels [][]*Doc
	index  *docIndex
}

// cache returns the workspace's scenario cache, built on first use.
func (w *Workspace) cache() *scenarioCache {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.scenarios == nil {
		w.scenarios = newScenarioCache(w)
	}
	return w.scenarios
}

func newScenarioCache(w *Workspace) *scenarioCache {
	c := &scenarioCache{docs: map[*analysis.File]*Doc{}, owned: map[string]*ownedDocs{}, scps: map[string]*scpDocs{}, rcps: map[string][][]*Doc{},
		bucketPolicy: map[string]*analysis.File{}, keyPolicy: map[string]*analysis.File{}, endpoints: map[string][]*analysis.File{},
		shared: newSharedCauses()}
	for _, f := range w.inScenarios {
		facts := factsOf(f)
		switch f.Kind {
		case analysis.KindBucket:
			c.bucketPolicy[facts.Bucket] = f
			if facts.Bucket == "" {
				buckets, _ := w.bucketNames.get(f)
				for name := range buckets {
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
	return c
}

func factsOf(f *analysis.File) *analysis.FileFacts {
	if f.Facts == nil {
		return &analysis.FileFacts{}
	}
	return f.Facts
}

// doc is the one Doc of a document; the caller holds c.mu.
func (c *scenarioCache) doc(w *Workspace, f *analysis.File) *Doc {
	d := c.docs[f]
	if d == nil {
		// The line index is set here, not on first use: scenarios of several
		// goroutines share the Doc (it counts lines once, on first use).
		text := f.Src
		if f.Host != nil && f.Host.Text != nil {
			text = f.Host.Text
		}
		d = &Doc{Name: w.DocName(f), Src: f.Src, Policy: f.Policy, Host: f.Host, lines: newLineIndex(text)}
		c.docs[f] = d
	}
	return d
}

// ownedOf lists the caller's identity policies, boundaries and session
// policy (the last), as belongsTo gives them.
func (c *scenarioCache) ownedOf(w *Workspace, p principal) *ownedDocs {
	if o := c.owned[p.arn]; o != nil {
		return o
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

// scpsOf lists the levels of SCPs that govern the callers of an account:
// each SCP file of the account or of every account, in order.
func (c *scenarioCache) scpsOf(w *Workspace, account string) *scpDocs {
	if s := c.scps[account]; s != nil {
		return s
	}
	s := &scpDocs{}
	for _, f := range w.inScenarios {
		if facts := factsOf(f); f.Kind == analysis.KindSCP && (facts.Account == "" || facts.Account == account) {
			s.levels = append(s.levels, scpLevel(c.doc(w, f)))
		}
	}
	s.levels = slices.Clip(s.levels)
	s.index = newDocIndex(flatten(s.levels))
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
// workspace, so that analysing each file does not derive it again.
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
	m.once.Do(func() { m.value = build() })
	return m.value
}

type memo struct {
	once  sync.Once
	value any
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
