package eval

import (
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// Grant is one request a bucket policy means to allow: an S3 action of an
// Allow statement, for a principal of another account that the workspace
// knows (an identity policy with a principal in .s3policy.json).
type Grant struct {
	Policy    *analysis.File      // the bucket policy
	Statement *analysis.Statement // the Allow statement
	Names     *analysis.Value     // the Principal entry that names the caller or its account
	Request   Request
}

// MaxGrantActions caps the actions taken from one statement, so that a
// long Action list does not flood the editor.
const MaxGrantActions = 8

// Grants lists the requests a bucket policy grants to other accounts'
// principals of the workspace, in statement order, then principal, then
// action. Only literal S3 actions count: a wildcard names no request.
func (w *Workspace) Grants(bucketPolicy *analysis.File) []Grant {
	return w.grants(bucketPolicy, w.principals())
}

// grants lists the requests a bucket policy grants to the given
// principals.
func (w *Workspace) grants(bucketPolicy *analysis.File, principals []string) []Grant {
	if bucketPolicy.Kind != analysis.KindBucket || bucketPolicy.Policy == nil {
		return nil
	}
	var out []Grant
	callers := make([]caller, len(principals))
	for i, p := range principals {
		callers[i] = newCaller(p)
	}
	for _, st := range bucketPolicy.Policy.Statements {
		if !st.IsAllow() || st.Principal == nil {
			continue
		}
		for _, c := range callers {
			p := c.arn
			names := c.namedBy(st)
			if names == nil || w.ownsBucketOf(st, accountOf(p)) {
				continue
			}
			for _, action := range grantedActions(st) {
				if resource := grantedResource(st, action); resource != "" {
					req := Request{Principal: p, Action: action, Resource: resource, Context: w.endpointContext(accountOf(p))}
					out = append(out, Grant{bucketPolicy, st, names, req})
				}
			}
		}
	}
	return out
}

// grantsTo lists the requests the workspace's bucket policies grant one
// of its principals, as Grants gives them for every bucket policy in
// turn, from the statements that name the principal or its account
// (grantSites) instead of every statement of every bucket policy: a
// keystroke answers a principal again, and re-listing every bucket
// policy's grants was half of it at 5,000 policies (issue 16).
//
// The list is kept for each principal (not in a batch) and carried to
// the workspaces Swapped makes from this one while no bucket policy is
// swapped: an identity policy's keystroke lists its principal's grants
// again, 2.5 ms at 5,000 governed policies. Nobody changes a list.
func (w *Workspace) grantsTo(principal string) []Grant {
	w.mu.Lock()
	out, ok := w.grantLists[principal]
	batch := w.batch
	w.mu.Unlock()
	if ok {
		return out
	}
	out = w.listGrantsTo(principal)
	if !batch {
		w.mu.Lock()
		if w.grantLists == nil {
			w.grantLists = map[string][]Grant{}
		}
		w.grantLists[principal] = out
		w.mu.Unlock()
	}
	return out
}

// listGrantsTo lists what grantsTo keeps.
func (w *Workspace) listGrantsTo(principal string) []Grant {
	if !slices.Contains(w.principals(), principal) {
		return nil // Grants names only the workspace's principals
	}
	c := newCaller(principal)
	if c.account == "" {
		return nil
	}
	sites := w.grantSites()
	var mine []grantSite
	for _, name := range []string{c.arn, c.account, c.root} {
		mine = append(mine, sites[name]...)
	}
	slices.SortFunc(mine, func(a, b grantSite) int {
		if a.order != b.order {
			return int(a.order - b.order)
		}
		return a.statement - b.statement
	})
	mine = slices.Compact(mine)
	// The list is made at the most grants the sites can make instead of
	// grown by appending: a principal has 2,500 grants at 10,000 governed
	// policies (176 bytes each), and the arrays appending grew to were
	// the most the answers of check allocated after the parser's. A
	// pooled array to gather them in instead kept 440 KB for each P for
	// the server's life. Each site counted its grants when its policy
	// was described (grantNamesOf): counting them here read every
	// statement twice, and sorting by orderOf looked each file up.
	most := 0
	for _, site := range mine {
		most += int(site.actions)
	}
	if most == 0 {
		return nil
	}
	out := make([]Grant, 0, most)
	for _, site := range mine {
		st := site.file.Policy.Statements[site.statement]
		names := c.namedBy(st)
		if names == nil || w.ownsBucketOf(st, c.account) {
			continue
		}
		for _, action := range grantedActions(st) {
			if resource := grantedResource(st, action); resource != "" {
				req := Request{Principal: c.arn, Action: action, Resource: resource, Context: w.endpointContext(c.account)}
				out = append(out, Grant{site.file, st, names, req})
			}
		}
	}
	switch {
	case len(out) == 0:
		return nil // nil for none
	case len(out) < cap(out)-cap(out)/8:
		return slices.Clone(out) // the workspace keeps the list: not much room to spare
	}
	return out
}

// grantSite is an Allow statement of a bucket policy (its place in
// Policy.Statements) that names a principal, with the file's place in
// the workspace's Files (its order, by which listGrantsTo sorts a
// principal's sites) and the statement's granted actions
// (countGrantedActions, which sizes the list). The two counts take 32
// bits each, to keep a site to 24 bytes: a keystroke in a bucket policy
// copies the lists of the principals it names.
type grantSite struct {
	file           *analysis.File
	statement      int
	order, actions int32
}

// grantSites lists, by each AWS principal name a bucket policy's Allow
// statements give (an ARN, an account ID, a root ARN), the statements
// that give it, in the order of the files and their statements: built
// once while the workspace does not change, from what each bucket
// policy's text gives (grantNames, kept across edits by AddCopy).
func (w *Workspace) grantSites() map[string][]grantSite {
	m := w.Memo(grantSitesKey, func() any {
		sites := map[string][]grantSite{}
		for i, f := range w.Files {
			names, _ := w.grantNames.get(f)
			for _, g := range names {
				list := sites[g.name]
				if site := (grantSite{f, g.statement, int32(i), g.actions}); len(list) == 0 || list[len(list)-1] != site {
					sites[g.name] = append(list, site)
				}
			}
		}
		return sites
	})
	return m.(map[string][]grantSite)
}

// grantName is an AWS principal an Allow statement of a bucket policy
// names (its place in Policy.Statements), with the statement's granted
// actions (countGrantedActions), counted while the statement is read.
type grantName struct {
	name      string
	statement int
	actions   int32
}

// grantNamesOf lists the AWS principals the Allow statements of a bucket
// policy name, in order; empty, not nil, when there are none.
func grantNamesOf(f *analysis.File) []grantName {
	out := []grantName{}
	for i, st := range f.Policy.Statements {
		if !st.IsAllow() || st.Principal == nil {
			continue
		}
		actions := int32(-1) // counted at the statement's first AWS principal
		for ref := range principals(st.Principal) {
			if ref.Type == "AWS" {
				if actions < 0 {
					actions = int32(countGrantedActions(st))
				}
				out = append(out, grantName{ref.Value.Str, i, actions})
			}
		}
	}
	return out
}

// endpointContext is the context of a request from account: a VPC
// endpoint that .s3policy.json places in the account (the first by path)
// is taken to be the way its principals reach S3, so that its policy
// applies; none means the request does not go through an endpoint. The
// requests of an account share the map (nothing changes a request's
// context): one per grant was 8 MB at 10,000 governed policies.
func (w *Workspace) endpointContext(account string) map[string][]string {
	if w.endpoints[account] != "" {
		return w.endpointContexts[account]
	}
	return nil
}

// principals are the callers the workspace describes: the principals
// .s3policy.json gives identity policies, each once, sorted (kept by
// AddFile).
func (w *Workspace) principals() []string { return w.callers }

// caller is a principal with the names a grant may give it: its ARN, its
// account and the account's root ARN, built once per list of grants
// rather than once per statement.
type caller struct {
	arn, account, root string
}

func newCaller(arn string) caller {
	a, _ := analysis.ParseARN(arn)
	c := caller{arn: arn, account: a.Account}
	if c.account != "" {
		c.root = "arn:" + a.Partition + ":iam::" + c.account + ":root" // aws-cn, aws-us-gov: the caller's partition
	}
	return c
}

// namedBy returns the AWS entry of the statement's Principal that names
// the caller, by ARN or by account (ID or root ARN); the wildcard is a
// public grant, not one to an account, and is left out.
func (c caller) namedBy(st *analysis.Statement) *analysis.Value {
	if c.account == "" {
		return nil
	}
	for ref := range principals(st.Principal) {
		if v := ref.Value.Str; ref.Type == "AWS" && (v == c.arn || v == c.account || v == c.root) {
			return ref.Value
		}
	}
	return nil
}

// ownsBucketOf reports whether account owns a bucket the statement
// names, as .s3policy.json says: such a grant is not cross-account.
func (w *Workspace) ownsBucketOf(st *analysis.Statement, account string) bool {
	for _, r := range st.Resources() {
		if b := w.Buckets[analysis.BucketOfARN(r.Str)]; b != nil && b.Account == account {
			return true
		}
	}
	return false
}

// accountOf is the account of an IAM or STS ARN, or "".
func accountOf(arn string) string {
	a, ok := analysis.ParseARN(arn)
	if !ok {
		return ""
	}
	return a.Account
}

// grantedActions are the literal S3 actions of a statement, at most
// MaxGrantActions.
func grantedActions(st *analysis.Statement) []string {
	var out []string
	for _, a := range st.Actions() {
		if grantedAction(a.Str) && len(out) < MaxGrantActions {
			out = append(out, a.Str)
		}
	}
	return out
}

// countGrantedActions is len(grantedActions(st)), counted.
func countGrantedActions(st *analysis.Statement) int {
	n := 0
	for _, a := range st.Actions() {
		if grantedAction(a.Str) {
			n++
		}
	}
	return min(n, MaxGrantActions)
}

// grantedAction reports whether a statement's action is a literal S3 action.
func grantedAction(action string) bool {
	return len(action) >= 3 && strings.EqualFold(action[:3], "s3:") && !strings.ContainsAny(action, "*?")
}

// grantedResource is the statement's first Resource of the type the
// action acts on (an object ARN for object actions, else the bucket ARN),
// as written: a "*" in it is a key like any other to the engine.
func grantedResource(st *analysis.Statement, action string) string {
	wantObject := objectLevel(action)
	for _, r := range st.Resources() {
		if analysis.BucketOfARN(r.Str) != "" && isObjectARN(r.Str) == wantObject {
			return r.Str
		}
	}
	return ""
}

// objectLevel reports whether an S3 action acts on objects: the object
// actions and the two multipart-upload actions on an upload's parts.
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
func objectLevel(action string) bool {
	if !asciiOnly(action) {
		name := strings.ToLower(strings.TrimPrefix(strings.ToLower(action), "s3:"))
		return strings.Contains(name, "object") || name == "abortmultipartupload" || name == "listmultipartuploadparts"
	}
	// An ASCII action, folded as it is read: lower-casing it was two
	// strings for each grant listed (issue 16).
	name := action
	if len(name) >= 3 && strings.EqualFold(name[:3], "s3:") {
		name = name[3:]
	}
	return containsFold(name, "object") || strings.EqualFold(name, "abortmultipartupload") || strings.EqualFold(name, "listmultipartuploadparts")
}

// containsFold reports whether the ASCII string s holds the lower-case
// ASCII word in any case.
func containsFold(s, word string) bool {
	for i := 0; i+len(word) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(word)], word) {
			return true
		}
	}
	return false
}

// CauseSite locates a cause in the workspace: the decisive statement's
// Effect for an explicit Deny, else its Resource (or the statement when
// it has none); the Statement element when the whole policy is the cause;
// the start of .s3policy.json for a bucket setting. ok is false for a
// cause with no file (a missing policy, an assumed default).
func (w *Workspace) CauseSite(c Cause) (site analysis.Place, ok bool) {
	if c.Policy == "" {
		return analysis.Place{}, false
	}
	f := w.byName(c.Policy)
	if f == nil {
		path := c.Policy
		if !filepath.IsAbs(path) {
			path = filepath.Join(w.Dir, filepath.FromSlash(path))
		}
		if strings.HasSuffix(path, analysis.ConfigName) {
			return analysis.Place{Path: path}, true
		}
		return analysis.Place{}, false
	}
	at := func(span analysis.Span) analysis.Place {
		return analysis.Place{Path: f.Path, Doc: f.DocName, Span: span}
	}
	p := f.Policy
	if c.Statement < 0 || c.Statement >= len(p.Statements) {
		if p.Statement == nil {
			return at(analysis.Span{}), true
		}
		return at(p.Statement.KeySpan), true
	}
	st := p.Statements[c.Statement]
	switch {
	case c.Explicit && st.Effect != nil:
		return at(st.Effect.Value.Span), true
	case st.Resource != nil:
		return at(st.Resource.Value.Span), true
	}
	return at(st.Obj.Span), true
}

// Blocked evaluates every request the workspace's bucket policies grant
// the principal and returns those denied, with their causes
// (analysis.Workspace). The answer is kept until the workspace changes:
// the checks of one file ask for it once each.
func (w *Workspace) Blocked(principal string) []analysis.BlockedRequest {
	return w.answer(principal, nil)
}

// answer is Blocked, taking over entries of prev's answer when prev is
// not nil (BlockedFrom).
func (w *Workspace) answer(principal string, prev *Workspace) []analysis.BlockedRequest {
	// The lock is not held while evaluating: the server takes answers over
	// (Reuse) from a workspace another goroutine may still be evaluating
	// in, and must not wait for it. A second caller for the same principal
	// waits for the first one's answer instead of evaluating it again.
	for {
		w.mu.Lock()
		out, ok := w.blocked[principal]
		wait, busy := w.inflight[principal]
		if !ok && !busy {
			if w.inflight == nil {
				w.inflight = map[string]chan struct{}{}
			}
			w.inflight[principal] = make(chan struct{})
		}
		w.mu.Unlock()
		if ok {
			return out
		}
		if !busy {
			break
		}
		<-wait
	}
	defer func() {
		w.mu.Lock()
		close(w.inflight[principal])
		delete(w.inflight, principal)
		w.mu.Unlock()
	}()
	out, ok := w.answerFrom(prev, principal)
	if !ok {
		out = w.answerAll(principal)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.blocked == nil {
		w.blocked = map[string][]analysis.BlockedRequest{}
	}
	w.blocked[principal] = out
	return out
}

// answerAll makes the answer for a principal from every grant to it. The
// entries are gathered in an array used again (answerRooms) and the
// answer, which the workspace keeps, copied to an array of its size: the
// arrays appending grew to were 7 % of what answering a governed folder
// allocated (BenchmarkBlockedGoverned).
func (w *Workspace) answerAll(principal string) []analysis.BlockedRequest {
	grants := w.grantsTo(principal)
	w.roomForEvaluations(principal, len(grants))
	room := answerRooms.Get().(*[]analysis.BlockedRequest)
	entries := (*room)[:0]
	maker := w.entryMaker()
	defer maker.release()
	causeRoom := causeRooms.Get().(*[]Cause)
	// The layers that block each request: copied by a kept evaluation,
	// read by nobody of a batch one once its entry is made (evaluated).
	// Appended to a fresh array, they were the most arrays an evaluation
	// made after its causes' (issue 16).
	layers := make([]Layer, 0, 8)
	// A request two statements of a bucket policy grant (an ARN's and
	// its account's) is answered once: at 10,000 governed policies 500
	// of the 20,000 grants repeat one a few grants before, in the same
	// policy, and a batch workspace keeps no evaluation to find again.
	var policy *analysis.File
	var answered []answeredGrant // of policy's grants so far
	for i := range grants {
		g := grants[i]
		if g.Policy != policy {
			policy, answered = g.Policy, answered[:0]
		}
		if a, ok := answeredAlike(answered, g.Request); ok {
			if a.blocked {
				b := grantEntry(g)
				b.Conditional, b.Causes = a.entry.Conditional, a.entry.Causes
				entries = append(entries, b)
			}
			continue
		}
		e, made := w.evaluated(g.Request, causeRoom, layers[:0])
		a := answeredGrant{request: &grants[i].Request}
		if e.result.Decision != Allowed {
			if b := maker.blockedRequest(g, e); len(b.Causes) > 0 {
				entries = append(entries, b)
				a.blocked, a.entry = true, b
			}
		}
		answered = append(answered, a)
		if made != nil {
			// A batch evaluation, kept by nobody, whose causes the entry
			// copied: its array gathers the next one's. Each upload of a
			// governed folder has the Deny of fifty SCPs, and an array
			// grown for each was 28 MB of the answers of 10,000 policies.
			all := made.Causes[:cap(made.Causes)]
			clear(all)
			*causeRoom = all[:0]
			// Nor does anything hold the evaluation: the entry copied
			// what it says, and the next grant alike finds the entry.
			*e = evaluation{}
			batchEvaluations.Put(e)
		}
	}
	if cap(*causeRoom) <= maxCauseRoom {
		causeRooms.Put(causeRoom)
	}
	var out []analysis.BlockedRequest // nil for none
	if len(entries) > 0 {
		out = slices.Clone(entries)
	}
	clear(entries)
	*room = entries[:0]
	answerRooms.Put(room)
	return out
}

// answeredGrant is the outcome of a grant's request in answerAll: the
// entry it made, when the request is blocked.
type answeredGrant struct {
	request *Request
	blocked bool
	entry   analysis.BlockedRequest
}

// answeredAlike finds the outcome of the same request among answered:
// its entry holds for every grant of the request, but for the grant's
// own place (grantEntry). The requests of one principal's grants share
// their context (endpointContext), so that requestKey is made only for
// the same action and resource.
func answeredAlike(answered []answeredGrant, req Request) (answeredGrant, bool) {
	for _, a := range answered {
		if a.request.Action == req.Action && a.request.Resource == req.Resource && requestKey(*a.request) == requestKey(req) {
			return a, true
		}
	}
	return answeredGrant{}, false
}

// answerRooms are the arrays answerAll gathers entries in, empty.
var answerRooms = sync.Pool{New: func() any { return new([]analysis.BlockedRequest) }}

// entryMaker makes the entries of one answer (blockedRequest) and keeps,
// from one entry to the next, the place of each cause it has placed and
// the array an entry's causes are gathered in: an identity policy's
// keystroke makes again the entries of its principal whose causes are in
// the policy (their places moved), at 5,000 governed policies about 800
// entries of ten causes, most of them causes of other entries too (an
// account's SCPs), and placing a cause (CauseSite, then the table's copy
// of the place) was a quarter of making an entry (issue 16).
//
// A batch workspace's evaluations are not kept, and answerAll gathers
// each one's causes in the same array: there the maker knows a cause's
// place by what CauseSite reads of it (bySite), not by its address.
type entryMaker struct {
	w      *Workspace
	batch  bool
	sites  map[*Cause]causeSite
	bySite map[causeSiteKey]causeSite
	causes []analysis.Cause
	shared *sharedCauses // w's, once asked for
}

// causeSiteKey is what CauseSite reads of a cause.
type causeSiteKey struct {
	policy    string
	statement int
	explicit  bool
}

// causeSite is where a cause is, as the workspace's table holds the place.
type causeSite struct {
	at      *analysis.Place
	located bool
}

// entryMakers are made once and used again: an answer is made for each
// keystroke.
var entryMakers = sync.Pool{New: func() any {
	return &entryMaker{sites: map[*Cause]causeSite{}, bySite: map[causeSiteKey]causeSite{}}
}}

// entryMaker returns a maker of the workspace's answer entries; the
// caller releases it once the answer is made.
func (w *Workspace) entryMaker() *entryMaker {
	m := entryMakers.Get().(*entryMaker)
	m.w = w
	w.mu.Lock()
	m.batch = w.batch
	w.mu.Unlock()
	return m
}

// release gives the maker back, keeping nothing of the workspace alive.
func (m *entryMaker) release() {
	m.w, m.shared = nil, nil
	clear(m.sites)
	clear(m.bySite)
	clear(m.causes[:cap(m.causes)])
	m.causes = m.causes[:0]
	entryMakers.Put(m)
}

// site is where a cause is: the workspace's place of it (CauseSite), once
// for the answer.
func (m *entryMaker) site(shared *sharedCauses, c *Cause) causeSite {
	if m.batch {
		k := causeSiteKey{c.Policy, c.Statement, c.Explicit}
		s, ok := m.bySite[k]
		if !ok {
			s = m.placed(shared, c)
			m.bySite[k] = s
		}
		return s
	}
	s, ok := m.sites[c]
	if !ok {
		s = m.placed(shared, c)
		m.sites[c] = s
	}
	return s
}

// placed is the site of a cause, found.
func (m *entryMaker) placed(shared *sharedCauses, c *Cause) causeSite {
	place, located := m.w.CauseSite(*c)
	return causeSite{at: shared.place(place), located: located}
}

// blockedRequest is the entry of an answer for a grant's request the
// evaluation denies. Its causes are a list the workspace shares with every
// request blocked alike (sharedCauses): their words name the request
// only when rendered with it.
func (m *entryMaker) blockedRequest(g Grant, e *evaluation) analysis.BlockedRequest {
	w := m.w
	b := grantEntry(g)
	b.Conditional = e.result.Decision == AllowedIf
	if m.shared == nil {
		m.shared = w.cache().shared // once for the answer: cache takes the workspace's lock
	}
	shared := m.shared
	// A list the workspace shares gives every request whose grant the
	// same causes narrow the same causes: its words hold no request. They
	// are made once for all such requests (an identity policy's keystroke
	// answers a thousand requests of its principal again at 5,000
	// governed policies, most of them blocked alike).
	n := e.numCauses()
	fits := n <= 64     // narrowed holds a bit for every cause
	var narrowed uint64 // bit i: the i-th cause narrows the grant
	once := fits && len(e.causes) > 0
	if fits {
		for i := range n {
			if w.narrows(g, e.cause(i)) {
				narrowed |= 1 << i
			}
		}
	}
	if once {
		if causes, ok := shared.answeredOf(e.causes, narrowed); ok {
			b.Causes = causes
			return b
		}
	}
	causes := m.causes[:0] // copied when no list is alike (answerCauses)
	sameWords := true
	for i := range n {
		c := e.cause(i)
		if fits && narrowed&(1<<i) != 0 || !fits && w.narrows(g, c) {
			continue
		}
		site := m.site(shared, c)
		said := shared.message(c.Message, g.Request)
		sameWords = sameWords && said == c.Message
		causes = append(causes, analysis.Cause{Code: c.Code, Message: said, Place: site.at, Located: site.located})
	}
	m.causes = causes
	if len(causes) > 0 {
		b.Causes = shared.answerCauses(causes)
	}
	if once && sameWords {
		shared.answered(e.causes, narrowed, b.Causes)
	}
	return b
}

// grantEntry is the entry of an answer for a grant, without its causes.
func grantEntry(g Grant) analysis.BlockedRequest {
	return analysis.BlockedRequest{
		Action: g.Request.Action, Resource: g.Request.Resource,
		Grant: analysis.Place{Path: g.Policy.Path, Doc: g.Policy.DocName, Span: g.Names.Span}, GrantedTo: g.Names.Str,
	}
}

// narrows reports whether a cause only narrows a grant with a wildcard:
// a statement that allows part of what the grant names, such as a
// session policy that allows bucket/reports/* under a grant of bucket/*.
// Some requests the grant names get through, so it is no fault.
func (w *Workspace) narrows(g Grant, c *Cause) bool {
	if c.Explicit || c.Statement < 0 || !strings.ContainsAny(g.Request.Resource, "*?") {
		return false
	}
	f := w.byName(c.Policy)
	if f == nil || c.Statement >= len(f.Policy.Statements) {
		return false
	}
	for _, r := range f.Policy.Statements[c.Statement].Resources() {
		if r.Str != g.Request.Resource && analysis.MatchWildcard(g.Request.Resource, r.Str, false) {
			return true
		}
	}
	return false
}
