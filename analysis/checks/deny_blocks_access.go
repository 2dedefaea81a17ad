package checks

import (
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamref"
)

// DenyBlocksAccess reports an explicit Deny that matches S3 requests. An
// explicit Deny in any policy that applies wins over every Allow.
// SCPs and session policies have codes of their own (scp-denies-s3,
// session-policy-blocks) that report their Deny statements.
var DenyBlocksAccess = &analysis.Check{
	Code:     analysis.CodeDenyBlocksAccess,
	Category: "access",
	Severity: analysis.Error,
	DocURL:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html",
	Title:    analysis.T("An explicit Deny matches S3 requests", "明示的な Deny が S3 リクエストに一致する"),
	Explain: analysis.T(
		"An explicit Deny beats any Allow in any policy: when a Deny statement of an identity, bucket, endpoint, boundary or control policy matches the request, AWS denies it whatever the other policies allow. A Deny without a Condition blocks every matching request; a conditional Deny blocks the requests its Condition describes (a negated operator such as StringNotEquals also matches requests that lack the key). Fix it by removing or narrowing the statement, or by exempting the principals that need access with a condition such as `StringNotEquals` on `aws:PrincipalAccount`.",
		"明示的な Deny はどのポリシーの Allow よりも優先されます。アイデンティティ、バケット、エンドポイント、境界、コントロールの各ポリシーの Deny ステートメントがリクエストに一致すると、他のポリシーが何を許可していても AWS は拒否します。Condition のない Deny は一致するリクエストをすべて拒否し、条件付きの Deny は Condition が表すリクエストを拒否します (StringNotEquals などの否定の演算子は、キーのないリクエストにも一致します)。ステートメントを削除するか狭めるか、`aws:PrincipalAccount` への `StringNotEquals` などの条件でアクセスが必要なプリンシパルを除外してください。"),
	Kinds:        []analysis.Kind{analysis.KindIdentity, analysis.KindBucket, analysis.KindEndpoint, analysis.KindBoundary, analysis.KindRCP},
	Run:          runDenyBlocksAccess,
	RunWorkspace: reportWorkspaceCauses,
}

func runDenyBlocksAccess(pass *analysis.Pass) {
	for _, s := range pass.Policy.Statements {
		if d, ok := assessDeny(pass, s); ok {
			reportDeny(pass, s, d,
				analysis.T("explicit Deny of {actions} on {resources}: no Allow in any policy overrides it",
					"{resources} に対する {actions} の明示的な Deny: どのポリシーの Allow もこれを覆せません"),
				analysis.T("this Deny of {actions} denies some requests: every request on {resources} {when}",
					"この {actions} の Deny は一部のリクエストを拒否します。{resources} に対する、{when}リクエストをすべて拒否します"))
		}
	}
}

// deny is what a Deny statement blocks.
type deny struct {
	severity analysis.Severity
	when     analysis.Text // empty for a Deny without Condition
	// guardrail: the Deny cancels no Allow of its policy and blocks no
	// request .s3policy.json expects; no fix removes or widens it.
	guardrail bool
}

// say fills {actions}, {resources} and {when} in a message about s.
// The lists of its actions and resources are made here, for the Deny
// statements reported: assessDeny made them for every Deny it looked at,
// a quarter of which it then leaves unreported.
func (d deny) say(s *analysis.Statement, en, ja string) analysis.Text {
	actions, resources := actionsText(s), resourcesText(s)
	return analysis.T(fillMessage(en, actions.EN, resources.EN, d.when.EN), fillMessage(ja, actions.JA, resources.JA, d.when.JA))
}

// fillMessage writes a message in one pass and one allocation (a
// strings.Replacer built per message was a third of the time of every
// check on a 20 KB policy; three ReplaceAll, an allocation each, also
// replaced a "{when}" that a Resource of the policy held).
func fillMessage(template, actions, resources, when string) string {
	var b strings.Builder
	b.Grow(len(template) + len(actions) + len(resources) + len(when))
	for {
		i := strings.IndexByte(template, '{')
		if i < 0 {
			b.WriteString(template)
			return b.String()
		}
		b.WriteString(template[:i])
		template = template[i:]
		switch {
		case strings.HasPrefix(template, "{actions}"):
			b.WriteString(actions)
			template = template[len("{actions}"):]
		case strings.HasPrefix(template, "{resources}"):
			b.WriteString(resources)
			template = template[len("{resources}"):]
		case strings.HasPrefix(template, "{when}"):
			b.WriteString(when)
			template = template[len("{when}"):]
		default:
			b.WriteByte('{')
			template = template[1:]
		}
	}
}

// reportDeny reports a Deny on its Effect with the message for a Deny
// without condition, or the one that says when it denies (templates for
// d.say: only the one used is filled), with its fixes (denyFixes),
// written when asked for: none for a guardrail.
func reportDeny(pass *analysis.Pass, s *analysis.Statement, d deny, plain, conditional analysis.Text) {
	tmpl := plain
	if d.when.EN != "" {
		tmpl = conditional
	}
	msg := d.say(s, tmpl.EN, tmpl.JA)
	var fixes analysis.LaterFix
	if !d.guardrail && (removable(pass.Policy) || mayExempt(pass.File)) {
		fixes = analysis.FixOf(denyFixes, s.Obj)
	}
	pass.Report(analysis.Finding{Span: s.Effect.Value.Span, Severity: d.severity, Message: analysis.SayText(msg), FixLater: fixes})
}

// denyFixes are the fixes of a Deny statement stmt that is no guardrail,
// written when asked for: the exemption of the accounts of
// .s3policy.json (exemptFix), then its removal, which takes access away.
// Every Deny of a governed tree's bucket policies is reported, and check
// prints no fix: writing each exemption's edits when reporting was
// 7 MB a check of 10,000 governed policies (issue 16).
func denyFixes(doc *analysis.FixDoc, stmt *analysis.Value, _ *analysis.Args) []analysis.Fix {
	pass := passOf(doc)
	s := statementOf(pass.Policy, stmt)
	fixes := exemptFix(pass, s)
	if removable(pass.Policy) {
		fixes = append(fixes, removeStatement(doc.Src, pass.Policy, s))
	}
	return fixes
}

// assessDeny decides whether a statement is a Deny that matches S3
// requests of the users this workspace is about, and how much it blocks.
// Without a condition it is an error when it blocks the everyday actions
// (list, read, write) on every bucket, or on a bucket .s3policy.json
// names; a Deny of rarer actions, or of chosen buckets the workspace does
// not name, is a deliberate carve-out more often than a mistake: a
// warning. With a condition it says when it denies.
func assessDeny(pass *analysis.Pass, s *analysis.Statement) (deny, bool) {
	if !s.IsDeny() || !statementS3Actions(s, false) || !denyReachesUsers(pass, s) {
		return deny{}, false
	}
	reach := denyReach(pass, s)
	if reach == reachNone {
		return deny{}, false
	}
	d := deny{severity: analysis.Warning}
	everyday := reach == reachWanted && statementS3Actions(s, true)
	filter := pass.Kind.In(filterKinds...)
	// What the Deny blocks across files (a request .s3policy.json expects
	// that another file grants) is reported by the workspace causes. A
	// filter's Deny is judged by what it blocks, not by its policy's Allow
	// statements: those are compared only for the other kinds.
	if filter {
		d.guardrail = !everyday
	} else {
		d.guardrail = !hasAllow(pass.Policy) || !cancelsAllow(pass.Policy, s)
	}
	switch {
	case filter:
		// A filter's Deny takes away what identity policies grant in other
		// files: it blocks the everyday actions (list, read, write), or it
		// guards rarer ones.
		if everyday {
			d.severity = analysis.Error
		} else if d.guardrail {
			d.severity = analysis.Information
		}
	case !hasAllow(pass.Policy):
		// A policy whose purpose is to deny (a quarantine, an SCP of
		// Denies beside FullAWSAccess): a warning at most.
	case cancelsWhole(pass.Policy, s):
		d.severity = analysis.Error
	case d.guardrail:
		d.severity = analysis.Information
	}
	conds := s.Conditions()
	if len(conds) == 0 {
		return d, true
	}
	if d.guardrail && hasAllow(pass.Policy) {
		// A conditional guardrail beside grants it does not touch (such as
		// the rest of an exemption the fix below writes): nothing to say.
		return deny{}, false
	}
	if exemptsAccounts(pass.Config, conds) || aimedAtConfigured(pass.Config, conds) {
		return deny{}, false
	}
	d.when = iamdata.DescribeConditions(conds)
	d.severity = analysis.Information
	guardrail := true
	for _, c := range conds {
		if iamdata.HoldsWithoutKey(c) {
			d.severity = analysis.Warning
		}
		guardrail = guardrail && isGuardrail(c)
	}
	if guardrail {
		d.severity = analysis.Hint
	}
	if d.guardrail && d.severity == analysis.Warning {
		d.severity = analysis.Information
	}
	return d, true
}

// The Deny severity depends on what the Deny blocks: an Allow of the same
// policy that it cancels is a fault; a Deny that blocks nothing the
// policy grants is a guardrail.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic_policy-eval-denyallow.html

// filterKinds are the policies that never grant, only filter what the
// identity policies grant.
var filterKinds = []analysis.Kind{analysis.KindSCP, analysis.KindSession, analysis.KindBoundary}

// hasAllow reports whether the policy has an Allow statement.
func hasAllow(p *analysis.Policy) bool {
	return slices.ContainsFunc(p.Statements, (*analysis.Statement).IsAllow)
}

// cancelsAllow reports whether some Allow statement of the policy grants
// an action on a resource the Deny also matches.
func cancelsAllow(p *analysis.Policy, deny *analysis.Statement) bool {
	pats := patternsOf(p)
	d := pats.of(deny)
	for _, a := range pats.allows {
		// The resources' bits first: they tell most pairs of a policy
		// apart (each statement its bucket), which then need no
		// comparison of their actions.
		if !resourcesApart(a, d) && actionsOverlap(a, d) && resourcesOverlap(a, d) && !spares(deny, a.st) {
			return true
		}
	}
	return false
}

// resourcesApart reports that the bits of the statements' Resource keys
// tell them apart: no resource matches an entry of each.
func resourcesApart(a, b *statementPatterns) bool {
	return a.st.NotResource == nil && b.st.NotResource == nil && a.resourceTexts.disjoint(b.resourceTexts)
}

// resourcesOverlap reports whether the two statements' Resource patterns
// may match one resource: a NotResource, or a missing Resource, may meet
// any.
func resourcesOverlap(a, b *statementPatterns) bool {
	if resourcesApart(a, b) {
		return false
	}
	return overlaps(a.resourcePatterns(), b.resourcePatterns(), a.st.NotResource != nil || b.st.NotResource != nil, false)
}

// literalTexts stands for a list of patterns by a bit for each one's key
// (chosen by a hash of it), when the key of every pattern of the list is
// literal: two such lists whose bits are disjoint share no key, so that
// no string matches a pattern of each, answered without comparing texts.
// Most pairs of a Deny and an Allow name different actions and buckets:
// comparing their patterns pairwise was two thirds of deny-blocks-access
// on a 20 KB bucket policy.
//
// An Action pattern's key is its text: it is literal when the pattern is.
// A Resource pattern's key is its text up to its first '/' (an S3 ARN's
// bucket), literal when no wildcard, variable or placeholder comes before
// that: every string the pattern matches starts with the key followed by
// '/' or nothing, and a key holds no '/', so two patterns with different
// keys match no string in common ("arn:aws:s3:::b1/*" and
// "arn:aws:s3:::b2/*", or "arn:aws:s3:::b" and "arn:aws:s3:::bb/*").
type literalTexts struct {
	bits uint64
	// literal: the list is not empty and every key of it is literal; bits
	// is meaningless otherwise.
	literal bool
}

// addAction records an Action pattern of the list (literalTexts{literal:
// true} before the first).
func (lt *literalTexts) addAction(p iamref.Pattern) {
	lt.literal = lt.literal && p.Literal()
	lt.bits |= textBit(p.Text)
}

// resourceKey is a Resource entry's key, as written: the same in its
// pattern when it holds no wildcard, variable or placeholder (a
// placeholder begins with '$' or '{').
func resourceKey(entry string) string {
	if i := strings.IndexByte(entry, '/'); i >= 0 {
		return entry[:i]
	}
	return entry
}

// addKey records the key of a Resource entry of the list.
func (lt *literalTexts) addKey(key string) {
	lt.literal = lt.literal && iamref.IsLiteral(key)
	lt.bits |= textBit(key)
}

// disjoint reports that the lists are literal and share no key.
func (lt literalTexts) disjoint(other literalTexts) bool {
	return lt.literal && other.literal && lt.bits&other.bits == 0
}

// covers reports that it is not known that some key of other is none of
// lt's: false only for literal lists where a bit of other is not lt's.
func (lt literalTexts) covers(other literalTexts) bool {
	return !lt.literal || !other.literal || other.bits&^lt.bits == 0
}

// textBit is the bit of a text: one of 64, by the top bits of a
// multiplicative hash of its length and of its first, middle and last
// eight bytes (the texts of one policy often differ in their last byte
// alone: "bucket-12", "bucket-18"; "s3:getobject", "s3:putobject" in
// their first bytes), read as words.
func textBit(s string) uint64 {
	const k = 0x9e3779b97f4a7c15
	h := uint64(len(s)) * k
	if len(s) < 8 {
		for i := 0; i < len(s); i++ {
			h = (h ^ uint64(s[i])) * k
		}
		return 1 << (h >> 58)
	}
	h = (h ^ word(s)) * k
	h = (h ^ word(s[len(s)/2-4:])) * k
	h = (h ^ word(s[len(s)-8:])) * k
	return 1 << (h >> 58)
}

// word is the first eight bytes of s, little-endian (one load).
func word(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// statementPatterns are what the Deny checks compare of a statement,
// prepared once per policy: each Deny is compared with each Allow.
type statementPatterns struct {
	st *analysis.Statement
	// actions are the Action entries lower-cased (actions are
	// case-insensitive), placeholders standing for anything; nil for
	// NotAction or none.
	actions []iamref.Pattern
	// placeholders: an Action entry holds a placeholder, so its pattern's
	// text is not the entry as written (lowerAction).
	placeholders bool
	// resources are the Resource entries, placeholders standing for
	// anything, made by resourcePatterns at the first comparison that
	// needs them (resourcesMade), in room the preparer set aside: a
	// Deny's actions meet few of the Allow statements', and preparing
	// every statement's was a third of deny-blocks-access over a tree;
	// made again for each Deny an Allow meets, they were a fifth of it.
	resources     []iamref.Pattern
	resourcesMade sync.Once
	// actionTexts and resourceTexts stand for the lists of patterns when
	// they are literal; resourceTexts is made from the entries, so that
	// most pairs of statements are told apart without their patterns.
	actionTexts, resourceTexts literalTexts
}

// resourcePatterns returns the statement's Resource entries as patterns,
// made once (the checks of concurrent requests share a policy).
func (sp *statementPatterns) resourcePatterns() []iamref.Pattern {
	sp.resourcesMade.Do(func() {
		for i, r := range analysis.Strings(sp.st.Resource) {
			sp.resources[i] = iamref.NewPattern(analysis.ReplacePlaceholders(r.Str, "*"))
		}
	})
	return sp.resources
}

// lowerAction is Action entry i lower-cased, as written: the text of its
// pattern but for an entry with placeholders (rare: the entries are not
// kept twice for them).
func (sp *statementPatterns) lowerAction(i int) string {
	if sp.placeholders {
		return strings.ToLower(sp.st.Actions()[i].Str)
	}
	return sp.actions[i].Text
}

// policyPatterns are the patterns of every statement of a policy, in
// order, and those of its Allow statements.
type policyPatterns struct {
	all    []statementPatterns
	allows []*statementPatterns
}

// of returns the patterns of a statement of the policy.
func (pp *policyPatterns) of(s *analysis.Statement) *statementPatterns {
	for i := range pp.all {
		if pp.all[i].st == s {
			return &pp.all[i]
		}
	}
	p := new(statementPatterns) // not of this policy
	newPreparer([]*analysis.Statement{s}).statement(s, p)
	return p
}

// policyPatternsKey keys the policy's patterns in analysis.Policy.Derived.
type policyPatternsKey struct{}

// patternsOf prepares the statements of a policy once, whichever Deny
// check asks first: the Deny statements of a policy each compare
// themselves with every Allow.
func patternsOf(p *analysis.Policy) *policyPatterns {
	return p.Derived(policyPatternsKey{}, func(p *analysis.Policy) any {
		pr := newPreparer(p.Statements)
		pp := &policyPatterns{all: make([]statementPatterns, len(p.Statements))}
		for i, st := range p.Statements {
			pr.statement(st, &pp.all[i])
		}
		pp.allows = make([]*statementPatterns, 0, len(pp.all))
		for i := range pp.all {
			if pp.all[i].st.IsAllow() {
				pp.allows = append(pp.allows, &pp.all[i])
			}
		}
		return pp
	}).(*policyPatterns)
}

// preparer builds the patterns of statements in slices they share: a
// policy's statements are prepared in a few allocations, not a few per
// entry (the tree of check's benchmark holds 300,000 statements).
type preparer struct {
	actions []iamref.Pattern
	// resources is the room for every Resource entry's pattern, made as
	// the checks ask (statementPatterns.resourcePatterns). It follows the
	// actions' room in one allocation.
	resources []iamref.Pattern
	// lowered is every Action entry of the statements lower-cased, end to
	// end, in the order statement asks for them, when ascii: lower-casing
	// other text may change its length.
	lowered string
	ascii   bool
}

func newPreparer(sts []*analysis.Statement) *preparer {
	var actions, resources, size int
	for _, st := range sts {
		for _, a := range st.Actions() {
			actions++
			size += len(a.Str)
		}
		resources += len(analysis.Strings(st.Resource))
	}
	patterns := make([]iamref.Pattern, actions+resources)
	pr := &preparer{
		actions:   patterns[:0:actions],
		resources: patterns[actions:],
	}
	// One pass that lower-cases and checks for ASCII (a copy, a test and
	// strings.ToLower were 4 % of check's CPU over a tree), a chunk at a
	// time on the stack into a strings.Builder of the exact size: its
	// String is the text written, where a byte slice was copied into a
	// string of its own (5 % of the bytes check allocated over 10,000
	// ungoverned policies), and a WriteByte for each byte cost more.
	var lowered strings.Builder
	lowered.Grow(size)
	var chunk [64]byte
	var any byte // every byte OR'ed: ASCII when its high bit is clear
	for _, st := range sts {
		for _, a := range st.Actions() {
			for text := a.Str; len(text) > 0; {
				dst := chunk[:min(len(text), len(chunk))]
				for i := range dst {
					c := text[i]
					any |= c
					if 'A' <= c && c <= 'Z' {
						c += 'a' - 'A'
					}
					dst[i] = c
				}
				lowered.Write(dst)
				text = text[len(dst):]
			}
		}
	}
	if any < utf8.RuneSelf {
		pr.lowered, pr.ascii = lowered.String(), true
	}
	return pr
}

// statement prepares the next statement (in the order newPreparer was
// given them) into sp.
func (pr *preparer) statement(st *analysis.Statement, sp *statementPatterns) {
	a0 := len(pr.actions)
	sp.actionTexts.literal = len(st.Actions()) > 0
	for _, a := range st.Actions() {
		var low string
		if pr.ascii {
			low, pr.lowered = pr.lowered[:len(a.Str)], pr.lowered[len(a.Str):]
		} else {
			low = strings.ToLower(a.Str)
		}
		if strings.Contains(a.Str, "{") {
			// Placeholders are found in the text as written (${AWS::Region}
			// is one, ${aws::region} is not), then lower-cased.
			low = strings.ToLower(analysis.ReplacePlaceholders(a.Str, "*"))
			sp.placeholders = true
		}
		pr.actions = append(pr.actions, iamref.NewPattern(low))
		sp.actionTexts.addAction(pr.actions[len(pr.actions)-1])
	}
	resources := analysis.Strings(st.Resource)
	sp.resourceTexts.literal = len(resources) > 0
	prev := ""
	for i, r := range resources {
		// A bucket and its objects ("b", "b/*") share a key: recorded
		// once.
		if key := resourceKey(r.Str); i == 0 || key != prev {
			sp.resourceTexts.addKey(key)
			prev = key
		}
	}
	n := len(resources)
	sp.st = st
	sp.actions = pr.actions[a0:len(pr.actions):len(pr.actions)]
	sp.resources, pr.resources = pr.resources[:n:n], pr.resources[n:]
}

// actionsOverlap reports whether the Deny matches an action the Allow
// grants. A Deny with NotAction matches the Allow's literal actions it
// does not list; a wildcard or NotAction in the Allow may overlap.
func actionsOverlap(allow, deny *statementPatterns) bool {
	if deny.st.NotAction == nil {
		if allow.st.NotAction == nil && allow.actionTexts.disjoint(deny.actionTexts) {
			return false
		}
		return overlaps(allow.actions, deny.actions, allow.st.NotAction != nil, true)
	}
	if allow.st.NotAction != nil || allow.st.Action == nil {
		return true
	}
	for _, a := range allow.st.Actions() {
		if hasWildcard(a.Str) || !anyMatch(analysis.Strings(deny.st.NotAction), a.Str) {
			return true
		}
	}
	return false
}

// cancelsWhole reports whether the Deny, without condition, takes away
// all an Allow statement of the policy grants: every action and every
// resource of the Allow is the Deny's. A Deny narrower than the Allow is
// a deliberate carve-out (read all but Private/*).
func cancelsWhole(p *analysis.Policy, deny *analysis.Statement) bool {
	if deny.NotAction != nil || deny.NotResource != nil || len(deny.Conditions()) > 0 {
		return false
	}
	pats := patternsOf(p)
	d := pats.of(deny)
	covered := func(value string) bool {
		for i, pat := range d.actions {
			// A literal pattern is its text as written, lower-cased.
			if pat.Literal() && pat.Text == value || !pat.Literal() && analysis.MatchWildcard(d.lowerAction(i), value, false) {
				return true
			}
		}
		return false
	}
	coveredResource := func(r *analysis.Value) bool {
		return deny.Resource == nil || slices.ContainsFunc(deny.Resources(), func(p *analysis.Value) bool {
			return analysis.MatchWildcard(p.Str, r.Str, false)
		})
	}
	for _, a := range pats.allows {
		st := a.st
		// An Allow whose resources the bits tell apart from the Deny's
		// keeps every one of them.
		if st.Action == nil || st.Resource == nil || !d.actionTexts.covers(a.actionTexts) || resourcesApart(a, d) || spares(deny, st) {
			continue
		}
		if allActions(a, covered) &&
			!slices.ContainsFunc(st.Resources(), func(r *analysis.Value) bool { return !coveredResource(r) }) {
			return true
		}
	}
	return false
}

// allActions reports whether every Action entry of the statement,
// lower-cased as written, is covered.
func allActions(sp *statementPatterns, covered func(string) bool) bool {
	for i := range sp.actions {
		if !covered(sp.lowerAction(i)) {
			return false
		}
	}
	return true
}

// coveredByAllows reports whether every action the Deny lists is granted
// by an Allow statement of the policy.
func coveredByAllows(p *analysis.Policy, deny *analysis.Statement) bool {
	if deny.NotAction != nil || deny.Action == nil {
		return false
	}
	for _, a := range deny.Actions() {
		granted := slices.ContainsFunc(p.Statements, func(st *analysis.Statement) bool {
			return st.IsAllow() && st.NotAction == nil && anyMatch(st.Actions(), a.Str) && !hasWildcard(a.Str)
		})
		if !granted {
			return false
		}
	}
	return true
}

// grantedAndDenied lists the literal actions of Allow statements that
// share a resource with the Deny and that the Deny's Action matches.
func grantedAndDenied(p *analysis.Policy, deny *analysis.Statement) []string {
	if deny.Action == nil {
		return nil
	}
	var out []string
	pats := patternsOf(p)
	d := pats.of(deny)
	for _, allow := range pats.allows {
		st := allow.st
		// The actions first: comparing resources (iamref.MayMatchARN on each
		// pair) costs more, and is needed only for an Allow that adds one.
		var denied []string
		for _, a := range st.Actions() {
			if !hasWildcard(a.Str) && anyMatch(deny.Actions(), a.Str) && !slices.Contains(out, a.Str) && !slices.Contains(denied, a.Str) {
				denied = append(denied, a.Str)
			}
		}
		if len(denied) > 0 && resourcesOverlap(allow, d) {
			out = append(out, denied...)
		}
	}
	return out
}

// overlaps reports whether one string matches a pattern of each list. A
// Not element (notForm), or a missing element, may overlap anything.
func overlaps(a, b []iamref.Pattern, notForm, actions bool) bool {
	if notForm || len(a) == 0 || len(b) == 0 {
		return true
	}
	for _, x := range a {
		for _, y := range b {
			if x.Literal() && y.Literal() {
				// No wildcard on either side (most actions): the same text or
				// none.
				if x.Text == y.Text {
					return true
				}
				continue
			}
			if x.Disjoint(y) {
				continue
			}
			if x.Text == y.Text || actions && iamref.GlobsIntersect(x.Text, y.Text) || !actions && iamref.MayMatchARN(x.Text, y.Text) {
				return true
			}
		}
	}
	return false
}

// How far a Deny's resources reach.
const (
	reachNone   = iota // no S3 resource, or none the workspace names
	reachSome          // chosen S3 resources
	reachWanted        // every bucket, or a bucket .s3policy.json names
)

// anyBucket is a bucket name no policy names, to test whether a Resource
// covers every bucket.
const anyBucket = "any-bucket-0"

func denyReach(pass *analysis.Pass, s *analysis.Statement) int {
	named := namedBuckets(pass.Config)
	if s.NotResource != nil {
		excluded := analysis.Strings(s.NotResource)
		for _, b := range named {
			if !resourceMatches(excluded, bucketARN(b)) && !resourceMatches(excluded, objectsARN(b)) {
				return reachWanted
			}
		}
		if len(named) > 0 {
			return reachNone
		}
		return reachSome
	}
	if s.Resource == nil {
		return reachWanted
	}
	reach := reachNone
	for _, r := range s.Resources() {
		if reachesNamedBucket(pass.Config, named, r.Str) {
			return reachWanted
		}
		if len(named) > 0 {
			continue
		}
		switch {
		case reachesBucket(r.Str, anyBucket):
			return reachWanted
		case strings.Contains(r.Str, ":s3:"):
			reach = reachSome
		}
	}
	return reach
}

// reachesNamedBucket reports whether a Resource entry reaches one of the
// buckets .s3policy.json names (named, its BucketNames). An entry that
// names one bucket (arn:aws:s3:::NAME or NAME/...) reaches no other bucket
// whose name has no "/" (reachesBucket), so that bucket is looked up
// instead of asking each named bucket: a governed config names thousands
// (3,000 at 10,000 policies), and every Deny of every policy and SCP asked
// each of them.
func reachesNamedBucket(cfg *analysis.Config, named []string, pattern string) bool {
	if len(named) == 0 {
		return false
	}
	name, literal := literalBucketOf(pattern)
	if literal && cfg.Bucket(name) != nil && reachesBucket(pattern, name) {
		return true
	}
	for _, b := range named {
		if (!literal || strings.IndexByte(b, '/') >= 0) && reachesBucket(pattern, b) {
			return true
		}
	}
	return false
}

// spares reports whether the Deny's NotPrincipal exempts every grantee of
// the Allow statement. AWS exempts a user or role (session) only when its
// account is listed too; an account is exempt when it is listed.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
func spares(deny, allow *analysis.Statement) bool {
	if deny.NotPrincipal == nil || allow.Principal == nil {
		return false
	}
	listed := analysis.Principals(deny.NotPrincipal)
	lists := func(account, arn string) bool {
		hasAccount, hasARN := false, false
		for _, l := range listed {
			if l.Type != "AWS" {
				continue
			}
			switch v := l.Value.Str; {
			case v == arn:
				hasARN = true
			case v == account || isRootOf(v, account):
				hasAccount = true
			}
		}
		return hasAccount && (arn == "" || hasARN)
	}
	grantees := analysis.Principals(allow.Principal)
	for _, g := range grantees {
		if g.Type != "AWS" {
			return false
		}
		account, arn := principalAccount(g.Value.Str), g.Value.Str
		if arn == account || isRootOf(arn, account) {
			arn = ""
		}
		if account == "" || !lists(account, arn) {
			return false
		}
	}
	return len(grantees) > 0
}

// isRootOf reports whether arn is the root user of the account, in any
// partition.
func isRootOf(arn, account string) bool {
	a, ok := analysis.ParseARN(arn)
	return ok && a.Service == "iam" && a.Account == account && a.Resource == "root"
}

// denyReachesUsers reports whether a Deny in a policy with a Principal
// applies to AWS principals, and, when .s3policy.json names accounts, to
// one of them. Service principals (log delivery, CloudFront, ...) are
// not the users this tool is about.
func denyReachesUsers(pass *analysis.Pass, s *analysis.Statement) bool {
	if s.Principal == nil {
		return true
	}
	for _, p := range analysis.Principals(s.Principal) {
		if p.IsEveryone() {
			return true
		}
		if p.Type != "AWS" {
			continue
		}
		account := principalAccount(p.Value.Str)
		if pass.Config == nil || len(pass.Config.Accounts) == 0 || slices.Contains(pass.Config.Accounts, account) {
			return true
		}
	}
	return false
}

// exemptsAccounts reports whether a negated condition on
// aws:PrincipalAccount lists every account of .s3policy.json, or one on
// aws:PrincipalArn every principal its files name, so that the Deny does
// not apply to them (a data-perimeter statement, or the exemption the
// workspace's fix of an SCP writes).
func exemptsAccounts(cfg *analysis.Config, conds []analysis.Condition) bool {
	if cfg == nil {
		return false
	}
	principals := configPrincipals(cfg)
	for _, c := range conds {
		op, ok := iamdata.ConditionOperator(c)
		if !ok || !op.Base.Negated {
			continue
		}
		switch {
		case strings.EqualFold(c.Key.Key, "aws:PrincipalAccount") && listsAll(c.Values, cfg.Accounts),
			strings.EqualFold(c.Key.Key, "aws:PrincipalArn") && listsAll(c.Values, principals):
			return true
		}
	}
	return false
}

// configPrincipals are the principals the files of .s3policy.json name.
func configPrincipals(cfg *analysis.Config) []string {
	var principals []string
	for _, f := range cfg.Files {
		if f.Principal != "" && !slices.Contains(principals, f.Principal) {
			principals = append(principals, f.Principal)
		}
	}
	return principals
}

// listsAll reports whether values list every one of want, and want is
// not empty.
func listsAll(values []*analysis.Value, want []string) bool {
	for _, w := range want {
		if !slices.ContainsFunc(values, func(v *analysis.Value) bool { return v.Str == w }) {
			return false
		}
	}
	return len(want) > 0
}

// principalAccount returns the account of an AWS principal: a bare
// account ID or the account field of an ARN.
func principalAccount(p string) string {
	if arn, ok := analysis.ParseARN(p); ok {
		return arn.Account
	}
	return p
}

func actionsText(s *analysis.Statement) analysis.Text {
	if s.NotAction != nil {
		list := valuesJoined(analysis.Strings(s.NotAction))
		return analysis.Tf("every action except %s", "%s 以外のすべてのアクション", list)
	}
	list := valuesJoined(s.Actions())
	return analysis.T(list, list)
}

func resourcesText(s *analysis.Statement) analysis.Text {
	switch {
	case s.NotResource != nil:
		list := valuesJoined(analysis.Strings(s.NotResource))
		return analysis.Tf("every resource except %s", "%s 以外のすべてのリソース", list)
	case s.Resource == nil:
		return analysis.T("every resource", "すべてのリソース")
	}
	list := valuesJoined(s.Resources())
	return analysis.T(list, list)
}

// valuesJoined is the values' texts joined with ", ", in one allocation
// (none for one value), as strings.Join of them without their slice.
func valuesJoined(vs []*analysis.Value) string {
	switch len(vs) {
	case 0:
		return ""
	case 1:
		return vs[0].Str
	}
	n := len(", ") * (len(vs) - 1)
	for _, v := range vs {
		n += len(v.Str)
	}
	var b strings.Builder
	b.Grow(n)
	for i, v := range vs {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(v.Str)
	}
	return b.String()
}

// mayExempt reports whether exemptFix may offer an exemption in the
// document: a bucket, endpoint or resource control policy that
// .s3policy.json names accounts for.
func mayExempt(f *analysis.File) bool {
	return f.Config != nil && len(f.Config.Accounts) > 0 && f.Kind.In(analysis.KindBucket, analysis.KindEndpoint, analysis.KindRCP)
}

// exemptFix offers, in a policy that names principals of other accounts,
// to exempt the accounts of .s3policy.json from a Deny that is no
// guardrail.
// Only for a Deny whose every action the policy grants: exempting the
// accounts from the whole statement then lifts no more than the Deny
// takes away from them.
func exemptFix(pass *analysis.Pass, s *analysis.Statement) []analysis.Fix {
	if !mayExempt(pass.File) {
		return nil
	}
	accounts := strings.Join(pass.Config.Accounts, ", ")
	exempt := mergeCondition(pass.Src, s, "StringNotEquals", "aws:PrincipalAccount", pass.Config.Accounts, true)
	// Computed only here: a policy's Deny statements are many, its offers
	// of an exemption few.
	if coveredByAllows(pass.Policy, s) {
		return []analysis.Fix{{
			Title: analysis.Tf("Exempt account %s from this Deny", "アカウント %s をこの Deny から除外", accounts),
			Edits: exempt,
		}}
	}
	// The Deny lists more than the policy grants: the accounts stay denied
	// everything else, under the Deny's conditions, in a statement of
	// their own (scp_exempt_fix.go writes it).
	granted := grantedAndDenied(pass.Policy, s)
	if len(granted) == 0 || s.Principal == nil {
		return nil
	}
	rest, ok := deniedRest(pass.Kind, s, granted, nil)
	cond, condOK := restCondition(pass.Src, s, "aws:PrincipalAccount", pass.Config.Accounts, "StringEquals", "StringLike")
	if !ok || !condOK || len(rest) != 1 {
		return nil
	}
	sid := "DenyAccountsOtherActions"
	if isSidText(s.SidText()) && s.SidText() != "" {
		sid = s.SidText() + "Rest"
	}
	stmt := newStatement(pass,
		member{"Sid", sidFor(pass.Policy, sid)},
		member{"Effect", "Deny"},
		rawMember(pass.Src, s.Principal),
		rest[0].action,
		rest[0].resource,
		member{"Condition", cond},
	)
	return []analysis.Fix{{
		Title: analysis.Tf("Exempt account %s from this Deny for %s only", "アカウント %s をこの Deny から %s についてだけ除外", accounts, strings.Join(granted, ", ")),
		Edits: append(exempt, analysis.AppendRaw(pass.Src, pass.Policy.Statement.Value, stmt)...),
	}}
}

// removable reports whether a statement of the policy may be removed: a
// lone statement object is not, since the policy needs one.
func removable(p *analysis.Policy) bool {
	arr := p.Statement.Value
	return arr.Kind == analysis.Array && len(arr.Items) >= 2
}

// removeStatement is the fix that deletes statement s from the
// Statement array of a removable policy p whose text is src.
func removeStatement(src []byte, p *analysis.Policy, s *analysis.Statement) analysis.Fix {
	return analysis.Fix{
		Title:   analysis.Tf("Remove statement %s", "ステートメント %s を削除", s.Label()),
		Edits:   []analysis.Edit{analysis.RemoveItem(src, p.Statement.Value, s.Index)},
		Removes: true,
	}
}
