package eval

import (
	"fmt"
	"strconv"
	"testing"
	"unsafe"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// The words a cause keeps render the message the engine made at once
// before issue 16, in both languages.
func TestWordsRender(t *testing.T) {
	at := words{number: 2, layer: numberOf(LayerResource), doc: "b.json", sid: "Read", action: "s3:GetObject", resource: "arn:aws:s3:::b/k", who: "arn:aws:iam::111122223333:user/jane"}
	with := func(kind wordsKind, change func(*words)) words {
		w := at
		w.kind = kind
		if change != nil {
			change(&w)
		}
		return w
	}
	cases := []struct {
		name   string
		w      words
		en, ja string
	}{
		{"explicit deny", with(explicitDeny, nil),
			`Bucket policy: statement "Read" of b.json explicitly denies s3:GetObject on arn:aws:s3:::b/k; an explicit Deny overrides every Allow`,
			`バケットポリシー: b.json のステートメント "Read" が arn:aws:s3:::b/k に対する s3:GetObject を明示的に拒否しています。明示的な Deny はすべての Allow に優先します`},
		{"a Sid quoted", with(explicitDeny, func(w *words) { w.sid = `R"ead 読み` }),
			`Bucket policy: statement "R\"ead 読み" of b.json explicitly denies s3:GetObject on arn:aws:s3:::b/k; an explicit Deny overrides every Allow`,
			`バケットポリシー: b.json のステートメント "R\"ead 読み" が arn:aws:s3:::b/k に対する s3:GetObject を明示的に拒否しています。明示的な Deny はすべての Allow に優先します`},
		{"deny by number", with(explicitDeny, func(w *words) { w.sid = "" }),
			`Bucket policy: statement 2 of b.json explicitly denies s3:GetObject on arn:aws:s3:::b/k; an explicit Deny overrides every Allow`,
			`バケットポリシー: b.json のステートメント 2 が arn:aws:s3:::b/k に対する s3:GetObject を明示的に拒否しています。明示的な Deny はすべての Allow に優先します`},
		{"deny if placeholders", with(denyIfPlaceholder, nil),
			`Bucket policy: statement "Read" of b.json denies s3:GetObject on arn:aws:s3:::b/k if its template placeholders stand for this request; the tool cannot know their values`,
			`バケットポリシー: b.json のステートメント "Read" は、テンプレートのプレースホルダーがこのリクエストを指すなら arn:aws:s3:::b/k に対する s3:GetObject を拒否します。プレースホルダーの値はこのツールには分かりません`},
		{"allow if placeholders", with(allowIfPlaceholder, nil),
			`Bucket policy: statement "Read" of b.json allows s3:GetObject on arn:aws:s3:::b/k only if its template placeholders stand for this request; the tool cannot know their values`,
			`バケットポリシー: b.json のステートメント "Read" は、テンプレートのプレースホルダーがこのリクエストを指す場合にだけ arn:aws:s3:::b/k に対する s3:GetObject を許可します。プレースホルダーの値はこのツールには分かりません`},
		{"not on the resource", with(allowsNotOnResource, nil),
			`Bucket policy: statement "Read" of b.json allows s3:GetObject, but not on arn:aws:s3:::b/k`,
			`バケットポリシー: b.json のステートメント "Read" は s3:GetObject を許可していますが、arn:aws:s3:::b/k は対象外です`},
		{"not to the caller", with(allowsNotToCaller, nil),
			`Bucket policy: statement "Read" of b.json allows s3:GetObject on arn:aws:s3:::b/k, but not to arn:aws:iam::111122223333:user/jane`,
			`バケットポリシー: b.json のステートメント "Read" は arn:aws:s3:::b/k に対する s3:GetObject を許可していますが、arn:aws:iam::111122223333:user/jane は対象外です`},
		{"a NotPrincipal Deny on a caller with a boundary", with(denyNotPrincipalBoundary, nil),
			`Bucket policy: statement "Read" of b.json explicitly denies s3:GetObject on arn:aws:s3:::b/k: a Deny with NotPrincipal denies every IAM user and role that has a permissions boundary, even one it lists; write it as Principal "*" with ArnNotEquals aws:PrincipalArn`,
			`バケットポリシー: b.json のステートメント "Read" が arn:aws:s3:::b/k に対する s3:GetObject を明示的に拒否しています。NotPrincipal を使う Deny は、アクセス許可の境界を持つ IAM ユーザーとロールを、列挙されていても必ず拒否します。Principal "*" と ArnNotEquals aws:PrincipalArn で書き直してください`},
		{"no identity policy", with(noIdentityPolicy, func(w *words) { w.layer = numberOf(LayerIdentity) }),
			`Identity policies: no identity policy allows s3:GetObject on arn:aws:s3:::b/k`,
			`アイデンティティベースのポリシー: arn:aws:s3:::b/k に対する s3:GetObject を許可するアイデンティティベースのポリシーがありません`},
		{"no resource policy", with(noResourcePolicy, nil),
			`Bucket policy: no resource policy allows s3:GetObject on arn:aws:s3:::b/k`,
			`バケットポリシー: arn:aws:s3:::b/k に対する s3:GetObject を許可するリソースベースのポリシーがありません`},
		{"no statement", with(noStatementAllows, func(w *words) { w.doc = "a.json, c.json" }),
			`Bucket policy: no statement of a.json, c.json allows s3:GetObject on arn:aws:s3:::b/k`,
			`バケットポリシー: a.json, c.json には arn:aws:s3:::b/k に対する s3:GetObject を許可するステートメントがありません`},
	}
	for _, c := range cases {
		if got := c.w.Render(); got != analysis.T(c.en, c.ja) {
			t.Errorf("%s:\n got %q\n     %q\nwant %q\n     %q", c.name, got.EN, got.JA, c.en, c.ja)
		}
		if got := c.w.In("ja-JP"); got != c.ja {
			t.Errorf("%s in Japanese: %q", c.name, got)
		}
		// An answer written in one language appends the same, for words
		// said of the request (requestWords) as for words of their own.
		r := Result{about: target{action: c.w.action, resource: c.w.resource}}
		for _, m := range []analysis.CauseMessage{c.w, newRequestWords(c.w)} {
			cause := Cause{Message: m}
			for lang, want := range map[string]string{"en": c.en, "ja-JP": c.ja} {
				if got := string(r.AppendSaid([]byte("> "), &cause, lang)); got != "> "+want {
					t.Errorf("%s, %T, AppendSaid in %s:\n got %q\nwant %q", c.name, m, lang, got, "> "+want)
				}
			}
		}
	}
}

// Words append what fmt made of their sentences before they were
// written without it (appendFormat), for every kind, in both languages,
// with Sids that %q escapes and fields that look like a format.
func TestWordsAppendWhatFmtMade(t *testing.T) {
	fmtWords := func(w words, ja bool) string {
		lang, name := 0, "statement "+strconv.Itoa(int(w.number))
		if ja {
			lang, name = 1, "ステートメント "+strconv.Itoa(int(w.number))
		}
		if w.sid != "" {
			name = fmt.Sprintf([2]string{"statement %q", "ステートメント %q"}[lang], w.sid)
		}
		title := layerTitles[w.layer.layer()]
		prefix := [2]string{title.EN, title.JA}[lang] + ": "
		act, res := w.action, w.resource
		switch w.kind {
		case noIdentityPolicy, noResourcePolicy:
			what := analysis.T("identity policy", "アイデンティティベースのポリシー")
			if w.kind == noResourcePolicy {
				what = analysis.T("resource policy", "リソースベースのポリシー")
			}
			if ja {
				return prefix + fmt.Sprintf("%s に対する %s を許可する%sがありません", res, act, what.JA)
			}
			return prefix + fmt.Sprintf("no %s allows %s on %s", what.EN, act, res)
		case noStatementAllows:
			if ja {
				return prefix + fmt.Sprintf("%s には %s に対する %s を許可するステートメントがありません", w.doc, res, act)
			}
			return prefix + fmt.Sprintf("no statement of %s allows %s on %s", w.doc, act, res)
		}
		return prefix + fmt.Sprintf(statementFormats[w.kind][lang], name, w.doc, act, res, w.who)
	}
	sids := []string{"", "Read", `R"e\ad`, "読み\n", "\xff\x00bad", "%[1]s %s %%", "\u2028"}
	for kind := explicitDeny; kind <= noStatementAllows; kind++ {
		for _, sid := range sids {
			w := words{kind: kind, layer: numberOf(LayerSCP), number: 12, doc: "scp %[2]s.json", sid: sid,
				action: "s3:Put%Object", resource: "arn:aws:s3:::b/%[4]s", who: "arn:aws:iam::111122223333:user/%s"}
			for _, ja := range []bool{false, true} {
				if got, want := string(w.appendIn([]byte("> "), ja)), "> "+fmtWords(w, ja); got != want {
					t.Errorf("kind %d, Sid %q, ja %v:\n got %q\nwant %q", kind, sid, ja, got, want)
				}
			}
		}
	}
}

// Two causes' words compare equal as messages exactly when they say the
// same: the language server compares answers so (lsp: sameAnswer).
func TestWordsCompareAsTheirText(t *testing.T) {
	a := words{kind: explicitDeny, number: 1, layer: numberOf(LayerSCP), doc: "scp.json", sid: "Deny", action: "s3:PutObject", resource: "arn:aws:s3:::b/*"}
	b := a
	var ma, mb analysis.Message = a, b
	if ma != mb {
		t.Errorf("the same words differ as messages")
	}
	b.sid = "Deny2"
	if mb = b; ma == mb || ma.Render() == mb.Render() {
		t.Errorf("words with another Sid compare equal, or say the same: %q", mb.Render().EN)
	}
}

// A words names its layer in a byte: each titled layer comes back with
// its title, and words stay in the 96-byte size class (a governed folder's
// answers hold some 300,000 of them).
func TestWordsKeepTheirLayerInAByte(t *testing.T) {
	for l := range layerTitles {
		if got := numberOf(l).layer(); got != l {
			t.Errorf("numberOf(%q).layer() = %q", l, got)
		}
	}
	if got := numberOf("no such layer").layer(); got != "" {
		t.Errorf("an untitled layer comes back as %q, want \"\"", got)
	}
	if size := unsafe.Sizeof(words{}); size > 96 {
		t.Errorf("words are %d bytes, want at most 96", size)
	}
}

// What a cause says of a request (analysis.Saying) compares equal exactly
// when the words are the same: words kept without the request (shared by
// the requests a statement blocks) say the same of two requests only when
// both have one action and resource; a Text, or words that name their own
// request (the KMS pass's), say the same of any.
func TestSayingComparesTheWordsAboutTheRequest(t *testing.T) {
	shared := newRequestWords(words{kind: explicitDeny, number: 1, layer: numberOf(LayerSCP), doc: "scp.json", sid: "Deny"})
	put := &analysis.BlockedRequest{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*"}
	get := &analysis.BlockedRequest{Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*"}
	putAgain := &analysis.BlockedRequest{Action: "s3:PutObject", Resource: "arn:aws:s3:::b/*", GrantedTo: "111122223333"}
	c := &analysis.Cause{Message: shared}
	if put.Saying(c) == get.Saying(c) || put.Saying(c) != putAgain.Saying(c) {
		t.Errorf("shared words compare by their request: put %v, get %v, put again %v", put.Saying(c), get.Saying(c), putAgain.Saying(c))
	}
	want := "SCP: statement \"Deny\" of scp.json explicitly denies s3:GetObject on arn:aws:s3:::b/*; an explicit Deny overrides every Allow"
	if got := get.Say(c).EN; got != want {
		t.Errorf("Say = %q, want %q", got, want)
	}
	own := &analysis.Cause{Message: words{kind: explicitDeny, number: 1, layer: numberOf(LayerKMS), doc: "key.json", action: "kms:Decrypt", resource: "arn:aws:kms:us-east-1:444455556666:key/k"}}
	text := &analysis.Cause{Message: analysis.T("a", "a")}
	for _, c := range []*analysis.Cause{own, text} {
		if put.Saying(c) != get.Saying(c) || put.Say(c) != get.Say(c) {
			t.Errorf("%v says something else of another request", c.Message)
		}
	}
}
