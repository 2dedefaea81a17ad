package analysis

import (
	"fmt"
	"slices"
	"strings"
)

// HoverProvider explains the element at a byte offset, as Markdown, and
// returns the span it explains. Providers are listed in assist.Hovers; the
// server asks each in turn.
type HoverProvider func(f *File, offset int) (Text, Span, bool)

// Hover assembles the hover for an offset: the explanation of every finding
// there, each told once (two findings of one check share it), then what
// the first provider that knows the element says.
func Hover(f *File, findings []Finding, offset int, providers []HoverProvider) (Text, Span, bool) {
	var parts []Text
	span := Span{-1, -1}
	for _, fd := range findings {
		if !fd.Span.Contains(offset) {
			continue
		}
		span = widen(span, fd.Span)
		if text := findingHover(fd); !slices.Contains(parts, text) {
			parts = append(parts, text)
		}
	}
	for _, p := range providers {
		if text, s, ok := p(f, offset); ok {
			parts = append(parts, text)
			span = widen(span, s)
			break
		}
	}
	if len(parts) == 0 {
		return Text{}, Span{}, false
	}
	return Join("\n\n---\n\n", parts...), span, true
}

func widen(a, b Span) Span {
	if a.Start < 0 {
		return b
	}
	return Span{min(a.Start, b.Start), max(a.End, b.End)}
}

// findingHover explains a finding without its message: every client
// already shows the diagnostic's text beside the hover (VS Code in the same
// box), so repeating it only pushes the explanation out of view.
func findingHover(fd Finding) Text {
	out := Text{
		EN: fmt.Sprintf("**%s** (`%s`)", fd.Severity, fd.Code),
		JA: fmt.Sprintf("**%s** (`%s`)", severityJA[fd.Severity], fd.Code),
	}
	if explain := fd.Explanation(); explain.EN != "" {
		out = Join("\n\n", out, explain)
	}
	if fd.DocURL != "" {
		out = Join("\n\n", out, docLink(fd.DocURL))
	}
	return out
}

// docLink names a finding's page for what it is: AWS's documentation, or
// this project's (the .s3policy.json findings point at the README).
func docLink(url string) Text {
	if strings.HasPrefix(url, "https://docs.aws.amazon.com/") {
		return Tf("[AWS documentation](%s)", "[AWS ドキュメント](%s)", url)
	}
	return Tf("[Documentation](%s)", "[ドキュメント](%s)", url)
}

var severityJA = map[Severity]string{Error: "エラー", Warning: "警告", Information: "情報", Hint: "ヒント"}

// KindHover tells, on the Version or Statement key, what kind of policy the
// document was taken for and why: the rules that apply follow from it.
func KindHover(f *File, offset int) (Text, Span, bool) {
	if f.Policy == nil {
		return Text{}, Span{}, false
	}
	for _, field := range []*Field{f.Policy.Version, f.Policy.Statement} {
		if field == nil || !field.KeySpan.Contains(offset) {
			continue
		}
		source := map[KindSource]Text{
			FromConfig:   T("listed in "+ConfigName, ConfigName+" の指定による"),
			FromFileName: T("from the file name", "ファイル名による"),
			FromContent: T("guessed from the content; name the file *.iam-policy.json, *.bucket-policy.json, ... or list it in "+ConfigName+" to say otherwise",
				"内容から推定。別の種類にするにはファイル名を *.iam-policy.json、*.bucket-policy.json などにするか、"+ConfigName+" に記載してください"),
			FromHost: Tf("from its use: `%s`", "使われ方による: `%s`", f.KindReason),
		}[f.KindSource]
		desc := f.Kind.Describe()
		text := Text{
			EN: fmt.Sprintf("**%s** (`%s`): %s", desc.EN, f.Kind, source.EN),
			JA: fmt.Sprintf("**%s** (`%s`): %s", desc.JA, f.Kind, source.JA),
		}
		if field == f.Policy.Version {
			text = Join("\n\n", text, versionNote(f.Policy.VersionText()))
		}
		return text, field.KeySpan, true
	}
	return Text{}, Span{}, false
}

func versionNote(v string) Text {
	if strings.TrimSpace(v) == "2012-10-17" {
		return T("Policy language version 2012-10-17: policy variables such as `${aws:username}` are substituted.",
			"ポリシー言語バージョン 2012-10-17: `${aws:username}` などのポリシー変数が置き換えられます。")
	}
	return T("Use `\"Version\": \"2012-10-17\"`: under older versions policy variables are literal text.",
		"`\"Version\": \"2012-10-17\"` を使ってください。古いバージョンではポリシー変数が文字列のまま扱われます。")
}
