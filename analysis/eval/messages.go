package eval

import (
	"fmt"
	"hash/maphash"
	"slices"
	"strconv"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
)

var sprintf = fmt.Sprintf

var layerTitles = map[Layer]analysis.Text{
	LayerIdentity:      analysis.T("Identity policies", "アイデンティティベースのポリシー"),
	LayerResource:      analysis.T("Bucket policy", "バケットポリシー"),
	LayerSCP:           analysis.T("SCP", "SCP"),
	LayerRCP:           analysis.T("RCP", "RCP"),
	LayerBoundary:      analysis.T("Permissions boundary", "アクセス許可の境界"),
	LayerSession:       analysis.T("Session policy", "セッションポリシー"),
	LayerEndpoint:      analysis.T("VPC endpoint policy", "VPC エンドポイントポリシー"),
	LayerKMS:           analysis.T("KMS", "KMS"),
	LayerOwnership:     analysis.T("Object ownership", "オブジェクト所有権"),
	LayerRequesterPays: analysis.T("Requester pays", "リクエスタ支払い"),
}

// layerNumber is a layer with a title in a byte (0 for one without),
// so that words, which a governed folder's answers hold by the hundred
// thousand, are 96 bytes and not 112.
type layerNumber uint8

var titledLayers = [...]Layer{LayerIdentity, LayerResource, LayerSCP, LayerRCP, LayerBoundary,
	LayerSession, LayerEndpoint, LayerKMS, LayerOwnership, LayerRequesterPays}

func numberOf(l Layer) layerNumber {
	for i, t := range titledLayers {
		if t == l {
			return layerNumber(i + 1)
		}
	}
	return 0
}

// layer is the numbered layer; "" (which has no title) for 0.
func (n layerNumber) layer() Layer {
	if n == 0 || int(n) > len(titledLayers) {
		return ""
	}
	return titledLayers[n-1]
}

// Title names the layer for people: "Bucket policy", "KMS".
func (l Layer) Title() analysis.Text { return layerTitles[l] }

// titled prefixes a message with the layer's name.
func titled(l Layer, t analysis.Text) analysis.Text {
	return analysis.Join(": ", layerTitles[l], t)
}

func statementName(st *analysis.Statement) analysis.Text {
	return namedStatement(st.SidText(), st.Index+1)
}

// namedStatement names a statement by its Sid, else by its number.
func namedStatement(sid string, number int) analysis.Text {
	return analysis.Text{EN: statementNameIn(sid, number, false), JA: statementNameIn(sid, number, true)}
}

// statementNameIn is namedStatement in English or in Japanese.
func statementNameIn(sid string, number int, ja bool) string {
	return string(appendStatementName(nil, sid, number, ja))
}

// appendStatementName appends the statement's name in English or in
// Japanese: its Sid quoted as %q quotes it, else its number.
func appendStatementName(b []byte, sid string, number int, ja bool) []byte {
	if ja {
		b = append(b, "ステートメント "...)
	} else {
		b = append(b, "statement "...)
	}
	if sid != "" {
		return strconv.AppendQuote(b, sid)
	}
	return strconv.AppendInt(b, int64(number), 10)
}

// words is a cause's message kept as data, made when it is read
// (analysis.Message): a folder's evaluations hold hundreds of thousands of
// causes, mostly an SCP's explicit Deny of every upload, and the checks
// report a few of them; made at once, their words were a quarter of what
// check kept of 10,000 governed policies (issue 16). It holds what the
// message names, nothing of the documents, and compares equal to another
// exactly when both say the same. The causes whose words quote conditions
// or the request's context are made at once (an analysis.Text): they are
// few.
type words struct {
	kind             wordsKind
	layer            layerNumber
	number           int32  // the statement's, 1-based: how it is named without a Sid
	doc              string // the policy's name; the names of the layer's policies for noStatementAllows
	sid              string
	action, resource string
	who              string // the caller, for notToCaller
}

type wordsKind uint8

const (
	explicitDeny      wordsKind = iota // a Deny statement applies
	denyIfPlaceholder                  // a Deny applies if its template placeholders stand for the request
	allowIfPlaceholder
	allowsNotOnResource
	allowsNotToCaller
	denyNotPrincipalBoundary // a Deny with NotPrincipal applies to a caller with a permissions boundary
	noIdentityPolicy         // the layer has no policy
	noResourcePolicy
	noStatementAllows // the layer's policies (doc) have no statement that allows
)

// statementWords are the words of a cause at a statement.
func statementWords(kind wordsKind, l Layer, d *Doc, st *analysis.Statement, t target) words {
	return words{kind: kind, number: int32(st.Index + 1), layer: numberOf(l), doc: d.Name, sid: st.SidText(), action: t.action, resource: t.resource}
}

// statementFormats are the words of a cause at a statement, in English
// and Japanese, over the statement's name, the policy's, the action, the
// resource and the caller (the indexes let each language order them).
var statementFormats = [...][2]string{
	explicitDeny: {"%[1]s of %[2]s explicitly denies %[3]s on %[4]s; an explicit Deny overrides every Allow",
		"%[2]s の%[1]s が %[4]s に対する %[3]s を明示的に拒否しています。明示的な Deny はすべての Allow に優先します"},
	denyIfPlaceholder: {"%[1]s of %[2]s denies %[3]s on %[4]s if its template placeholders stand for this request; the tool cannot know their values",
		"%[2]s の%[1]s は、テンプレートのプレースホルダーがこのリクエストを指すなら %[4]s に対する %[3]s を拒否します。プレースホルダーの値はこのツールには分かりません"},
	allowIfPlaceholder: {"%[1]s of %[2]s allows %[3]s on %[4]s only if its template placeholders stand for this request; the tool cannot know their values",
		"%[2]s の%[1]s は、テンプレートのプレースホルダーがこのリクエストを指す場合にだけ %[4]s に対する %[3]s を許可します。プレースホルダーの値はこのツールには分かりません"},
	allowsNotOnResource: {"%[1]s of %[2]s allows %[3]s, but not on %[4]s",
		"%[2]s の%[1]s は %[3]s を許可していますが、%[4]s は対象外です"},
	allowsNotToCaller: {"%[1]s of %[2]s allows %[3]s on %[4]s, but not to %[5]s",
		"%[2]s の%[1]s は %[4]s に対する %[3]s を許可していますが、%[5]s は対象外です"},
	denyNotPrincipalBoundary: {"%[1]s of %[2]s explicitly denies %[3]s on %[4]s: a Deny with NotPrincipal denies every IAM user and role that has a permissions boundary, even one it lists; write it as Principal \"*\" with ArnNotEquals aws:PrincipalArn",
		"%[2]s の%[1]s が %[4]s に対する %[3]s を明示的に拒否しています。NotPrincipal を使う Deny は、アクセス許可の境界を持つ IAM ユーザーとロールを、列挙されていても必ず拒否します。Principal \"*\" と ArnNotEquals aws:PrincipalArn で書き直してください"},
}

// Render makes the message, prefixed with the layer's name, in every
// language.
func (w words) Render() analysis.Text {
	b := w.appendIn(make([]byte, 0, 512), false)
	en := string(b)
	return analysis.Text{EN: en, JA: string(w.appendIn(b[:0], true))}
}

// In is the message in one language.
func (w words) In(locale string) string { return string(w.appendIn(nil, analysis.IsJapanese(locale))) }

// appendIn appends the message in English or in Japanese, prefixed with
// the layer's name: the one owner of the words' sentences, for Render
// and for an answer written in one language (Result.AppendSaid), which
// need not make the other.
func (w words) appendIn(b []byte, ja bool) []byte {
	lang := 0
	if ja {
		lang = 1
	}
	title := layerTitles[w.layer.layer()]
	b = append(b, [2]string{title.EN, title.JA}[lang]...)
	b = append(b, ": "...)
	switch w.kind {
	case noIdentityPolicy:
		return w.appendFormat(b, [2]string{"no identity policy allows %[3]s on %[4]s",
			"%[4]s に対する %[3]s を許可するアイデンティティベースのポリシーがありません"}[lang], ja)
	case noResourcePolicy:
		return w.appendFormat(b, [2]string{"no resource policy allows %[3]s on %[4]s",
			"%[4]s に対する %[3]s を許可するリソースベースのポリシーがありません"}[lang], ja)
	case noStatementAllows:
		return w.appendFormat(b, [2]string{"no statement of %[2]s allows %[3]s on %[4]s",
			"%[2]s には %[4]s に対する %[3]s を許可するステートメントがありません"}[lang], ja)
	}
	return w.appendFormat(b, statementFormats[w.kind][lang], ja)
}

// appendFormat appends a format of the words, in which %[1]s to %[5]s
// stand for the statement's name, the policy's, the action, the resource
// and the caller (statementFormats), as fmt.Appendf would: explain
// writes the words of each cause of each answer, and fmt's arguments
// and its parsing of the format were a third of writing them.
func (w words) appendFormat(b []byte, format string, ja bool) []byte {
	for {
		i := strings.Index(format, "%[")
		if i < 0 || len(format) < i+5 {
			return append(b, format...)
		}
		b = append(b, format[:i]...)
		switch format[i+2] {
		case '1':
			b = appendStatementName(b, w.sid, int(w.number), ja)
		case '2':
			b = append(b, w.doc...)
		case '3':
			b = append(b, w.action...)
		case '4':
			b = append(b, w.resource...)
		case '5':
			b = append(b, w.who...)
		}
		format = format[i+len("%[1]s"):]
	}
}

// About is the message, whatever the request: words name their own
// action and resource (analysis.CauseMessage).
func (w words) About(action, resource string) analysis.Text { return w.Render() }

// TakesRequest is false: words name their own action and resource.
func (w words) TakesRequest() bool { return false }

// withSid is a cause's words at a statement of policy with the
// statement's Sid now sid, kept as they were (with their request or
// without it); ok is false for words made at once (they quote the old Sid
// in their text) or that name no single statement of policy.
func withSid(m analysis.CauseMessage, policy, sid string) (analysis.CauseMessage, bool) {
	said, shared := m.(words)
	if r, ok := m.(requestWords); ok {
		said, shared = r.w, true
	}
	if !shared || said.doc != policy || said.kind == noStatementAllows {
		return nil, false
	}
	said.sid = sid
	if _, ok := m.(requestWords); ok {
		return newRequestWords(said), true
	}
	return said, true
}

// say is what a cause of the pass says in words: a workspace's
// evaluation keeps the words that name its request without it, one copy
// shared by every request of the workspace they are said of
// (sharedCauses), and a scenario read into a room one copy for the
// scenarios read into it (ScenarioRoom.said); others name their own
// action and resource.
func (e *pass) say(w words) analysis.CauseMessage {
	if w.action != e.s.Request.Action || w.resource != e.s.Request.Resource {
		return w
	}
	switch {
	case e.s.shared != nil:
		return e.s.shared.requestWords(w)
	case e.s.said != nil:
		return e.s.saidOnce(w)
	}
	return w
}

// requestWords are words without an action and a resource, which they
// take from the request they are rendered about: the causes of a blocked
// request whose words name the request itself (all but the KMS pass's),
// shared by every request a statement blocks alike (sharedCauses). They
// are no Message of their own, so they cannot be rendered without one.
// hash is the words' hash, made once (newRequestWords): the lists of an
// answer's causes are hashed to be shared (shareList), and hashing the
// words' strings again for each cause of each list was an eighth of
// making an identity policy's answer entries again (issue 16).
type requestWords struct {
	w    words
	hash uint64
}

// newRequestWords are the words, without their action and resource,
// with their hash: equal words have equal hashes in every workspace, so
// requestWords are equal when their words are.
func newRequestWords(w words) requestWords {
	w.action, w.resource = "", ""
	return requestWords{w: w, hash: maphash.Comparable(wordsSeed, w)}
}

var wordsSeed = maphash.MakeSeed()

// About renders the words about the request.
func (r requestWords) About(action, resource string) analysis.Text {
	return r.about(action, resource).Render()
}

// about are the words with the request's action and resource.
func (r requestWords) about(action, resource string) words {
	w := r.w
	w.action, w.resource = action, resource
	return w
}

// TakesRequest is true: the words name the request they are about.
func (r requestWords) TakesRequest() bool { return true }

// layerCodes are the codes of the layers that have a code of their own,
// for an explicit Deny as for an implicit one.
var layerCodes = map[Layer]string{LayerSCP: CodeSCPDenies, LayerEndpoint: CodeEndpointBlocks, LayerSession: CodeSessionPolicyBlocks}

// causeCode is the code of a cause in a layer.
func causeCode(l Layer, explicit bool) string {
	if code, ok := layerCodes[l]; ok {
		return code
	}
	switch {
	case explicit:
		return CodeDeny
	case l == LayerKMS:
		return CodeKMSMissingActions
	}
	return CodeImplicitDeny
}

// statementCause is a cause at a statement, with words made at once.
func (e *pass) statementCause(code string, l Layer, d *Doc, st *analysis.Statement, msg analysis.Text) Cause {
	return e.statementCauseSaying(code, l, d, st, titled(l, msg))
}

// statementCauseSaying is a cause at a statement with its message, which
// names the statement by its Sid.
func (e *pass) statementCauseSaying(code string, l Layer, d *Doc, st *analysis.Statement, msg analysis.CauseMessage) Cause {
	return e.statementCauseAt(code, l, d, st, d.Line(st.Obj.Span.Start), msg)
}

// statementCauseAt is statementCauseSaying with the statement's line
// known already.
func (e *pass) statementCauseAt(code string, l Layer, d *Doc, st *analysis.Statement, line int, msg analysis.CauseMessage) Cause {
	e.reads.quote(d, st.Index)
	return Cause{Code: code, Layer: l, Policy: d.Name, Statement: st.Index, Line: line, Message: msg}
}

func (e *pass) denyCause(l Layer, d *Doc, st *analysis.Statement, v verdict) Cause {
	var msg analysis.CauseMessage
	switch {
	case len(v.unknown) > 0:
		name, act, res := statementName(st), e.target.action, e.target.resource
		when := iamdata.DescribeConditions(v.unknown)
		msg = titled(l, analysis.Join("", analysis.Text{
			EN: sprintf("%s of %s denies %s on %s for a request %s", name.EN, d.Name, act, res, when.EN),
			JA: sprintf("%s の%s は %s リクエストの %s に対する %s を拒否します", d.Name, name.JA, when.JA, res, act)},
			unknownKeysNote(v.unknown)))
	case v.placeholders:
		msg = e.say(statementWords(denyIfPlaceholder, l, d, st, e.target))
	case v.boundaryNotPrincipal:
		msg = e.say(statementWords(denyNotPrincipalBoundary, l, d, st, e.target))
	default:
		msg = e.say(statementWords(explicitDeny, l, d, st, e.target))
	}
	c := e.statementCauseSaying(causeCode(l, true), l, d, st, msg)
	c.Explicit = true
	return c
}

// denyCauseAt is denyCause for site n of an index of Deny statements,
// whose cause is made once in a workspace (causes, nil outside one) when
// it says the request's words: it names the statement, its policy and
// its layer, and the same Deny of the fifty SCPs of an account blocks
// each of its uploads (at 10,000 governed policies 300,000 of the answers'
// 322,852 causes), each made anew and its words looked up under the
// workspace's lock. A cause that quotes conditions, or is said of
// another request (the KMS pass), is made anew.
func (e *pass) denyCauseAt(causes *siteCauses, n int32, l Layer, d *Doc, st *analysis.Statement, v verdict) Cause {
	if causes == nil || len(v.unknown) > 0 || v.placeholders || v.boundaryNotPrincipal || e.target.action != e.s.Request.Action || e.target.resource != e.s.Request.Resource {
		return e.denyCause(l, d, st, v)
	}
	made := &causes.of[n]
	if made.state.Load() == madeCause && made.layer == l {
		c := e.statementCauseAt(causeCode(l, true), l, d, st, int(made.line), made.words)
		c.Explicit = true
		return c
	}
	c := e.denyCause(l, d, st, v)
	if made.state.CompareAndSwap(unmadeCause, makingCause) {
		made.line, made.layer, made.words = int32(c.Line), l, c.Message
		made.state.Store(madeCause)
	}
	return c
}

// unknownKeysNote says which keys of the conditions the tool cannot know.
func unknownKeysNote(conds []analysis.Condition) analysis.Text {
	var keys []string
	for _, c := range conds {
		if !slices.Contains(keys, c.Key.Key) {
			keys = append(keys, c.Key.Key)
		}
	}
	list := strings.Join(keys, ", ")
	return analysis.Tf("; AWS sets %s from the request, and the tool cannot know its value", "。%s は AWS がリクエストから設定する値で、このツールには分かりません", list)
}

// implicitCause explains why no Allow of a layer applies, pointing at the
// statement that comes closest when there is one.
func (e *pass) implicitCause(l Layer, ds []*Doc, withPrincipal bool) Cause {
	d, st, v := e.nearMiss(ds, withPrincipal)
	act, res, who := e.target.action, e.target.resource, e.p.arn
	if st == nil {
		return e.noAllowCause(l, ds, withPrincipal)
	}
	// The statement is named here only in the texts made at once: words
	// name it when read, and naming it (its Sid quoted, in two languages)
	// was a sixth of an upload's evaluation when the KMS key's identity
	// side misses the key (BenchmarkUploadDeniedBySCPs).
	switch {
	case v.failedPlaceholder:
		return e.statementCauseSaying(causeCode(l, false), l, d, st, e.say(statementWords(allowIfPlaceholder, l, d, st, e.target)))
	case v.failedUnknown:
		name, when := statementName(st), iamdata.DescribeCondition(*v.failed)
		return e.statementCause(causeCode(l, false), l, d, st, analysis.Join("", analysis.Text{
			EN: sprintf("%s of %s allows %s on %s only for a request %s", name.EN, d.Name, act, res, when.EN),
			JA: sprintf("%s の%s は %s リクエストにだけ %s に対する %s を許可します", d.Name, name.JA, when.JA, res, act)},
			unknownKeysNote([]analysis.Condition{*v.failed})))
	case v.failed != nil:
		name, op, key := statementName(st), v.failed.Operator.Key, v.failed.Key.Key
		carried := e.carried(key)
		return e.statementCause(causeCode(l, false), l, d, st, analysis.Text{
			EN: sprintf("%s of %s would allow %s on %s, but its condition %s on %s (%s) does not hold for this request, which %s", name.EN, d.Name, act, res, op, key, conditionValues(*v.failed), carried.EN),
			JA: sprintf("%s の%s は %s に対する %s を許可しますが、条件 %s (%s: %s) がこのリクエストでは成り立ちません。このリクエストは %s", d.Name, name.JA, res, act, op, key, conditionValues(*v.failed), carried.JA)})
	case !v.resource:
		code := causeCode(l, false)
		if code == CodeImplicitDeny && l != LayerBoundary {
			// A grant on another resource: the Resource lacks the bucket's
			// ARN. A boundary's near miss stays the boundary's, reported at
			// the boundary (boundary-blocks), the file to change.
			code = CodeMissingResourceARN
		}
		return e.statementCauseSaying(code, l, d, st, e.say(statementWords(allowsNotOnResource, l, d, st, e.target)))
	case l == LayerKMS:
		// The key policy needs a statement of its own for the caller's
		// account; the one that comes closest is the administrators'.
		// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
		name := statementName(st)
		return e.statementCause(causeCode(l, false), l, d, st, analysis.Text{
			EN: sprintf("%s of %s allows %s on %s, but not to %s: add a statement that allows account %s", name.EN, d.Name, act, res, who, e.p.account),
			JA: sprintf("%s の%s は %s に対する %s を許可していますが、%s は対象外です。アカウント %s を許可するステートメントを追加してください", d.Name, name.JA, res, act, who, e.p.account)})
	case l == LayerEndpoint && d.Gateway && !v.principal && e.gatewayMiss(st) != noGrant:
		// The Principal names the caller's account or the caller, which a
		// gateway endpoint does not take for the caller (gatewayPrincipalGrant).
		name := statementName(st)
		if e.gatewayMiss(st) == accountGrant {
			return e.statementCause(causeCode(l, false), l, d, st, analysis.Text{
				EN: sprintf(`%s of %s allows %s on %s to account %s, which on a gateway endpoint means the account's root user alone, not %s: write "Principal": "*" with a condition on aws:PrincipalAccount`, name.EN, d.Name, act, res, e.p.account, who),
				JA: sprintf(`%s の%s は %s に対する %s をアカウント %s に許可していますが、ゲートウェイエンドポイントではそのアカウントのルートユーザーだけを指し、%s は対象外です。"Principal": "*" と aws:PrincipalAccount の条件を書いてください`, d.Name, name.JA, res, act, e.p.account, who)})
		}
		return e.statementCause(causeCode(l, false), l, d, st, analysis.Text{
			EN: sprintf(`%s of %s allows %s on %s to %s by its Principal, which a gateway endpoint does not take: write "Principal": "*" with a condition on aws:PrincipalArn`, name.EN, d.Name, act, res, who),
			JA: sprintf(`%s の%s は %s に対する %s を Principal で %s に許可していますが、ゲートウェイエンドポイントではこの書き方は効きません。"Principal": "*" と aws:PrincipalArn の条件を書いてください`, d.Name, name.JA, res, act, who)})
	default:
		w := statementWords(allowsNotToCaller, l, d, st, e.target)
		w.who = who
		return e.statementCauseSaying(causeCode(l, false), l, d, st, e.say(w))
	}
}

// gatewayMiss is how a statement's Principal names the caller as a policy
// other than a gateway endpoint's would take it: asked of a statement of
// a gateway endpoint's policy that does not name the caller.
func (e *pass) gatewayMiss(st *analysis.Statement) grant {
	g, _ := e.principalGrant(st.Principal)
	return g
}

// nearMiss finds the Allow statement that comes closest to applying:
// one whose condition fails, else one that misses only the resource or
// only the principal.
func (e *pass) nearMiss(ds []*Doc, withPrincipal bool) (*Doc, *analysis.Statement, verdict) {
	if ix := e.indexOf(ds, withPrincipal); ix != nil {
		return e.indexedNearMiss(ix)
	}
	e.reads.readAll(ds)
	var bestDoc *Doc
	var best *analysis.Statement
	var bestV verdict
	bestScore := 1
	for _, d := range ds {
		for _, st := range d.Policy.Statements {
			if !st.IsAllow() {
				continue
			}
			v := e.judge(d, st, withPrincipal)
			score := 0
			switch {
			case v.action && v.resource && v.principal:
				score = 3
			case v.action && (v.resource || v.principal):
				score = 2
			}
			if score > bestScore {
				bestDoc, best, bestV, bestScore = d, st, v, score
			}
		}
	}
	return bestDoc, best, bestV
}

// indexedNearMiss is nearMiss over indexed policies, which name no
// principal: the first Allow that matches the action and the resource
// (its condition failed), else the first Allow that matches the action.
// Every such statement was judged already (allows), so skipping the
// others changes nothing the pass records.
func (e *pass) indexedNearMiss(ix *docIndex) (*Doc, *analysis.Statement, verdict) {
	for _, n := range e.sitesOf(ix) {
		s := &ix.sites[n]
		if !s.st.IsAllow() {
			continue
		}
		if v := e.judge(s.doc, s.st, false); v.action && v.resource && v.principal {
			return s.doc, s.st, v
		}
	}
	action := lowerAction(e.target.action)
	for _, n := range ix.ofAction(action) {
		s := &ix.sites[n]
		if !s.st.IsAllow() {
			continue
		}
		if v := e.judge(s.doc, s.st, false); v.action {
			e.reads.scan(action, s.doc, s.st)
			return s.doc, s.st, v
		}
	}
	e.reads.scan(action, nil, nil)
	return nil, nil, verdict{}
}

func (e *pass) noAllowCause(l Layer, ds []*Doc, withPrincipal bool) Cause {
	c := Cause{Code: causeCode(l, false), Layer: l, Statement: -1}
	w := words{layer: numberOf(l), action: e.target.action, resource: e.target.resource}
	// The cause names the documents, and gives the line of one alone: only
	// then does it read more of a document than its name.
	if len(ds) == 1 {
		e.reads.readAll(ds)
	}
	switch len(ds) {
	case 0:
		w.kind = noIdentityPolicy
		if withPrincipal {
			w.kind = noResourcePolicy
		}
		c.Message = e.say(w)
		return c
	case 1:
		c.Policy, c.Line = ds[0].Name, ds[0].Line(ds[0].Policy.Root.Span.Start)
	default:
		names := make([]string, len(ds))
		for i, d := range ds {
			names[i] = d.Name
		}
		c.Policy = strings.Join(names, ", ")
	}
	w.kind, w.doc = noStatementAllows, c.Policy
	c.Message = e.say(w)
	return c
}

func requesterPaysMessage(bucket string, anonymous bool) analysis.Text {
	if anonymous {
		return titled(LayerRequesterPays, analysis.Tf(
			"bucket %s is a requester-pays bucket, which refuses anonymous requests",
			"バケット %s はリクエスタ支払いのため、匿名リクエストは拒否されます", bucket))
	}
	return titled(LayerRequesterPays, analysis.Tf(
		"bucket %s is a requester-pays bucket: a request from another account must carry x-amz-request-payer: requester (CLI: --request-payer requester)",
		"バケット %s はリクエスタ支払いです。他のアカウントからのリクエストには x-amz-request-payer: requester が必要です (CLI: --request-payer requester)", bucket))
}

func ownershipMessage(owner string, b *analysis.BucketFacts) analysis.Text {
	return titled(LayerOwnership, analysis.Tf(
		"the object was written by account %s and bucket %s uses %s, so the object belongs to %s and the bucket owner's policy does not grant access to it; the writer can run put-object-acl --acl bucket-owner-full-control, or the bucket can switch to BucketOwnerEnforced",
		"オブジェクトはアカウント %s が書き込み、バケット %s は %s のため、オブジェクトの所有者は %s です。バケット所有者のポリシーではアクセスを許可できません。書き込んだアカウントが put-object-acl --acl bucket-owner-full-control を実行するか、バケットを BucketOwnerEnforced にしてください",
		owner, b.Name, b.ObjectOwnership, owner))
}

func managedKeyMessage(action string) analysis.Text {
	return titled(LayerKMS, analysis.Tf(
		"the bucket encrypts with the AWS managed key aws/s3, whose key policy cannot be changed and does not allow %s from another account; use a customer managed key",
		"バケットは AWS マネージドキー aws/s3 で暗号化されています。そのキーポリシーは変更できず、他のアカウントからの %s を許可しません。カスタマーマネージドキーを使ってください", action))
}

// conditionValues lists the values a condition compares with.
func conditionValues(c analysis.Condition) string {
	out := make([]string, len(c.Values))
	for i, v := range c.Values {
		out[i] = v.Str
	}
	return strings.Join(out, ", ")
}

// carried says whether the request carries the key, and its value.
func (e *pass) carried(key string) analysis.Text {
	values := e.ctx.get(key)
	if len(values) == 0 {
		return analysis.Tf("does not carry %s", "%s を持ちません", key)
	}
	list := strings.Join(values, ", ")
	return analysis.Tf("carries %s = %s", "%s = %s を持ちます", key, list)
}
