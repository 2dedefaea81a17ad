package eval

import (
	"bytes"
	"slices"
	"strings"
	"sync"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// Scenario is everything one request is decided against. Every policy
// list may be empty; nil SCPs or RCPs mean the AWS defaults
// (FullAWSAccess, RCPFullAWSAccess).
type Scenario struct {
	Request          Request
	IdentityPolicies []*Doc
	ResourcePolicy   *Doc // the bucket policy
	// SCPs are the levels of the organization tree from the root down; at
	// each level one attached policy must allow. RCPs are listed the same
	// way, but only their Deny statements matter (see run).
	SCPs, RCPs       [][]*Doc
	Boundaries       []*Doc
	SessionPolicy    *Doc
	EndpointPolicies []*Doc
	KeyPolicy        *Doc // the policy of the bucket's KMS key
	Bucket           *analysis.BucketFacts
	// BucketSource names where Bucket comes from in causes; "" is the
	// scenario's "bucket" field.
	BucketSource string
	// ManagementAccount is the organization's management account, to which
	// SCPs and RCPs do not apply.
	ManagementAccount string

	// identityIndex and scpIndex index IdentityPolicies and the SCPs of
	// every level (Workspace.Scenario builds them once per principal and
	// account); nil, or built over other lists, means none.
	identityIndex, scpIndex *docIndex
	scpLevels               [][]*Doc // the SCPs scpIndex was built over
	scpAllowLists           []int32  // the levels of scpLevels that are not deny lists (scpDocs)
	// reads, when set, records what the evaluation reads (a workspace's
	// evaluations, which an edit may keep).
	reads *ReadSet
	// shared, for a workspace's scenario, keeps once the words and the
	// lists of causes its evaluations share (sharedCauses).
	shared *sharedCauses
	// said, for a scenario read into a ScenarioRoom, keeps once the words
	// its causes say of its request, without it: the room's, for every
	// scenario read into it (ScenarioRoom.said).
	said map[words]analysis.CauseMessage
	// causeRoom, when set, is an array the evaluation gathers its causes
	// in, from its start: the workspace's, which keeps copies of them
	// (keptCauses) and uses it again for the next (Workspace.evaluate).
	causeRoom []Cause
	// layerRoom, when set, is the array the evaluation gathers the layers
	// that block it in (Result.BlockedBy): a room's, as its causeRoom.
	layerRoom []Layer
	// result is the result a pass of evaluate writes: the passes point at
	// it, and one of its own moved to the heap each time.
	result Result
	// elsewhere: nobody says which account owns the bucket, and the
	// request is decided as if it were another than the caller's, whose
	// ID the tool cannot know (Explain).
	elsewhere bool
}

// Evaluate decides the scenario's request: the S3 request itself, the
// bucket's requester-pays and object-ownership settings, and for an
// SSE-KMS object the KMS request S3 makes on the caller's behalf.
//
// A condition on a key whose value the tool cannot know (unknownKeys)
// decides nothing by itself: the request is evaluated with those
// conditions taken in favour of access, then against it. Denied in the
// first case is denied; allowed in the second is allowed; otherwise the
// decision is AllowedIf, and the causes say when the request is denied.
func Evaluate(s *Scenario) Result {
	return s.decideUnknowns()
}

// decideUnknowns decides the request with the conditions on unknown keys
// taken in favour of access, then, when one mattered, against it.
func (s *Scenario) decideUnknowns() Result {
	best := s.evaluate(true)
	if best.Decision != Allowed || !best.dependsOnUnknown {
		return best
	}
	worst := s.evaluate(false)
	if worst.Decision != Allowed {
		worst.Decision = AllowedIf
	}
	return worst
}

// evaluate decides the request with the conditions on unknown keys taken
// in favour of access (optimistic) or against it.
func (s *Scenario) evaluate(optimistic bool) Result {
	r := &s.result
	*r = Result{optimistic: optimistic, about: target{s.Request.Action, s.Request.Resource}, Causes: s.causeRoom[:0], BlockedBy: s.layerRoom[:0]}
	p := parsePrincipal(s.Request.Principal)
	bucketAccount := s.resourceAccount(p)
	account := bucketAccount
	if owner := s.writerOwner(bucketAccount); owner != "" && owner == p.account {
		// The object owner's account grants its principals access to its
		// own object through their identity policies; the bucket policy
		// can still deny.
		// https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-auth-workflow-object-operation.html
		account = owner
	}
	region := ""
	if s.Bucket != nil {
		region = s.Bucket.Region
	}
	main := newPass(s, p, target{s.Request.Action, s.Request.Resource}, account, region, r)
	main.setResourceDoc(s.ResourcePolicy)
	main.run()
	main.release()
	s.bucketSettings(p, bucketAccount, r)
	for _, action := range s.kmsActions() {
		s.kmsPass(p, action, r)
	}
	r.decide()
	return *r
}

func (s *Scenario) resourceAccount(p principal) string {
	switch {
	case s.Request.ResourceAccount != "":
		return s.Request.ResourceAccount
	case s.Bucket != nil && s.Bucket.Account != "":
		return s.Bucket.Account
	case s.elsewhere:
		return ""
	}
	return p.account
}

// pass is one evaluation of one action on one resource.
type pass struct {
	s               *Scenario
	p               principal
	target          target
	resourceAccount string
	ctx             contextKeys
	// resourceDocs is the resource policy alone (resourceOne), or none;
	// sessionDocs the session policy alone: lists the layers take, built
	// once per pass.
	resourceDocs, sessionDocs []*Doc
	resourceOne, sessionOne   [1]*Doc
	kms                       bool // the KMS request behind an SSE-KMS object
	out                       *Result
	// escaped is the target's resource as matchResource matches it, and
	// candidates the sites of each index that may match the target (a
	// scenario has two indexes at most, each with its index of Deny
	// statements).
	escaped    string
	candidates [4]indexSites
	// action is the target's action lower-cased, as the indexes list
	// actions: made on the first index asked, then kept for the others.
	action string
	reads  *ReadSet // the scenario's, or nil
}

type indexSites struct {
	ix    *docIndex
	sites []int32
}

func newPass(s *Scenario, p principal, t target, resourceAccount, region string, out *Result) *pass {
	e := passes.Get().(*pass)
	*e = pass{s: s, p: p, target: t, resourceAccount: resourceAccount, out: out, escaped: escapeWild(t.resource), reads: s.reads}
	e.reads.target(t)
	e.ctx.init(&s.Request, p, resourceAccount, region)
	e.ctx.unknownResourceAccount = resourceAccount == "" && s.elsewhere
	if s.SessionPolicy != nil {
		e.sessionOne[0] = s.SessionPolicy
		e.sessionDocs = e.sessionOne[:]
	}
	return e
}

// passes keeps the passes done with: a pass with its request context is
// some 800 bytes, and a batch of scenarios makes several per scenario.
var passes = sync.Pool{New: func() any { return new(pass) }}

// release gives the pass back once it has run: nothing it holds outlives
// it (causes copy what they say).
func (e *pass) release() {
	*e = pass{}
	passes.Put(e)
}

// setResourceDoc sets the resource policy of the pass: the bucket's, or
// the key's.
func (e *pass) setResourceDoc(d *Doc) {
	e.resourceOne[0], e.resourceDocs = d, nil
	if d != nil {
		e.resourceDocs = e.resourceOne[:]
	}
}

// indexOf returns the scenario's index of docs when it has one: only
// for policies that name no principal, which the index is built for.
func (e *pass) indexOf(docs []*Doc, withPrincipal bool) *docIndex {
	if withPrincipal || len(docs) == 0 {
		return nil
	}
	for _, ix := range [...]*docIndex{e.s.identityIndex, e.s.scpIndex} {
		if ix.covers(docs) {
			return ix
		}
	}
	return nil
}

// sitesOf lists, in order, the statements of an index that may match the
// target's action and resource: the only ones that can apply.
func (e *pass) sitesOf(ix *docIndex) []int32 {
	if e.action == "" {
		e.action = lowerAction(e.target.action)
	}
	for i := range e.candidates {
		c := &e.candidates[i]
		if c.ix == ix {
			return c.sites
		}
		if c.ix == nil {
			c.ix, c.sites = ix, ix.candidates(e.action, e.escaped)
			return c.sites
		}
	}
	return ix.candidates(e.action, e.escaped)
}

// layerDocs are the policies of one layer, and whether they name
// principals.
type layerDocs struct {
	layer         Layer
	docs          []*Doc
	withPrincipal bool
}

// applicable lists every policy that applies to this pass, in the order
// AWS evaluates them, in out's array.
func (e *pass) applicable(out []layerDocs) []layerDocs {
	if e.rcpApplies() {
		out = append(out, layerDocs{LayerRCP, flatten(e.s.RCPs), true})
	}
	if e.scpApplies() {
		out = append(out, layerDocs{LayerSCP, e.s.flatSCPs(), false})
	}
	if e.endpointApplies() {
		out = append(out, layerDocs{LayerEndpoint, e.s.EndpointPolicies, true})
	}
	out = append(out,
		layerDocs{e.sideLayer(LayerResource), e.resourceDocs, true},
		layerDocs{e.sideLayer(LayerIdentity), e.s.IdentityPolicies, false},
		layerDocs{LayerBoundary, e.s.Boundaries, false},
		layerDocs{LayerSession, e.sessionDocs, false})
	return out
}

// holdsOwnSCPLevels reports whether SCPs are the levels the workspace
// gave the scenario (Workspace.gather), the same array, which nothing
// changes: what it keeps of them (scpIndex, scpAllowLists) holds.
func (s *Scenario) holdsOwnSCPLevels() bool {
	return s.scpIndex != nil && len(s.SCPs) > 0 && len(s.scpLevels) == len(s.SCPs) && &s.scpLevels[0] == &s.SCPs[0]
}

// flatSCPs are the SCPs of every level, in order: the index's list when
// it was built over these levels.
func (s *Scenario) flatSCPs() []*Doc {
	same := s.scpIndex != nil && len(s.scpLevels) == len(s.SCPs)
	if s.holdsOwnSCPLevels() {
		// A workspace's scenario lists the levels its index was built
		// over, the same array (Workspace.gather): comparing them level
		// by level, fifty levels of two policies for an upload at 10,000
		// governed policies, was a twelfth of its Deny statements' cost.
		return s.scpIndex.docs
	}
	for i := 0; same && i < len(s.SCPs); i++ {
		same = slices.Equal(s.scpLevels[i], s.SCPs[i])
	}
	if same {
		return s.scpIndex.docs
	}
	return flatten(s.SCPs)
}

func flatten(levels [][]*Doc) []*Doc {
	if len(levels) == 1 {
		return levels[0]
	}
	var out []*Doc
	for _, l := range levels {
		out = append(out, l...)
	}
	return out
}

// sideLayer names the identity and resource sides; in the KMS pass both
// are the kms layer.
func (e *pass) sideLayer(l Layer) Layer {
	if e.kms {
		return LayerKMS
	}
	return l
}

// SCPs do not apply to service-linked roles nor to the management account.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html
func (e *pass) scpApplies() bool {
	return e.s.SCPs != nil && e.p.inAccount() && !e.p.linked && (e.s.ManagementAccount == "" || e.p.account != e.s.ManagementAccount)
}

// RCPs do not apply to resources of the management account.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps.html
func (e *pass) rcpApplies() bool {
	return e.s.RCPs != nil && (e.s.ManagementAccount == "" || e.resourceAccount != e.s.ManagementAccount)
}

// The endpoint policy filters requests that come through the endpoint.
// https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
func (e *pass) endpointApplies() bool {
	return !e.kms && len(e.s.EndpointPolicies) > 0 && len(e.ctx.get("aws:SourceVpce")) > 0
}

func (e *pass) run() {
	if e.explicitDeny() {
		return
	}
	// RCPs need no Allow: AWS keeps RCPFullAWSAccess attached at every
	// level, so only their Deny statements (above) can block.
	// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_rcps_evaluation.html
	if e.scpApplies() {
		e.requireSCPs()
	}
	if e.endpointApplies() && !e.allows(e.s.EndpointPolicies, true) {
		e.out.add(e.implicitCause(LayerEndpoint, e.s.EndpointPolicies, true))
	}
	e.grants()
}

// explicitDeny reports every Deny statement that applies; one is enough.
func (e *pass) explicitDeny() bool {
	found := false
	var layers [7]layerDocs
	var judged judgedTexts
	reads := e.reads
	for _, l := range e.applicable(layers[:0]) {
		e.reads = reads
		if unrecordedLayers[l.layer] {
			e.reads = nil
		}
		list := e.denyStatements(l.docs, l.withPrincipal)
		left := len(list.sites) // of an index's Deny statements, this one's included
		e.reads.room(left)
		if list.denies {
			found = e.indexedDenies(l, list, &judged) || found
			continue
		}
		for d, st := range list.all {
			left--
			if !st.IsDeny() {
				continue
			}
			if v := judged.judge(e, d, st, l.withPrincipal); v.applies() {
				e.roomForDenies(left + 1)
				e.out.add(e.denyCause(l.layer, d, st, v))
				found = true
			}
		}
	}
	e.reads = reads
	return found
}

// indexedDenies is explicitDeny for a layer's list of an index's Deny
// statements (docIndex.denies): they need no second look at their
// Effect, and the cause of each site is made once in a workspace
// (denyCauseAt).
func (e *pass) indexedDenies(l layerDocs, list statementList, judged *judgedTexts) bool {
	found := false
	var causes *siteCauses // looked up on the first Deny that applies
	for i, n := range list.sites {
		site := &list.ix.sites[n]
		if v := judged.judgeSite(e, list.ix, n, l.withPrincipal); v.applies() {
			e.roomForDenies(len(list.sites) - i)
			if causes == nil {
				causes = e.s.shared.denyCausesOf(list.ix)
			}
			e.out.add(e.denyCauseAt(causes, n, l.layer, site.doc, site.st, v))
			found = true
		}
	}
	return found
}

// unrecordedLayers are the layers whose Deny statements a kept evaluation
// does not record reading (ReadSet): the policies of an organization,
// whose edits are never asked what an evaluation read, since an edit in
// place is one of an identity policy's (EditedInPlace), and the language
// server evaluates again every request of the accounts an SCP or RCP
// applies to. In the governed folders each upload reads the fifty Deny
// statements of its account's SCPs: at 10,000 governed policies they were
// 300,000 of the 437,288 statements the kept evaluations recorded.
var unrecordedLayers = map[Layer]bool{LayerSCP: true, LayerRCP: true}

// roomForDenies gives the causes room for the Deny statements of a layer
// left to judge when they have no room left: the same Deny in the fifty
// SCPs of an account blocks each of its uploads, and appending them one
// by one made seven arrays for each upload, all garbage once the list is
// shared or answered (issue 16). The list is not kept with this room:
// the workspace keeps its copies of the causes (keptCauses), an answer its own.
func (e *pass) roomForDenies(left int) {
	if len(e.out.Causes) == cap(e.out.Causes) && left > 1 {
		e.out.Causes = slices.Grow(e.out.Causes, left)
	}
}

// judgedTexts are the verdicts of one pass on the Deny statements it
// has judged, by their text. An organization attaches the same Deny to
// many policies (the governed folders' RequireKMSUploads stands in fifty
// SCPs of each account), and within one pass (one action, one resource,
// one request context) the same text gets the same verdict: judge reads
// of a statement only its text, the policy's Version, whether the layer
// names principals and whether it is a gateway endpoint's. The evaluation logic is unchanged: every Deny
// that applies is still reported, each with its own policy.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
type judgedTexts struct {
	n    int
	seen [8]judgedText // the first texts judged; a pass meets few distinct ones
	// The first classes of an index's sites judged (judgeSite).
	classes int
	bySite  [8]judgedClass
}

// judgedClass is the verdict on the sites of an index of one text class
// (docIndex.textClasses).
type judgedClass struct {
	ix            *docIndex
	class         int32
	withPrincipal bool
	v             verdict
}

type judgedText struct {
	text                         []byte
	vars, withPrincipal, gateway bool // gateway: of a gateway endpoint's policy (Doc.Gateway)
	v                            verdict
}

// judge is e.judge(d, st, withPrincipal), taken from a statement of the
// same text judged before in the pass when there is one.
func (j *judgedTexts) judge(e *pass, d *Doc, st *analysis.Statement, withPrincipal bool) verdict {
	text, ok := statementText(d, st)
	if !ok {
		return e.judge(d, st, withPrincipal)
	}
	vars := d.variables()
	for i := range j.seen[:j.n] {
		s := &j.seen[i]
		if len(s.text) == len(text) && s.vars == vars && s.withPrincipal == withPrincipal && s.gateway == d.Gateway && bytes.Equal(s.text, text) {
			e.reads.read(d, st.Index)
			return s.v
		}
	}
	v := e.judge(d, st, withPrincipal)
	if j.n < len(j.seen) {
		j.seen[j.n] = judgedText{text: text, vars: vars, withPrincipal: withPrincipal, gateway: d.Gateway, v: v}
		j.n++
	}
	return v
}

// judgeSite is judge for site n of an index of Deny statements, told
// alike by the text class the index gives it when it has one: the fifty
// Deny statements of the same text in an account's SCPs, which each of
// its uploads judges, were each read through their file's text (their
// statement, its span, the policy's Version, then the text: memory far
// apart) to find that, 4 % of answering every principal at 10,000
// governed policies (BenchmarkBlockedGovernedBatch's folder, 5x larger).
func (j *judgedTexts) judgeSite(e *pass, ix *docIndex, n int32, withPrincipal bool) verdict {
	site := &ix.sites[n]
	if ix.textClasses == nil { // not an index of Deny statements
		return j.judge(e, site.doc, site.st, withPrincipal)
	}
	class := ix.textClasses[n]
	if class < 0 {
		return e.judge(site.doc, site.st, withPrincipal)
	}
	for i := range j.bySite[:j.classes] {
		if c := &j.bySite[i]; c.ix == ix && c.class == class && c.withPrincipal == withPrincipal {
			e.reads.read(site.doc, site.st.Index)
			return c.v
		}
	}
	v := e.judge(site.doc, site.st, withPrincipal)
	if j.classes < len(j.bySite) {
		j.bySite[j.classes] = judgedClass{ix: ix, class: class, withPrincipal: withPrincipal, v: v}
		j.classes++
	}
	return v
}

// statementText is the text of a statement in a policy file of its own:
// the same text parses to the same statement. A policy inside another
// file (Host), or one the engine assumes, is left out.
func statementText(d *Doc, st *analysis.Statement) ([]byte, bool) {
	if d.Host != nil || d.Assumed || st.Obj == nil {
		return nil, false
	}
	sp := st.Obj.Span
	if sp.Start < 0 || sp.End <= sp.Start || sp.End > len(d.Src) {
		return nil, false
	}
	return d.Src[sp.Start:sp.End], true
}

// statements lists, in order, the statements of docs that may apply to
// the target: through the scenario's index of docs when it has one (the
// others cannot match the action and the resource both), else all.
func (e *pass) statements(docs []*Doc, withPrincipal bool) statementList {
	if ix := e.indexOf(docs, withPrincipal); ix != nil {
		return statementList{ix: ix, sites: e.sitesOf(ix)}
	}
	e.reads.readAll(docs)
	return statementList{docs: docs}
}

// denyStatements lists, in order, the statements of docs that may be a
// Deny that applies to the target: the index's Deny statements that may
// match it when the scenario indexes docs, else every statement.
func (e *pass) denyStatements(docs []*Doc, withPrincipal bool) statementList {
	if ix := e.indexOf(docs, withPrincipal); ix != nil && ix.denies != nil {
		return statementList{ix: ix.denies, sites: e.sitesOf(ix.denies), denies: true}
	}
	return e.statements(docs, withPrincipal)
}

// statementList is the statements of some sites of an index, or of every
// statement of docs.
type statementList struct {
	ix    *docIndex
	sites []int32
	docs  []*Doc
	// denies: ix indexes Deny statements alone (docIndex.denies).
	denies bool
}

func (l statementList) all(yield func(*Doc, *analysis.Statement) bool) {
	if l.ix != nil {
		for _, n := range l.sites {
			if !yield(l.ix.sites[n].doc, l.ix.sites[n].st) {
				return
			}
		}
		return
	}
	for _, d := range l.docs {
		for _, st := range d.Policy.Statements {
			if !yield(d, st) {
				return
			}
		}
	}
}

// requireSCPs requires an Allow at every level of SCPs. A deny list
// beside FullAWSAccess allows every request (allows): of a workspace's
// levels only the others are judged (scpAllowLists). An upload at 10,000
// governed policies has 250 levels, every one a deny list, and asking
// each whether it is one, in the main and the KMS pass of every request,
// was 9 % of answering every principal (BenchmarkBlockedGovernedBatch).
func (e *pass) requireSCPs() {
	if e.s.holdsOwnSCPLevels() {
		for _, i := range e.s.scpAllowLists {
			e.requireSCPLevel(e.s.SCPs[i])
		}
		return
	}
	for _, level := range e.s.SCPs {
		e.requireSCPLevel(level)
	}
}

// requireSCPLevel requires an Allow in one level of SCPs.
func (e *pass) requireSCPLevel(level []*Doc) {
	if !e.allows(level, false) {
		e.out.add(e.implicitCause(LayerSCP, level, false))
	}
}

// allows reports whether one Allow statement of docs applies.
func (e *pass) allows(docs []*Doc, withPrincipal bool) bool {
	if !withPrincipal && fullAccessLevel(docs) {
		return true
	}
	_, ok := e.bestGrant(docs, withPrincipal)
	return ok
}

// fullAccessLevel reports whether docs are a deny-list SCP beside
// FullAWSAccess (scpLevel): FullAWSAccess applies to every request, and
// judging it or the Deny statements beside it changes nothing else.
func fullAccessLevel(docs []*Doc) bool {
	// scpLevel adds FullAWSAccess only beside a policy without an Allow.
	return len(docs) == 2 && docs[1] == fullAWSAccess()
}

// bestGrant is the strongest grant among the Allow statements that apply.
func (e *pass) bestGrant(docs []*Doc, withPrincipal bool) (grant, bool) {
	best, ok := noGrant, false
	for d, st := range e.statements(docs, withPrincipal).all {
		if !st.IsAllow() {
			continue
		}
		if v := e.judge(d, st, withPrincipal); v.applies() {
			ok = true
			best = max(best, v.grant)
		}
	}
	return best, ok
}

// grants combines the identity side and the resource side.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html
func (e *pass) grants() {
	g, resourceAllows := e.bestGrant(e.resourceDocs, true)
	sameAccount := e.p.account != "" && e.p.account == e.resourceAccount
	switch {
	case !e.p.inAccount():
		// Anonymous callers and services have no identity side.
		if !resourceAllows {
			e.out.add(e.implicitCause(e.sideLayer(LayerResource), e.resourceDocs, true))
		}
	case sameAccount && g == directGrant:
		// A grant to the user or the role session is enough on its own.
	case sameAccount && g == roleGrant:
		e.requireLimits()
	case sameAccount && !e.kms:
		e.requireIdentitySide()
	default:
		// Across accounts both sides must allow; a KMS key policy must
		// allow even in the same account.
		if !resourceAllows {
			e.out.add(e.implicitCause(e.sideLayer(LayerResource), e.resourceDocs, true))
		}
		e.requireIdentitySide()
	}
}

// requireIdentitySide: the identity policies, limited by the boundary and
// the session policy.
func (e *pass) requireIdentitySide() {
	if e.p.kind == rootPrincipal {
		// The root user holds every permission of its account.
		// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user.html
		return
	}
	if !e.allows(e.s.IdentityPolicies, false) {
		e.out.add(e.implicitCause(e.sideLayer(LayerIdentity), e.s.IdentityPolicies, false))
	}
	e.requireLimits()
}

// requireLimits: a permissions boundary and a session policy never grant,
// but what they do not allow is denied.
func (e *pass) requireLimits() {
	for i := range e.s.Boundaries {
		if b := e.s.Boundaries[i : i+1]; !e.allows(b, false) {
			e.out.add(e.implicitCause(LayerBoundary, b, false))
		}
	}
	if e.sessionDocs != nil && !e.allows(e.sessionDocs, false) {
		e.out.add(e.implicitCause(LayerSession, e.sessionDocs, false))
	}
}

// bucketSettings applies requester pays and object ownership.
func (s *Scenario) bucketSettings(p principal, bucketAccount string, r *Result) {
	b := s.Bucket
	if b == nil {
		return
	}
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/RequesterPaysBuckets.html
	if b.RequesterPays && (p.account == "" || p.account != bucketAccount && !s.Request.requesterPays()) {
		r.add(Cause{Code: CodeRequesterPays, Layer: LayerRequesterPays, Policy: s.bucketSource(), Statement: -1, Message: requesterPaysMessage(b.Name, p.account == "")})
	}
	// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
	owner := s.writerOwner(bucketAccount)
	switch {
	case owner == "" || p.account == owner:
		// The bucket owner's object, or the writer's principal on its own
		// object (decided by its identity policy, see evaluate).
	case p.account == bucketAccount && s.Request.ObjectACL == ownerFullControl:
		// The object's ACL grants the bucket owner full control.
	default:
		r.add(Cause{Code: CodeObjectOwnership, Layer: LayerOwnership, Policy: s.bucketSource(), Statement: -1, Message: ownershipMessage(owner, b)})
	}
}

const ownerFullControl = "bucket-owner-full-control"

// writerOwner is the account that owns the request's object when it is
// not the bucket owner: the writer under ObjectWriter, and under
// BucketOwnerPreferred when the upload did not carry the
// bucket-owner-full-control ACL. BucketOwnerEnforced disables ACLs: the
// bucket owner owns every object.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
//
// Ownership decides only what the object's ACL governs: reading the
// object, its ACL and its tags. Writing a key is authorized at the bucket
// (the new object gets a new owner), and "the bucket owner can deny access
// to any objects, or delete any objects in the bucket, regardless of who
// owns them".
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html
func (s *Scenario) writerOwner(bucketAccount string) string {
	b, owner := s.Bucket, s.Request.ObjectOwner
	if b == nil || owner == "" || owner == bucketAccount || !isObjectARN(s.Request.Resource) || !ownedAction(s.Request.Action) {
		return ""
	}
	switch b.ObjectOwnership {
	case "ObjectWriter":
		return owner
	case "BucketOwnerPreferred":
		if s.Request.ObjectACL != ownerFullControl {
			return owner
		}
	}
	return ""
}

// ownedActions are the object actions the object's ACL governs (READ,
// READ_ACP, WRITE_ACP; tags with them), lower-cased.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html#permissions
var ownedActions = map[string]bool{
	"s3:getobject": true, "s3:getobjectversion": true,
	"s3:getobjectattributes": true, "s3:getobjectversionattributes": true,
	"s3:getobjecttorrent": true, "s3:getobjectversiontorrent": true,
	"s3:getobjectacl": true, "s3:getobjectversionacl": true,
	"s3:putobjectacl": true, "s3:putobjectversionacl": true,
	"s3:getobjecttagging": true, "s3:getobjectversiontagging": true,
	"s3:putobjecttagging": true, "s3:putobjectversiontagging": true,
	"s3:deleteobjecttagging": true, "s3:deleteobjectversiontagging": true,
}

func ownedAction(action string) bool { return ownedActions[lowerAction(action)] }

func (s *Scenario) bucketSource() string {
	if s.BucketSource != "" {
		return s.BucketSource
	}
	return "bucket"
}

func isObjectARN(s string) bool {
	a, ok := analysis.ParseARN(s)
	if !ok || !a.IsS3() {
		return false
	}
	_, _, isObject := a.S3Bucket()
	return isObject
}

// kmsActions are the KMS actions S3 calls for the request on an SSE-KMS
// bucket: kms:Decrypt to read, kms:GenerateDataKey to write, and both for
// a multipart upload.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
func (s *Scenario) kmsActions() []string {
	if s.Bucket == nil || !strings.HasPrefix(s.Bucket.Encryption, "aws:kms") || !isObjectARN(s.Request.Resource) {
		return nil
	}
	// An ASCII action is folded as it is compared: lower-casing it was a
	// string for each upload and download of an SSE-KMS bucket (issue 16).
	is := func(lower string) bool { return strings.EqualFold(s.Request.Action, lower) }
	if !asciiOnly(s.Request.Action) {
		action := strings.ToLower(s.Request.Action)
		is = func(lower string) bool { return action == lower }
	}
	switch {
	case is("s3:getobject"), is("s3:getobjectversion"):
		return kmsDecrypt
	case is("s3:putobject"):
		if s.Request.Multipart {
			return []string{"kms:GenerateDataKey", "kms:Decrypt"}
		}
		return kmsGenerateDataKey
	}
	return nil
}

// The lists kmsActions gives most, made once: nobody changes them.
var (
	kmsDecrypt         = []string{"kms:Decrypt"}
	kmsGenerateDataKey = []string{"kms:GenerateDataKey"}
)
