package checks

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamref"
)

// The cause checks also run across the workspace (RunWorkspace). For
// every principal .s3policy.json names, the workspace evaluates every
// request a bucket policy of another account grants it, and each cause
// that blocks one is reported twice under the code of the check the cause
// names: on the file that must change, at the blocking element, with the
// fix there (causeHere); and, shorter, on the principal's identity policy,
// which links to it through its related places (reportCause).

// missingBucketCode is the cause that lies in the identity policy itself.
const missingBucketCode = analysis.CodeMissingResourceARN

const requesterPaysCode = analysis.CodeRequesterPays

// reportWorkspaceCauses is the RunWorkspace of the cause checks: each
// file reads its entries of the workspace's index of causes (causesOf).
func reportWorkspaceCauses(pass *analysis.Pass) {
	if pass.Workspace == nil || pass.Policy == nil || pass.Policy.Statement == nil {
		return
	}
	if pass.Kind == analysis.KindIdentity {
		if pass.Facts != nil && pass.Facts.Principal != "" {
			for _, g := range causesOf(pass.Workspace, pass.Facts.Principal).groupsOf(pass.Workspace, pass.File)[pass.Check.Code] {
				reportCause(pass, g)
			}
		}
		return
	}
	reportCausesHere(pass)
}

// reportCause reports, in the identity policy, the requests the causes
// of one code block that the policy asks for at one element (the action
// that grants them), or at Statement for the bucket this policy lacks,
// which only the workspace shows (it merges there with the single-file
// finding when there is one). The message leads with the file that
// blocks, counting the other files that block too, and names the first
// request, counting the others; the first cause's own words are its
// first related place, at the element that decides it, then come the
// nearest grants and the other causes' places, which are counted when
// there is no room for them.
func reportCause(pass *analysis.Pass, g *causeGroup) {
	var related []analysis.Related
	if c := g.cause; c.Located && !g.inThisFile {
		related = append(related, causeRelated(pass.Path, g.first, c))
	}
	for _, b := range g.nearest {
		if len(related) == analysis.MaxRelated {
			break
		}
		related = append(related, grantRelated(pass.Path, *b))
	}
	listed := 0
	for i, c := range g.others {
		if len(related) == analysis.MaxRelated {
			break
		}
		related = append(related, causeRelated(pass.Path, g.othersOf[i], c))
		listed++
	}
	var severity analysis.Severity
	if g.conditional {
		// Denied only for some values of keys the tool cannot know: the
		// cause says when, and it is no certain fault.
		severity = analysis.Warning
	}
	pass.Report(analysis.Finding{
		Span:      g.span,
		Severity:  severity,
		Message:   analysis.SayText(blockedMessage(*g.first, *g.cause, blockerName(g), g.inThisFile, g.count-1)),
		Related:   related,
		NotListed: g.places - listed,
		// Its hover: the first cause's words, then the check's.
		ExplainLater: analysis.ExplainOf(g),
	})
}

// Explain is the hover text of the group's finding: what its first
// cause says of its first request, then the check's explanation,
// written only when an editor asks (analysis.LaterExplain). Nothing of
// the group changes once its document's groups are made.
func (g *causeGroup) Explain(checkExplain analysis.Text) analysis.Text {
	return analysis.Join("\n\n", g.first.Say(g.cause), checkExplain)
}

// causeRelated points from the file at path to where a cause of the
// request lies, with its words.
func causeRelated(path string, b *analysis.BlockedRequest, c *analysis.Cause) analysis.Related {
	return analysis.Related{File: relTo(path, c.Place.Path), Doc: c.Place.Doc, Span: c.Place.Span, Message: b.Say(c)}
}

// blockerName names the file of the group's first cause, and counts the
// other documents that hold its causes: "a.scp.json (and 49 other
// policies)". A VPC endpoint policy a host file holds is named by its
// place in the host, the resource ("aws_vpc_endpoint.s3"): in a Terraform
// module the endpoint is often in the caller's own file, which "partner.tf
// blocks" seemed to blame (review N11).
func blockerName(g *causeGroup) analysis.Text {
	name := filepath.Base(g.cause.Place.Path)
	if g.cause.Place.Doc != "" && g.cause.Code == analysis.CodeEndpointPolicyBlocks {
		name = g.cause.Place.Doc
	}
	switch n := g.otherDocs; n {
	case 0:
		return analysis.T(name, name)
	case 1:
		return analysis.T(name+" (and 1 other policy)", name+" (ほか 1 件のポリシー)")
	default:
		count := strconv.Itoa(n)
		return analysis.T(name+" (and "+count+" other policies)", name+" (ほか "+count+" 件のポリシー)")
	}
}

// blockedMessage is the identity side's message: what blocks the request
// and where (blocker, the file), in one short sentence, the cause's words
// after it when no file holds the cause; others counts the other
// requests of the finding. Written by concatenation, one string a
// language: a governed tree's identity policies say it for every request
// blocked, and fmt.Sprintf's boxing and formatting of each was a tenth of
// what the workspace's causes allocated for their messages (issue 16).
func blockedMessage(b analysis.BlockedRequest, c analysis.Cause, blocker analysis.Text, inThisFile bool, others int) analysis.Text {
	what := shortResource(b.Resource)
	if others > 0 {
		return blockedManyMessage(b, c, blocker, inThisFile, otherRequests(others))
	}
	switch {
	case c.Code == requesterPaysCode:
		// Information: the request gets through once it accepts the charges.
		return analysis.T(b.Action+" on "+what+" needs x-amz-request-payer: requester (a Requester Pays bucket)",
			what+" への "+b.Action+" には x-amz-request-payer: requester が必要です (リクエスタ支払いバケット)")
	case c.Located && !inThisFile && b.Conditional:
		return analysis.T(blocker.EN+" may deny "+b.Action+" on "+what+", granted by the bucket policy",
			blocker.JA+" は、バケットポリシーが許可している "+what+" への "+b.Action+" を拒否する場合があります")
	case c.Located && !inThisFile:
		return analysis.T(blocker.EN+" blocks "+b.Action+" on "+what+", granted by the bucket policy",
			blocker.JA+" が、バケットポリシーが許可している "+what+" への "+b.Action+" を妨げています")
	}
	return analysis.Join(". ", analysis.T(b.Action+" on "+what+", which the bucket policy grants, is denied",
		"バケットポリシーが許可している "+what+" への "+b.Action+" は拒否されます"), b.Say(&c))
}

// blockedManyMessage is blockedMessage for a first request and others.
func blockedManyMessage(b analysis.BlockedRequest, c analysis.Cause, blocker analysis.Text, inThisFile bool, others analysis.Text) analysis.Text {
	what := shortResource(b.Resource)
	switch {
	case c.Code == requesterPaysCode:
		return analysis.T(b.Action+" on "+what+" and "+others.EN+" need x-amz-request-payer: requester (a Requester Pays bucket)",
			what+" への "+b.Action+" "+others.JA+"には x-amz-request-payer: requester が必要です (リクエスタ支払いバケット)")
	case c.Located && !inThisFile && b.Conditional:
		return analysis.T(blocker.EN+" may deny "+b.Action+" on "+what+" and "+others.EN+" the bucket policies grant",
			blocker.JA+" は、バケットポリシーが許可している "+what+" への "+b.Action+" "+others.JA+"を拒否する場合があります")
	case c.Located && !inThisFile:
		return analysis.T(blocker.EN+" blocks "+b.Action+" on "+what+" and "+others.EN+" the bucket policies grant",
			blocker.JA+" が、バケットポリシーが許可している "+what+" への "+b.Action+" "+others.JA+"を妨げています")
	}
	return analysis.Join(". ", analysis.T(b.Action+" on "+what+" and "+others.EN+" the bucket policies grant are denied",
		"バケットポリシーが許可している "+what+" への "+b.Action+" "+others.JA+"は拒否されます"), b.Say(&c))
}

// otherRequests counts the other requests of a finding: "36 other
// requests", in Japanese "ほか 36 件のリクエスト".
func otherRequests(n int) analysis.Text {
	if n == 1 {
		return analysis.T("1 other request", "ほか 1 件のリクエスト")
	}
	count := strconv.Itoa(n)
	return analysis.T(count+" other requests", "ほか "+count+" 件のリクエスト")
}

// shortResource is an S3 ARN without its "arn:aws:s3:::" prefix.
func shortResource(arn string) string {
	if a, ok := analysis.ParseARN(arn); ok && a.IsS3() {
		return a.Resource
	}
	return arn
}

// grantRelated points from the file at path to the bucket policy's grant
// of the request.
func grantRelated(path string, b analysis.BlockedRequest) analysis.Related {
	return analysis.Related{
		File: relTo(path, b.Grant.Path), Doc: b.Grant.Doc, Span: b.Grant.Span,
		Message: analysis.T("the bucket policy grants "+b.Action+" on "+b.Resource+" to "+b.GrantedTo+" here",
			"バケットポリシーはここで "+b.GrantedTo+" に "+b.Resource+" への "+b.Action+" を許可しています"),
	}
}

// relTo names other as Related.File does: relative to from's folder.
func relTo(from, other string) string {
	rel, err := filepath.Rel(filepath.Dir(from), other)
	if err != nil {
		return filepath.ToSlash(other)
	}
	return filepath.ToSlash(rel)
}

// blockedHere is what one principal's blocked requests say of one element
// of the file under analysis: the requests it blocks and their causes.
type blockedHere struct {
	principal string
	place     analysis.Span
	requests  []*analysis.BlockedRequest // in the principal's answer
	causes    []*analysis.Cause          // one for each request
	at        []int32                    // each request's place in the answer
	ix        *causesHereIndex           // the principal's index, which knows more of each request
	places    int                        // the places ix had numbered when the element was made, its requests' among them
	code      uint8                      // the code of its causes, its number in ix.codes
	size      int                        // its requests, counted before they are added (buildDoc)
}

// reportCausesHere reports, on a policy that is not an identity policy,
// each element that blocks requests of a principal of the workspace:
// one finding per principal and element, which says whose requests it
// blocks, with the fix in this file when the check has one.
func reportCausesHere(pass *analysis.Pass) {
	if kinds, ok := causeKinds[pass.Check.Code]; ok && !pass.Kind.In(kinds...) {
		return // no cause of this code lies in a policy of this kind
	}
	for _, h := range causesHere(pass) {
		reportBlockedHere(pass, h)
	}
}

// causeKinds are the kinds of policy that can hold a cause of each code,
// by the engine's layers (eval.causeCode): an SCP's, an endpoint's and a
// session policy's causes have their own codes, an explicit Deny
// elsewhere is deny-blocks-access, KMS's other causes are
// kms-missing-actions, and a boundary's are boundary-blocks. A code not
// listed is looked for in every kind.
var causeKinds = map[string][]analysis.Kind{
	analysis.CodeSCPDeniesS3: {analysis.KindSCP},
	"endpoint-policy-blocks": {analysis.KindEndpoint},
	"session-policy-blocks":  {analysis.KindSession},
	"kms-missing-actions":    {analysis.KindKey},
	boundaryBlocksCode:       {analysis.KindBoundary},
	missingBucketCode:        {analysis.KindIdentity},
	analysis.CodeDenyBlocksAccess: {analysis.KindBucket, analysis.KindRCP, analysis.KindBoundary, analysis.KindKey,
		analysis.KindEndpoint, analysis.KindResource},
}

// causesHere gathers, principal by principal, the causes of the check's
// code that the workspace places in this document: the elements of the
// document in the index of each principal whose causes lie there.
func causesHere(pass *analysis.Pass) []*blockedHere {
	d := docKey{pass.Path, pass.DocName}
	var out []*blockedHere
	for _, p := range principalsByDocument(pass.Workspace)[d] {
		out = append(out, hereOf(pass.Workspace, p).of(d)[pass.Check.Code]...)
	}
	return out
}

// principalsByDocument lists, for each document, the principals whose
// causes lie in it, in the order of the principals, once per workspace:
// each document then asks only those principals' indexes, instead of
// every principal's, which made the documents times the principals.
func principalsByDocument(w analysis.Workspace) map[docKey][]string {
	return memoized(w, principalsByDocumentKey, func() map[docKey][]string {
		out := map[docKey][]string{}
		for _, p := range principalsOf(w) {
			for d := range hereOf(w, p).docs {
				out[d] = append(out[d], p)
			}
		}
		return out
	})
}

// PrepareCausesHere builds the index of where the causes of the
// principal's blocked requests lie (hereOf), for a caller that has just
// answered it on one of several cores, when the workspace's analysis will
// ask for it: the principal is one its identity policies name, and a
// policy of another kind has statements, whose first analysis otherwise
// builds every principal's index in turn (principalsByDocument) on one
// core while the other workers wait for it (8 principals, 70-90 ms at
// 10,000 governed policies: the whole of the server's first analyses of
// each kind). What it builds is what that analysis would build.
func PrepareCausesHere(w analysis.Workspace, principal string) {
	if w == nil || !slices.Contains(principalsOf(w), principal) || !holdsCausesElsewhere(w) {
		return
	}
	hereOf(w, principal)
}

// holdsCausesElsewhere says whether a policy of the workspace that is no
// identity policy has statements: its analysis reads the causes that lie
// in it (reportCausesHere), which asks every principal's index.
func holdsCausesElsewhere(w analysis.Workspace) bool {
	for _, f := range w.PolicyFiles() {
		if f.Kind != analysis.KindIdentity && f.Policy != nil && f.Policy.Statement != nil {
			return true
		}
	}
	return false
}

// principalsOf are the principals that .s3policy.json gives the identity
// policies of the workspace, in the workspace's order.
func principalsOf(w analysis.Workspace) []string {
	return memoized(w, principalsKey, func() []string {
		var out []string
		for _, id := range identityPolicies(w) {
			out = append(out, id.Facts.Principal)
		}
		return out
	})
}

// identityPolicies are the identity policies of the workspace that
// .s3policy.json gives a principal, the first of each principal, in the
// workspace's order (findings are sorted by place afterwards).
func identityPolicies(w analysis.Workspace) []*analysis.File {
	return memoized(w, firstIdentityPoliciesKey, func() []*analysis.File {
		seen := map[string]bool{}
		var out []*analysis.File
		for _, f := range w.PolicyFiles() {
			if f.Kind != analysis.KindIdentity || f.Facts == nil || f.Facts.Principal == "" || seen[f.Facts.Principal] {
				continue
			}
			seen[f.Facts.Principal] = true
			out = append(out, f)
		}
		return out
	})
}

// reportBlockedHere reports one element that blocks a principal's
// requests. Its related places are the principal's policy, where it asks
// for each request, and the bucket policy's grants.
func reportBlockedHere(pass *analysis.Pass, h *blockedHere) {
	conditional := true
	for _, b := range h.requests {
		conditional = conditional && b.Conditional
	}
	related, notListed := relatedHere(pass, h)
	kind, what, who, list := pass.Kind.Describe(), shortResource(h.requests[0].Resource), shortName(h.principal), actionList(elementActions(h))
	// The kind's name is a Text of its own: each language takes its own.
	message := analysis.Text{
		EN: fmt.Sprintf("this %s blocks %s of %s on %s", kind.EN, list.EN, who, what),
		JA: fmt.Sprintf("%sは %s の %s への %s を妨げています", pass.Kind.ThisJA(), who, what, list.JA),
	}
	var severity analysis.Severity
	if conditional {
		severity = analysis.Warning
		message = analysis.Text{
			EN: fmt.Sprintf("this %s may deny %s of %s on %s", kind.EN, list.EN, who, what),
			JA: fmt.Sprintf("%sは %s の %s への %s を拒否する場合があります", pass.Kind.ThisJA(), who, what, list.JA),
		}
	}
	span, joined := h.place, false
	if st := denyAt(pass.Policy, h.place); st != nil && st.Action != nil && pass.Check.Code == analysis.CodeSCPDeniesS3 {
		// The SCP's own finding is at the Effect and says what the Deny
		// does to everyone; this one, with the fix that exempts the
		// principal, is at what it takes from the principal.
		span = st.Action.Value.Span
	}
	if bucket, _, ok := s3BucketOf(h.requests[0].Resource); ok && pass.Check.Code == "endpoint-policy-blocks" && leftOut(pass, bucket) {
		// The endpoint policy's own finding (no Allow covers the bucket)
		// says it at Statement, with the fix that allows what is granted:
		// this one joins it there, adding whose requests it blocks.
		span, joined = pass.Policy.Statement.KeySpan, true
	}
	var fixes analysis.LaterFix
	if write := fixesHere(pass); write != nil && !joined {
		fixes = analysis.FixBy(&elementFixes{pass: *pass, h: h, write: write})
	}
	pass.Report(analysis.Finding{
		Span:      span,
		Severity:  severity,
		Message:   analysis.SayText(message),
		Related:   related,
		NotListed: notListed,
		FixLater:  fixes,
		// Its hover: what the causes say, then the check's.
		ExplainLater: analysis.ExplainOf(h),
	})
}

// Explain is the hover text of the element's finding: what its causes
// say (causeDetails), then the check's explanation, written only when an
// editor asks (analysis.LaterExplain). The element's requests were
// numbered when it was made, and a number, once given, stays.
func (h *blockedHere) Explain(checkExplain analysis.Text) analysis.Text {
	return analysis.Join("\n\n", append(causeDetails(h.requests, h.causes, h.at, h.ix.requestNo), checkExplain)...)
}

// elementActions are the actions of the requests an element blocks, each
// once, in the order of the requests: told apart by their numbers in the
// principal's index, not compared for each of the 750 requests of an
// SCP's element.
func elementActions(h *blockedHere) []string {
	return elementDistinct(h, h.ix.actionNo, func(b *analysis.BlockedRequest) string { return b.Action })
}

// elementResources are the resources of the requests an element blocks,
// each once, in the order of the requests, told apart by their numbers
// in the principal's index.
func elementResources(h *blockedHere) []string {
	return elementDistinct(h, h.ix.resourceNo, func(b *analysis.BlockedRequest) string { return b.Resource })
}

// elementDistinct is what of says of the requests an element blocks,
// each once, in the order of the requests: numbered by the principal's
// index in numbers, equal numbers exactly for equal words.
// They are counted first, so that the list is made once at its size: an
// SCP's element blocks 750 requests, each on its own resource.
func elementDistinct(h *blockedHere, numbers []int32, of func(*analysis.BlockedRequest) string) []string {
	listed := newBitSet(len(numbers))
	for n := range h.requests {
		listed.add(numbers[h.at[n]])
	}
	out := make([]string, 0, listed.count())
	clear(listed)
	for n, b := range h.requests {
		if k := numbers[h.at[n]]; !listed.has(int(k)) {
			listed.add(k)
			out = append(out, of(b))
		}
	}
	return out
}

// relatedHere are the related places of an element that blocks requests:
// for each request, where the principal's policy asks for it and the
// bucket policy's grant, each once, at most MaxRelated (the first); the
// places left out are counted, not rendered, for a large folder has
// thousands. An SCP blocks every request of the principals it governs:
// the places are told apart by their numbers in the principal's index,
// not by hashing them for each request.
func relatedHere(pass *analysis.Pass, h *blockedHere) (related []analysis.Related, notListed int) {
	ix := h.ix
	type relatedKey struct {
		place            int32
		ask              bool
		action, resource string
		grantedTo        string
	}
	var shownKeys []relatedKey
	seen, shown := newBitSet(h.places), newBitSet(h.places)
	// isNew records k and reports whether it is to be shown: a key not
	// shown yet while there is room.
	isNew := func(k relatedKey) bool {
		seen.add(k.place)
		if len(shownKeys) == analysis.MaxRelated || slices.Contains(shownKeys, k) {
			return false
		}
		shownKeys = append(shownKeys, k)
		shown.add(k.place)
		return true
	}
	for n, b := range h.requests {
		i := h.at[n]
		if len(shownKeys) == analysis.MaxRelated {
			// No room left (most of an SCP's 750 requests): the places
			// are counted, no key made.
			if len(ix.ix.asking[i]) > 0 {
				seen.add(ix.askPlace[i])
			}
			seen.add(ix.grantPlace[i])
			continue
		}
		if asked := ix.ix.asking[i]; len(asked) > 0 && isNew(relatedKey{ix.askPlace[i], true, b.Action, b.Resource, ""}) {
			// The first of the principal's policies that asks for it.
			at := asked[0]
			related = append(related, analysis.Related{
				File: relTo(pass.Path, at.policy.Path), Doc: at.policy.DocName, Span: at.span,
				Message: analysis.Tf("%s asks for %s on %s here", "%[1]s はここで %[3]s への %[2]s を求めています", shortName(h.principal), b.Action, b.Resource),
			})
		}
		if isNew(relatedKey{ix.grantPlace[i], false, b.Action, b.Resource, b.GrantedTo}) {
			related = append(related, grantRelated(pass.Path, *b))
		}
	}
	// A place left out of the list is counted once, and not when it is
	// listed for another request.
	return related, seen.countNotIn(shown)
}

// causeDetails are the causes' own words for the hover, each once, at
// most MaxRelated, and a count of the others; causes[i] blocks
// requests[i], request at[i] of the answer, whose action and resource
// requestNo[at[i]] numbers (equal numbers, below len(requestNo),
// exactly for equal actions and resources: causesHereIndex.requestNo). What causes
// say compares equal when the words are the same (analysis.Saying): only
// the words shown are made, not those of each of the thousands of
// requests an SCP blocks, which are counted.
func causeDetails(requests []*analysis.BlockedRequest, causes []*analysis.Cause, at, requestNo []int32) []analysis.Text {
	var seen sayings
	// The requests blocked alike share their causes (eval's sharedCauses):
	// a cause whose words take no request, met again, says what it said,
	// known by its address.
	seenCauses := map[*analysis.Cause]bool{}
	return wordsOnce(requests, causes, func(i int, c *analysis.Cause) bool {
		if !c.Message.TakesRequest() {
			if seenCauses[c] {
				return false
			}
			seenCauses[c] = true
		}
		return seen.add(c.Message, requestNo[at[i]], len(requestNo))
	})
}

// wordsOnce are the causes' words, each once, at most MaxRelated, and a
// count of the others; causes[i] blocks requests[i], and isNew reports
// whether it says what no cause before it said.
func wordsOnce(requests []*analysis.BlockedRequest, causes []*analysis.Cause, isNew func(i int, c *analysis.Cause) bool) []analysis.Text {
	var out []analysis.Text
	others := 0
	for i, c := range causes {
		if !isNew(i, c) {
			continue
		}
		if len(out) < analysis.MaxRelated {
			// Two statements of one Sid say the same: shown once.
			if m := requests[i].Say(c); !slices.ContainsFunc(out, func(t analysis.Text) bool { return t.EN == m.EN }) {
				out = append(out, m)
			}
		} else {
			others++
		}
	}
	if others > 0 {
		out = append(out, analysis.Tf("(and %d more, alike)", "(ほかに同様のものが %d 件あります)", others))
	}
	return out
}

// sayings is a set of what causes say of requests (analysis.Saying): by
// the number of the cause's message and, for words that take the
// request, of the request's action and resource. Hashing each Saying
// hashed the engine's words through their interface, field by field:
// 30 % of the workspace causes' CPU in a first scan of 10,000 governed
// policies, where an element of an SCP says the same words of 750
// requests (issue 16).
type sayings struct {
	messages messageNumbers
	plain    []bool   // by message number: said, of a message that takes no request
	about    []bitSet // by message number: the requests it was said of, of one that takes them
}

// add records what message m says of request (numbered below n), and
// reports whether it is new.
func (s *sayings) add(m analysis.CauseMessage, request int32, n int) bool {
	k := s.messages.of(m)
	if !m.TakesRequest() {
		for len(s.plain) <= k {
			s.plain = append(s.plain, false)
		}
		if s.plain[k] {
			return false
		}
		s.plain[k] = true
		return true
	}
	for len(s.about) <= k {
		s.about = append(s.about, nil)
	}
	if s.about[k] == nil {
		s.about[k] = newBitSet(n)
	}
	if s.about[k].has(int(request)) {
		return false
	}
	s.about[k].add(request)
	return true
}

// messageNumbers numbers the messages of causes: compared with those
// numbered while they are few (an element's causes have a handful:
// the engine shares the words of the requests a statement blocks alike),
// hashed beyond.
type messageNumbers struct {
	list  []analysis.CauseMessage
	byKey map[analysis.CauseMessage]int
}

// fewMessages is how many messages are compared before they are hashed.
const fewMessages = 8

// of is m's number.
func (ns *messageNumbers) of(m analysis.CauseMessage) int {
	if ns.byKey == nil {
		for k, o := range ns.list {
			if o == m {
				return k
			}
		}
		if len(ns.list) < fewMessages {
			ns.list = append(ns.list, m)
			return len(ns.list) - 1
		}
		ns.byKey = make(map[analysis.CauseMessage]int, 2*fewMessages)
		for k, o := range ns.list {
			ns.byKey[o] = k
		}
	}
	k, ok := ns.byKey[m]
	if !ok {
		k = len(ns.byKey)
		ns.byKey[m] = k
	}
	return k
}

// fixesHere writes the fixes in this file for what an element blocks, by
// the code of the check; nil for a check that has none.
func fixesHere(pass *analysis.Pass) func(*analysis.Pass, *blockedHere) []analysis.Fix {
	switch pass.Check.Code {
	case "kms-missing-actions":
		return keyPolicyFixes
	case analysis.CodeSCPDeniesS3:
		return exemptPrincipalFixes
	case analysis.CodeDenyBlocksAccess:
		if pass.Kind == analysis.KindRCP {
			return exemptPrincipalFixes
		}
	case "session-policy-blocks", boundaryBlocksCode, "endpoint-policy-blocks":
		return allowRequestsFixes
	}
	return nil
}

// elementFixes are the fixes of an element's finding, written only when
// asked for (analysis.FixBy): check never prints them, and an editor asks
// only for those of an open document under the cursor, while writing
// them for every finding of a first scan of 10,000 governed policies was
// a fifth of the bytes the workspace's cause checks allocated (issue 16).
// They read what does not change once the finding is reported: the
// element, the document and its workspace, and the pass as it was then
// (the analysis moves it on to the next check).
type elementFixes struct {
	pass  analysis.Pass
	h     *blockedHere
	write func(*analysis.Pass, *blockedHere) []analysis.Fix
}

func (e *elementFixes) Fixes() []analysis.Fix { return e.write(&e.pass, e.h) }

// shortName is what a principal ARN names: the user or role name, or the
// account for an account's root.
func shortName(arn string) string {
	a, ok := analysis.ParseARN(arn)
	if !ok {
		return arn
	}
	if a.Resource == "root" || a.Resource == "" {
		return a.Account
	}
	return a.Resource[strings.LastIndex(a.Resource, "/")+1:]
}

// actionList names the actions, the first two and then a count.
func actionList(actions []string) analysis.Text {
	switch len(actions) {
	case 1:
		return analysis.T(actions[0], actions[0])
	case 2:
		return analysis.Tf("%s and %s", "%s と %s", actions[0], actions[1])
	}
	return analysis.Tf("%s, %s and %d more", "%s、%s ほか %d 件", actions[0], actions[1], len(actions)-2)
}

// ForgetDocuments drops the parts of the workspace's indexes of causes
// that the checks of docs (the documents of one file) built when they
// asked: the groups of an identity policy, the elements of other
// documents, for every principal; and the IAM references of their
// policies, which only their own checks resolve (iamref.Forget). A
// server calls it once it has published a closed file's findings:
// nothing asks for them again until the file is analysed again, which
// builds them again, and at 10,000 governed policies they held 11-12 MB
// and 17 MB of the first scan's live heap (issue 16). The indexes
// themselves, which every document's checks read, are kept.
func ForgetDocuments(w analysis.Workspace, docs []*analysis.File) {
	for _, f := range docs {
		if f.Policy != nil {
			iamref.Forget(f.Policy)
		}
	}
	memos, ok := w.(interface{ BuiltMemos(func(string, any)) })
	if !ok {
		return
	}
	memos.BuiltMemos(func(key string, v any) {
		for _, f := range docs {
			d := docKey{f.Path, f.DocName}
			switch ix := v.(type) {
			case *causeIndex:
				ix.identity.forget(d)
			case *causesHereIndex:
				ix.here.forget(d)
			}
		}
	})
}
