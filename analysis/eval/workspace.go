package eval

import (
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// Workspace is the policy files of a folder with what .s3policy.json says
// about them: which account, principal, bucket, key or endpoint each
// belongs to, and the buckets' settings.
type Workspace struct {
	Dir     string
	Files   []*analysis.File // policies that parsed
	Broken  []*analysis.File // policy files that are not valid JSON, left out
	Buckets map[string]*analysis.BucketFacts
	// bucketConfig is the .s3policy.json that describes each bucket,
	// relative to Dir.
	bucketConfig map[string]string
	// bucketsShared: Buckets and bucketConfig are another workspace's too
	// (Swapped), copied before they are changed (ownBuckets).
	bucketsShared bool
	// sealed: the workspace is built and may be read by other goroutines
	// (Seal); Swapped makes workspaces from a sealed one only.
	sealed bool

	// names holds each document's DocName, and named the reverse, so that
	// a scenario and a cause do not compute or search them per request.
	names layered[*analysis.File, string]
	named layered[string, *analysis.File]
	// callers are the principals identity policies belong to, sorted, and
	// endpoints the first VPC endpoint (by path) .s3policy.json places in
	// each account: what every grant asks, kept as files are added.
	callers   []string
	endpoints map[string]string
	// endpointContexts is the context of the requests from each account
	// with an endpoint (endpointContext), one map shared by them all.
	endpointContexts map[string]map[string][]string
	// inScenarios are the documents of the kinds a scenario may hold, in
	// order, and bucketNames the buckets each bucket policy's Resource
	// names: a scenario looks at those only.
	inScenarios []*analysis.File
	// owned lists the identity, boundary and session policies by their
	// principal (ownerKey), in order: a scenario takes the caller's.
	owned       map[string][]*analysis.File
	order       layered[*analysis.File, int] // each document's place in Files
	bucketNames layered[*analysis.File, map[string]bool]
	// grantNames lists, for each bucket policy, the AWS principals its
	// Allow statements name (grantSites gathers them).
	grantNames layered[*analysis.File, []grantName]

	mu      sync.Mutex
	blocked map[string][]analysis.BlockedRequest // Blocked's answers, by principal
	// inflight holds, by principal, a channel closed when the Blocked call
	// evaluating it is done.
	inflight map[string]chan struct{}
	// evaluations holds Blocked's evaluation of each request, by the
	// request's principal, with the documents it read: the language
	// server's dependency index keeps those whose inputs an edit left alone
	// (Reuse).
	evaluations map[string]*evaluationsOf
	// scenarios holds what Scenario gathers once (scenariocache.go).
	scenarios *scenarioCache
	// carried is what Swapped takes over from the cache of the workspace
	// it made this one from, until scenarios is built from it.
	carried *carriedScenarios
	// grantLists are grantsTo's lists, by principal, and grantKeys the
	// keys of their requests (grantedKeys).
	grantLists map[string][]Grant
	grantKeys  map[string]map[evalKey]bool
	memos      map[string]*memo
	// batch: no evaluation is kept, nor what it read (ForBatch).
	batch bool
}

// evaluation is one request evaluated over the workspace, with what it
// read: the documents whose statements it judged or a cause names, a few
// for most requests (keeping every document of its scenario was
// O(requests × policies) memory, hundreds of MB at 10,000 policies).
type evaluation struct {
	request keptRequest
	// result is the decision. A kept evaluation holds its causes in
	// causes, the workspace's one copy of each in a list the evaluations
	// with the same causes share (sharedCauses.keptCauses), and its
	// BlockedBy is a shared list too: neither is changed, and Decide
	// gives the caller copies. An evaluation nobody keeps (ForBatch)
	// holds its causes in result.
	result Result
	causes []*Cause
	reads  *ReadSet
	// bucket is the bucket of the request's resource (analysis.BucketOfARN), which
	// ReuseUnchanged's buckets look at for each kept evaluation.
	bucket string
}

// keptRequest is a request as an evaluation keeps it: a grant's request
// sets its principal, action, resource and context alone, and the other
// fields of a Request (96 of its 152 bytes) are kept only when one is
// set: at 10,000 governed policies the server keeps 19,500 evaluations.
type keptRequest struct {
	principal, action, resource string
	context                     map[string][]string
	whole                       *Request // when it sets another field
}

func keepRequest(req Request) keptRequest {
	k := keptRequest{principal: req.Principal, action: req.Action, resource: req.Resource, context: req.Context}
	if req.ResourceAccount != "" || req.RequestPayer != "" || req.ObjectOwner != "" || req.ObjectACL != "" || req.Multipart || !req.Time.IsZero() {
		k.whole = new(Request) // not &req: req would be moved to the heap on every call
		*k.whole = req         // TestAKeptRequestIsTheRequest sets each field
	}
	return k
}

// request is the request kept.
func (k *keptRequest) request() Request {
	if k.whole != nil {
		return *k.whole
	}
	return Request{Principal: k.principal, Action: k.action, Resource: k.resource, Context: k.context}
}

// numCauses is how many causes the evaluation has.
func (e *evaluation) numCauses() int { return len(e.causes) + len(e.result.Causes) }

// cause is the evaluation's i-th cause, not to be changed.
func (e *evaluation) cause(i int) *Cause {
	if e.causes != nil {
		return e.causes[i]
	}
	return &e.result.Causes[i]
}

// appendCauses appends copies of the evaluation's causes to out.
func (e *evaluation) appendCauses(out []Cause) []Cause {
	out = slices.Grow(out, e.numCauses())
	for i := range e.numCauses() {
		out = append(out, *e.cause(i))
	}
	return out
}

// resultInto is the evaluation's result with copies of its causes in
// buf's array (made when it has no room) and BlockedBy as it is.
func (e *evaluation) resultInto(buf []Cause) Result {
	r := e.result
	r.Causes = e.appendCauses(buf[:0])
	return r
}

// evaluationsOf are the evaluations of one principal's requests, by
// requestKey. A workspace after an edit shares the map of a principal
// none of whose evaluations the edit may change with the workspace before
// it (Reuse): copying every principal's was 6.5 ms of a keystroke at 5,000
// policies (issue 16). A principal the edit concerns shares it too, as a
// base, with the evaluations dropped or made again over it in top:
// copying the base was 0.6 MB of a keystroke into a bucket policy's Sid
// at 5,000 policies. Neither map is written once shared: base's entries
// then go to top, and top is copied before it is written.
type evaluationsOf struct {
	byKey map[evalKey]*evaluation
	// top holds the entries over byKey: nil for a request dropped.
	top        map[evalKey]*evaluation
	baseShared bool // byKey is another workspace's too: entries go to top
	topShared  bool // top is another workspace's too: copy before adding
	// buckets indexes byKey by bucket once it is shared (share), for the
	// workspaces that share it.
	buckets *bucketIndex
}

// bucketIndex lists the evaluations of a shared base (evaluationsOf.byKey)
// by the bucket of their request, made when first asked for: a bucket
// policy's keystroke asks about the requests on the buckets the policy
// may join (ReuseUnchanged's buckets), and walking every kept evaluation
// of every principal for them was a third of its index update at 5,000
// governed policies (issue 16). Looked at by bucket, a principal's 1,250
// evaluations there are on about 400 buckets.
type bucketIndex struct {
	once sync.Once
	of   map[string][]*evaluation
}

// byBucket returns the index of base, made once; base is not written
// any more.
func (ix *bucketIndex) byBucket(base map[evalKey]*evaluation) map[string][]*evaluation {
	ix.once.Do(func() {
		ix.of = map[string][]*evaluation{}
		for _, e := range base {
			ix.of[e.bucket] = append(ix.of[e.bucket], e)
		}
	})
	return ix.of
}

// get returns the kept evaluation of a request, or nil.
func (o *evaluationsOf) get(key evalKey) *evaluation {
	if e, over := o.top[key]; over {
		return e
	}
	return o.byKey[key]
}

// add keeps an evaluation (nil: drops it); the caller holds the
// workspace's lock.
func (o *evaluationsOf) add(key evalKey, e *evaluation) {
	if !o.baseShared {
		if e == nil {
			delete(o.byKey, key)
		} else {
			o.byKey[key] = e
		}
		return
	}
	if o.topShared || o.top == nil {
		o.top, o.topShared = maps.Clone(o.top), false
		if o.top == nil {
			o.top = map[evalKey]*evaluation{}
		}
	}
	o.top[key] = e
}

// each calls f with every kept evaluation.
func (o *evaluationsOf) each(f func(key evalKey, e *evaluation)) {
	for key, e := range o.byKey {
		if _, over := o.top[key]; !over {
			f(key, e)
		}
	}
	for key, e := range o.top {
		if e != nil {
			f(key, e)
		}
	}
}

// share marks both maps as another workspace's too; the caller holds the
// lock of the workspace o is of.
func (o *evaluationsOf) share() evaluationsOf {
	o.baseShared, o.topShared = true, true
	if o.buckets == nil {
		o.buckets = new(bucketIndex)
	}
	return *o
}

// without returns o's evaluations but those of dropped, sharing o's maps
// when the entries over the base stay few (a quarter of it), else in a
// map of their own.
func (o evaluationsOf) without(dropped []evalKey) *evaluationsOf {
	if len(o.top)+len(dropped) <= len(o.byKey)/4 {
		kept := &evaluationsOf{byKey: o.byKey, top: o.top, baseShared: true, topShared: true, buckets: o.buckets}
		for _, key := range dropped {
			kept.add(key, nil)
		}
		return kept
	}
	mine := make(map[evalKey]*evaluation, len(o.byKey)+len(o.top))
	o.each(func(key evalKey, e *evaluation) { mine[key] = e })
	for _, key := range dropped {
		delete(mine, key)
	}
	return &evaluationsOf{byKey: mine}
}

// NewWorkspace starts an empty workspace rooted at dir; the tree package
// fills it with AddConfig and AddFile.
func NewWorkspace(dir string) *Workspace {
	return &Workspace{Dir: dir, Buckets: map[string]*analysis.BucketFacts{}, bucketConfig: map[string]string{},
		names: newLayered[*analysis.File, string](0), named: newLayered[string, *analysis.File](0), endpoints: map[string]string{}, endpointContexts: map[string]map[string][]string{},
		bucketNames: newLayered[*analysis.File, map[string]bool](0), grantNames: newLayered[*analysis.File, []grantName](0), owned: map[string][]*analysis.File{}, order: newLayered[*analysis.File, int](0)}
}

// Seal tells the workspace that it is built and is about to be shared
// with other goroutines: nothing is added to it any more. Its maps are
// marked as another workspace's, here, before it is published, so that
// Swapped, which shares them with the workspace it makes, writes nothing
// of a workspace other goroutines read (two swaps from one workspace
// wrote the same flags at once).
func (w *Workspace) Seal() {
	w.names.shared, w.named.shared, w.order.shared = true, true, true
	w.bucketNames.shared, w.grantNames.shared = true, true
	w.bucketsShared, w.sealed = true, true
}

// PolicyFiles lists the policies that parsed (analysis.Workspace).
func (w *Workspace) PolicyFiles() []*analysis.File { return w.Files }

// Bucket is what the workspace knows of a bucket (analysis.Workspace).
func (w *Workspace) Bucket(name string) *analysis.BucketFacts { return w.Buckets[name] }

// DocName is how causes name a document: its file relative to the
// workspace folder, then "#" and where it sits in its host when a host
// file holds it.
func (w *Workspace) DocName(f *analysis.File) string {
	if name, ok := w.names.get(f); ok {
		return name
	}
	if f.DocName == "" {
		return w.rel(f.Path)
	}
	return w.rel(f.Path) + "#" + f.DocName
}

// byName returns the document DocName names, or nil.
func (w *Workspace) byName(name string) *analysis.File {
	f, _ := w.named.get(name)
	return f
}

// nameOf is the document's name when it is one of w's, else "".
func (w *Workspace) nameOf(f *analysis.File) string {
	name, _ := w.names.get(f)
	return name
}

// orderOf is the document's place in Files, 0 when it is none of w's.
func (w *Workspace) orderOf(f *analysis.File) int {
	i, _ := w.order.get(f)
	return i
}

// File returns the first policy document of the file at path, or nil.
func (w *Workspace) File(path string) *analysis.File {
	for _, f := range w.Files {
		if f.Path == path {
			return f
		}
	}
	return nil
}

// Rel is how causes name a file: relative to the workspace folder.
func (w *Workspace) Rel(path string) string { return w.rel(path) }

// AddConfig records the buckets a .s3policy.json (at path) describes.
func (w *Workspace) AddConfig(path string, cfg *analysis.Config) {
	w.forget()
	w.ownBuckets()
	rel := w.rel(path)
	for bucket, facts := range cfg.Buckets {
		w.Buckets[bucket] = facts
		w.bucketConfig[bucket] = rel
	}
}

// ownBuckets copies Buckets and bucketConfig when another workspace
// shares them, before w changes them.
func (w *Workspace) ownBuckets() {
	if w.bucketsShared {
		w.Buckets, w.bucketConfig, w.bucketsShared = maps.Clone(w.Buckets), maps.Clone(w.bucketConfig), false
	}
}

// AddBuckets records the bucket facts a host file (at path) states; a
// .s3policy.json's facts for the same bucket win.
func (w *Workspace) AddBuckets(path string, buckets []*analysis.BucketFacts) {
	for _, b := range buckets {
		if _, configured := w.Buckets[b.Name]; configured && strings.HasSuffix(w.bucketConfig[b.Name], analysis.ConfigName) {
			continue
		}
		w.forget()
		w.ownBuckets()
		w.Buckets[b.Name] = b
		w.bucketConfig[b.Name] = w.rel(path)
	}
}

// AddFile adds a document: a policy joins Files, a policy file that is
// not valid JSON joins Broken, anything else is left out.
func (w *Workspace) AddFile(f *analysis.File) { w.addFile(f, "", nil, nil) }

// AddCopy adds f, a copy of the document of prev of (the same text
// parsed once, as the language server binds a set's documents to each
// new version of its workspace), taking over what AddFile derives from
// the text, its name and the buckets its Resource names, instead of
// deriving them again: at 5,000 policies that was a third of building
// the workspace on every keystroke (issue 16). Anything else is added as
// AddFile adds it.
func (w *Workspace) AddCopy(f, of *analysis.File, prev *Workspace) {
	if of == nil || prev == nil || prev.Dir != w.Dir || f.Policy == nil || f.Policy != of.Policy || f.Path != of.Path || f.DocName != of.DocName {
		w.AddFile(f)
		return
	}
	buckets, _ := prev.bucketNames.get(of)
	grants, _ := prev.grantNames.get(of)
	w.addFile(f, prev.nameOf(of), buckets, grants) // prev is built: its maps no longer change
}

// addFile adds a document bound to w (its Workspace), with its name, the
// buckets its Resource names and the principals it grants to when they
// are known ("" and nil: derived here).
func (w *Workspace) addFile(f *analysis.File, name string, buckets map[string]bool, grants []grantName) {
	f.Workspace = w
	w.addDoc(f, name, buckets, grants)
}

// addDoc is addFile without binding the document to w.
func (w *Workspace) addDoc(f *analysis.File, name string, buckets map[string]bool, grants []grantName) {
	w.forget()
	switch {
	case f.Policy != nil:
		if name == "" {
			name = w.DocName(f)
		}
		w.names.set(f, name)
		if w.byName(name) == nil { // the first of a name, as a search in order finds
			w.named.set(name, f)
		}
		w.Files = append(w.Files, f)
		w.describe(f, buckets, grants)
		w.order.set(f, len(w.Files)-1)
		switch {
		case ownedKinds[f.Kind]:
			if f.Facts != nil && f.Facts.Principal != "" {
				key := ownerKey(f.Facts.Principal)
				w.owned[key] = append(w.owned[key], f)
			}
		case scenarioKinds[f.Kind]:
			w.inScenarios = append(w.inScenarios, f)
		}
	case f.Syntax != nil:
		w.Broken = append(w.Broken, f)
	}
}

// describe records the caller an identity policy belongs to, and the
// endpoint an endpoint policy places in its account; a bucket policy's
// buckets (those its Resource names) and grants (grantNamesOf) are
// derived when nil. Neither is changed once made: workspaces share them.
func (w *Workspace) describe(f *analysis.File, buckets map[string]bool, grants []grantName) {
	if f.Kind == analysis.KindBucket {
		w.describeBucketPolicy(f, buckets, grants)
	}
	switch {
	case f.Facts == nil:
	case f.Kind == analysis.KindIdentity && f.Facts.Principal != "":
		if i, found := slices.BinarySearch(w.callers, f.Facts.Principal); !found {
			w.callers = slices.Insert(w.callers, i, f.Facts.Principal)
		}
	case f.Kind == analysis.KindEndpoint && f.Facts.Endpoint != "":
		if _, ok := w.endpoints[f.Facts.Account]; !ok {
			w.endpoints[f.Facts.Account] = f.Facts.Endpoint
			w.endpointContexts[f.Facts.Account] = map[string][]string{"aws:SourceVpce": {f.Facts.Endpoint}}
		}
	}
}

// describeBucketPolicy records a bucket policy's buckets and grants,
// derived when nil.
func (w *Workspace) describeBucketPolicy(f *analysis.File, buckets map[string]bool, grants []grantName) {
	if grants == nil {
		grants = grantNamesOf(f)
	}
	w.grantNames.set(f, grants)
	if buckets == nil {
		buckets = map[string]bool{}
		for _, st := range f.Policy.Statements {
			for _, r := range st.Resources() {
				if name := analysis.BucketOfARN(r.Str); name != "" {
					buckets[name] = true
				}
			}
		}
	}
	w.bucketNames.set(f, buckets)
}

// scenarioKinds are the kinds of documents a scenario may hold besides
// the caller's own (ownedKinds).
var scenarioKinds = map[analysis.Kind]bool{
	analysis.KindBucket: true, analysis.KindKey: true, analysis.KindEndpoint: true, analysis.KindSCP: true, analysis.KindRCP: true,
}

// ownedKinds are the kinds of policies that belong to a principal.
var ownedKinds = map[analysis.Kind]bool{analysis.KindIdentity: true, analysis.KindBoundary: true, analysis.KindSession: true}

// EvaluatesKind reports whether the engine reads policies of kind k: a
// scenario's (bucket, key, endpoint, SCP, RCP) or a principal's own
// (identity, boundary, session). A role's trust policy and another
// service's resource policy take part in no evaluation.
func EvaluatesKind(k analysis.Kind) bool { return scenarioKinds[k] || ownedKinds[k] }

// ownerKey files a principal's policies: an IAM role by its account and
// name (a role's policies are its sessions' too, and sameRole ignores
// the path), anything else by its ARN.
func ownerKey(arn string) string {
	if a, ok := analysis.ParseARN(arn); ok && a.Service == "iam" && strings.HasPrefix(a.Resource, "role/") {
		return "role " + a.Account + " " + roleName(a.Resource)
	}
	return arn
}

// ownedBy lists, in order, the policies that belong to the caller
// (belongsTo): those of its ARN and, for a role or its session, the
// role's.
func (w *Workspace) ownedBy(p principal) []*analysis.File {
	out := w.owned[p.arn]
	if p.roleARN != "" {
		if key := ownerKey(p.roleARN); key != p.arn {
			out = slices.Concat(out, w.owned[key])
		}
	}
	out = slices.Clone(out)
	slices.SortFunc(out, func(a, b *analysis.File) int { return w.orderOf(a) - w.orderOf(b) })
	return slices.CompactFunc(out, func(a, b *analysis.File) bool { return a == b })
}

// Scenario gathers the policies that govern a request. Identity
// policies, boundaries and session policies belong to the principal the
// config names (a role's policies also to its sessions); a bucket policy
// to its bucket (from the config, else from its Resource ARNs); a key
// policy to the bucket's kmsKeyArn; an endpoint policy to its endpoint
// (or to every endpoint); SCPs and RCPs to their account (or to every
// account), each SCP file a level that must allow, beside FullAWSAccess
// when it only denies.
func (w *Workspace) Scenario(req Request) *Scenario {
	s := new(Scenario)
	w.gather(s, req)
	return s
}

// gather fills s with the policies that govern a request (Scenario),
// over whatever s held.
func (w *Workspace) gather(s *Scenario, req Request) {
	p := parsePrincipal(req.Principal)
	bucket := analysis.BucketOfARN(req.Resource)
	*s = Scenario{Request: req, Bucket: w.Buckets[bucket], BucketSource: w.bucketConfig[bucket]}
	c := w.cache()
	s.shared = c.shared
	c.mu.Lock()
	defer c.mu.Unlock()
	policy := c.bucketPolicy[bucket]
	if bucket != "" && !s.BucketAccountKnown() && policy != nil {
		// The bucket's facts do not give its account; its bucket policy's
		// do (the file's "account" in .s3policy.json, the Terraform
		// provider's or CloudFormation stack's account): the bucket is
		// there, for check, the server and explain alike.
		s.Request.ResourceAccount = factsOf(policy).Account
	}
	account := s.resourceAccount(p)
	vpces := newContext(&s.Request, p, account, "").get("aws:SourceVpce")
	own := c.ownedOf(w, p)
	s.IdentityPolicies, s.Boundaries, s.SessionPolicy, s.identityIndex = own.identity, own.boundaries, own.session, own.index
	if policy != nil {
		s.ResourcePolicy = c.doc(w, policy)
	}
	if s.Bucket != nil && s.Bucket.KMSKeyARN != "" {
		if f := c.keyPolicy[s.Bucket.KMSKeyARN]; f != nil {
			s.KeyPolicy = c.doc(w, f)
		}
	}
	s.EndpointPolicies = c.endpointsOf(w, vpces)
	scps := c.scpsOf(w, p.account)
	s.SCPs, s.scpIndex, s.scpLevels, s.scpAllowLists = scps.levels, scps.index, scps.levels, scps.allowLists
	s.RCPs = c.rcpsOf(w, account)
}

func (w *Workspace) rel(path string) string {
	if rel, err := filepath.Rel(w.Dir, path); err == nil {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(path)
}

// belongsTo reports whether a policy the config gives to a principal
// governs the caller.
func belongsTo(facts *analysis.FileFacts, p principal) bool {
	switch {
	case facts.Principal == "":
		return false
	case facts.Principal == p.arn:
		return true
	}
	return p.roleARN != "" && sameRole(facts.Principal, p.roleARN)
}

// scpLevel is a level of SCPs (the SCPs attached to one target, or one
// SCP file without a target). A level none of whose SCPs holds an Allow
// is a deny list, which AWS documents as attached beside FullAWSAccess;
// otherwise the level allows what one of its SCPs allows (each level of
// the organization, root, OUs and account, must allow).
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_strategies.html
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
func scpLevel(docs []*Doc) []*Doc {
	for _, d := range docs {
		for _, st := range d.Policy.Statements {
			if st.IsAllow() {
				return slices.Clip(docs)
			}
		}
	}
	return append(docs, fullAWSAccess())
}

// fullAWSAccess is the SCP AWS attaches by default: parsed once, since
// every scenario with a deny-list SCP holds it, and never changed.
var fullAWSAccess = sync.OnceValue(func() *Doc {
	d, _ := NewDoc("FullAWSAccess", []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`))
	d.Assumed = true
	return d
})

// forget drops the answers Blocked keeps, when the workspace changes.
func (w *Workspace) forget() {
	w.mu.Lock()
	w.blocked, w.evaluations, w.scenarios, w.carried, w.memos, w.grantLists, w.grantKeys = nil, nil, nil, nil, nil, nil, nil
	w.mu.Unlock()
}

// ForBatch tells the workspace that it answers once, as check does: it
// keeps no evaluation of a request for a workspace after an edit (Reuse),
// nor what each read. At 10,000 governed policies those were about 55 MB
// of check's live heap, and check asks each request once (issue 16).
func (w *Workspace) ForBatch() {
	w.mu.Lock()
	w.batch = true
	w.mu.Unlock()
}

// Answered returns the answer Blocked gave for the principal, without
// evaluating anything; ok is false when it has not answered.
func (w *Workspace) Answered(principal string) (out []analysis.BlockedRequest, ok bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	out, ok = w.blocked[principal]
	return out, ok
}

// Reuse takes over prev's evaluations of requests that stale rejects not:
// stale says whether an edit between prev and w may change a request's
// evaluation (a document that changed took part in it, or may now), given
// what the evaluation read (ReadSet.MayRead). Call it before Blocked.
func (w *Workspace) Reuse(prev *Workspace, stale func(req Request, read *ReadSet) bool) {
	w.ReuseUnchanged(prev, nil, nil, func(req Request, read *ReadSet, _ func() *Result) bool { return stale(req, read) })
}

// ReuseUnchanged is Reuse, told first which principals the edit cannot
// concern (unchanged, nil for none): their evaluations are taken over
// whole, stale is not asked about each. A keystroke in one principal's
// identity policy concerns that principal, and asking about every kept
// evaluation of the others was 3.7 ms of it at 5,000 policies (issue 16).
// stale may also ask for the kept result (not to be changed), which it
// would otherwise look up (Decide): result makes it only when asked, since
// its causes are written out from the evaluation and only a Sid's edit
// reads them (a bucket policy's Action keystroke asks about every
// evaluation of every principal). The result is valid during the call only.
//
// buckets (nil for none) may tell, for a principal, which buckets an edit
// may concern (staleOn): stale is then asked only about the evaluations
// of requests on those buckets' resources (bucketOf), the others are
// taken over. The caller gives staleOn where stale would say no for every
// request on another bucket's resource: a bucket policy's keystroke
// concerns the requests on its buckets, and asking about each of the
// 10,000 kept evaluations of the others was 40 % of the keystroke's index
// update at 5,000 governed policies (issue 16).
func (w *Workspace) ReuseUnchanged(prev *Workspace, unchanged func(principal string) bool, buckets func(principal string) (staleOn func(bucket string) bool), stale func(req Request, read *ReadSet, result func() *Result) bool) {
	// prev may still be evaluating: from here on it adds over a
	// principal's maps, copied (share), and they are read without its lock.
	prev.mu.Lock()
	prevOf := make(map[string]evaluationsOf, len(prev.evaluations))
	for principal, o := range prev.evaluations {
		prevOf[principal] = o.share()
	}
	prev.mu.Unlock()
	kept := make(map[string]*evaluationsOf, len(prevOf))
	// stale is given each kept result it asks for with its causes copied
	// into one array (the kept evaluation holds pointers to them), made
	// again only for another list of causes.
	var result Result
	var lastCauses []*Cause
	var asked *evaluation
	resultOf := func() *Result {
		e := asked
		if len(e.causes) == 0 || len(lastCauses) == 0 || &e.causes[0] != &lastCauses[0] || len(e.causes) != len(lastCauses) {
			result, lastCauses = e.resultInto(result.Causes), e.causes
		} else {
			causes := result.Causes
			result = e.result
			result.Causes = causes
		}
		return &result
	}
	for principal, o := range prevOf {
		if unchanged != nil && unchanged(principal) {
			kept[principal] = &o
			continue
		}
		var staleOn func(bucket string) bool
		if buckets != nil {
			staleOn = buckets(principal)
		}
		var dropped []evalKey
		ask := func(key evalKey, e *evaluation) {
			asked = e
			if stale(e.request.request(), e.reads, resultOf) {
				dropped = append(dropped, key)
			}
		}
		if staleOn == nil {
			o.each(ask)
		} else {
			// each, by bucket: most evaluations are on other buckets, and
			// the key of one of the base (to look up the entries over it)
			// is made only for the others.
			for bucket, base := range o.buckets.byBucket(o.byKey) {
				if !staleOn(bucket) {
					continue
				}
				for _, e := range base {
					key := requestKey(e.request.request())
					if _, over := o.top[key]; !over {
						ask(key, e)
					}
				}
			}
			for key, e := range o.top {
				if e != nil && staleOn(e.bucket) {
					ask(key, e)
				}
			}
		}
		if len(dropped) == 0 {
			kept[principal] = &o
			continue
		}
		// Most evaluations stay: the maps are shared and the stale ones
		// dropped over them (without).
		kept[principal] = o.without(dropped)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.evaluations == nil {
		w.evaluations = kept
		return
	}
	for principal, o := range kept {
		if mine := w.evaluations[principal]; mine != nil {
			o.each(mine.add)
			continue
		}
		w.evaluations[principal] = o
	}
}

// KeepAnswer takes over the answer Blocked gave for a principal in prev:
// the caller knows that none of its requests' evaluations and none of the
// grants to it changed.
func (w *Workspace) KeepAnswer(prev *Workspace, principal string) {
	out, ok := prev.Answered(principal)
	if !ok {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.blocked == nil {
		w.blocked = map[string][]analysis.BlockedRequest{}
	}
	w.blocked[principal] = out
}

// Decide returns the decision on a request as Blocked makes it: the kept
// evaluation when the workspace has one (its own, or one Reuse took over
// from the workspace before an edit), else a new one, then kept.
// The result is the caller's: its causes and layers are copies.
func (w *Workspace) Decide(req Request) Result {
	e, made := w.evaluated(req, nil, nil)
	if made != nil {
		return *made
	}
	var causes []Cause // nil for none, as a fresh result's
	if n := e.numCauses(); n > 0 {
		causes = make([]Cause, 0, n)
	}
	r := e.resultInto(causes)
	r.BlockedBy = slices.Clone(r.BlockedBy)
	return r
}

// StillGranted keeps of reqs those a grant of the workspace makes, which
// its answers ask for, in reqs's array (as slices.DeleteFunc). After an
// edit to a grant, the requests of the grant as it was are made by none:
// deciding them would keep evaluations no answer asks for, to be staled
// and decided again by every later edit.
func (w *Workspace) StillGranted(reqs []Request) []Request {
	var keys map[evalKey]bool
	principal := ""
	return slices.DeleteFunc(reqs, func(req Request) bool {
		if keys == nil || req.Principal != principal {
			keys, principal = w.grantedKeys(req.Principal), req.Principal
		}
		return !keys[requestKey(req)]
	})
}

// grantedKeys are the keys of the requests of a principal's grants
// (grantsTo), kept beside its list of grants and carried with it: a
// keystroke that stales a principal's evaluations asks StillGranted about
// them, and the set made again each time was 15 % of what an identity
// policy's Action keystroke allocated at 5,000 governed policies
// (BenchmarkIndexEdit). Nobody changes a set once made.
func (w *Workspace) grantedKeys(principal string) map[evalKey]bool {
	w.mu.Lock()
	keys, ok := w.grantKeys[principal]
	w.mu.Unlock()
	if ok {
		return keys
	}
	grants := w.grantsTo(principal)
	keys = make(map[evalKey]bool, len(grants))
	for _, g := range grants {
		keys[requestKey(g.Request)] = true
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if !w.batch {
		if w.grantKeys == nil {
			w.grantKeys = map[string]map[evalKey]bool{}
		}
		w.grantKeys[principal] = keys
	}
	return keys
}

// KeptEvaluations is how many evaluations the workspace keeps.
func (w *Workspace) KeptEvaluations() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, o := range w.evaluations {
		o.each(func(evalKey, *evaluation) { n++ })
	}
	return n
}

// evaluate evaluates a request, or returns its kept evaluation. The lock
// is not held while evaluating.
// A kept evaluation's causes are gathered in an array used again
// (causeRooms): the workspace keeps copies of them, and the array, grown
// for the same Deny in the fifty SCPs of an account, was 31 MB of the
// answers of a first scan of 10,000 governed policies (issue 16).
func (w *Workspace) evaluate(req Request) *evaluation {
	w.mu.Lock()
	batch := w.batch
	w.mu.Unlock()
	if batch {
		// A batch result takes the array of the room it is given, and
		// nothing here would give one back: the pool would only be
		// drained (answerAll, which gives it back, takes its own room).
		e, _ := w.evaluated(req, nil, nil)
		return e
	}
	room := causeRooms.Get().(*[]Cause)
	e, _ := w.evaluated(req, room, nil)
	if cap(*room) <= maxCauseRoom {
		causeRooms.Put(room)
	}
	return e
}

// causeRooms are the arrays Workspace.evaluate gathers causes in, empty.
var causeRooms = sync.Pool{New: func() any { return new([]Cause) }}

// maxCauseRoom is the most causes an array given back to causeRooms has
// room for: one grown larger is left to the collector.
const maxCauseRoom = 256

// evaluated is evaluate, and when it evaluated the request, made is the
// result with causes and layers that nothing else holds. With a room
// (an empty array, from causeRooms), a kept evaluation gathers its
// causes there and room is given the array back, cleared, for the next:
// made is then nil, its causes being the room's. A batch evaluation
// (ForBatch) takes the room's array for its result instead, leaving room
// empty.
//
// With a room, layers (empty) is an array the evaluation gathers the
// layers that block it in (Result.BlockedBy): a kept evaluation keeps a
// copy of them (keptLayers), and a batch one's are the caller's until its
// next evaluation, as its causes are: answerAll's, which reads only the
// decision and the causes.
func (w *Workspace) evaluated(req Request, room *[]Cause, layers []Layer) (e *evaluation, made *Result) {
	key := requestKey(req)
	w.mu.Lock()
	if o := w.evaluations[req.Principal]; o != nil {
		e = o.get(key)
	}
	w.mu.Unlock()
	if e != nil {
		return e, nil
	}
	s := scenarios.Get().(*Scenario)
	defer putScenario(s)
	w.gather(s, req)
	w.mu.Lock()
	batch := w.batch
	w.mu.Unlock()
	if batch {
		// Nothing keeps a batch evaluation: its causes are gathered in
		// the room's array, which goes to the result (the room is left
		// empty). answerAll, which makes the entry at once, gives it back.
		if room != nil {
			s.causeRoom, *room = *room, nil
			s.layerRoom = layers
		}
		e = batchEvaluations.Get().(*evaluation)
		*e = evaluation{request: keepRequest(req), result: Evaluate(s), bucket: analysis.BucketOfARN(req.Resource)}
		return e, &e.result
	}
	reads := readRooms.Get().(*ReadSet)
	s.reads = reads
	if room != nil {
		s.causeRoom, s.layerRoom = *room, layers
	}
	r := Evaluate(s)
	e = &evaluation{request: keepRequest(req), result: r, reads: reads.kept(), bucket: analysis.BucketOfARN(req.Resource)}
	if cap(reads.reads) <= maxReadRoom {
		readRooms.Put(reads)
	}
	e.result.Causes, e.causes = nil, s.shared.keptCauses(r.Causes)
	e.result.BlockedBy = s.shared.keptLayers(r.BlockedBy)
	w.mu.Lock()
	w.keepEvaluation(req.Principal, key, e)
	w.mu.Unlock()
	if room != nil {
		// The causes are copied (keptCauses); the array, cleared to its
		// capacity (a first pass of decideUnknowns may have gathered
		// more), keeps nothing alive.
		all := r.Causes[:cap(r.Causes)]
		clear(all)
		*room = all[:0]
		return e, nil
	}
	return e, &r
}

// batchEvaluations are the evaluations of a batch workspace, which
// nobody keeps: answerAll gives each back once its entry is made (19,500
// of 250 bytes at 10,000 governed policies, issue 16); one another
// caller is given is left to the collector.
var batchEvaluations = sync.Pool{New: func() any { return new(evaluation) }}

// scenarios are the Scenarios Workspace.evaluated gathers a request's
// policies in: nothing an evaluation gives or keeps points at its
// Scenario, and one made for each (its request moved to the heap with
// it) was 11 % of what answering a governed folder allocated
// (BenchmarkBlockedGoverned, issue 16).
var scenarios = sync.Pool{New: func() any { return new(Scenario) }}

// putScenario gives back a Scenario done with, holding nothing.
func putScenario(s *Scenario) {
	*s = Scenario{}
	scenarios.Put(s)
}

// roomForEvaluations makes the map of a principal's evaluations, with
// room for n, when it has none: a principal's answer evaluates each of
// its grants' requests, and growing the map one by one was 9 % of what
// answering a governed folder allocated (BenchmarkBlockedGoverned).
func (w *Workspace) roomForEvaluations(principal string, n int) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.batch || n == 0 || w.evaluations[principal] != nil {
		return
	}
	if w.evaluations == nil {
		w.evaluations = map[string]*evaluationsOf{}
	}
	w.evaluations[principal] = &evaluationsOf{byKey: make(map[evalKey]*evaluation, n)}
}

// keepEvaluation files an evaluation under its principal; the caller
// holds w.mu.
func (w *Workspace) keepEvaluation(principal string, key evalKey, e *evaluation) {
	if w.evaluations == nil {
		w.evaluations = map[string]*evaluationsOf{}
	}
	o := w.evaluations[principal]
	if o == nil {
		o = &evaluationsOf{byKey: map[evalKey]*evaluation{}}
		w.evaluations[principal] = o
	}
	o.add(key, e)
}

// evalKey names a request of a grant among its principal's: its action,
// resource and context. A context of one key with one value (the
// endpoint of the caller's account, as every grant of an account with
// one has) is kept as it is, and only a larger one written out: the key
// was made for each request looked up, thousands on a keystroke at 5,000
// policies (issue 16), and writing it out was most of what an index
// update allocated there for it.
type evalKey struct {
	action, resource string
	keys             int    // in the context
	key, value       string // a context's one key and value
	more             string // a larger context, written out
}

func requestKey(req Request) evalKey {
	k := evalKey{action: req.Action, resource: req.Resource, keys: len(req.Context)}
	if len(req.Context) == 1 {
		for key, values := range req.Context {
			if len(values) == 1 {
				k.key, k.value = key, values[0]
				return k
			}
		}
	}
	if len(req.Context) == 0 {
		return k
	}
	var b strings.Builder
	keys := make([]string, 0, len(req.Context))
	for key := range req.Context {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	for _, key := range keys {
		b.WriteString("\x00" + key + "=" + strings.Join(req.Context[key], "\x01"))
	}
	k.more = b.String()
	return k
}
