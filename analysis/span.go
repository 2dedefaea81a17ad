// Package analysis reads IAM-style policy documents and reports why access
// they govern may be denied. It works on bytes and byte offsets only: the
// language server and the command line map offsets to lines and UTF-16
// columns themselves.
package analysis

import (
	"fmt"
	"slices"
	"strings"
)

// Span is a half-open byte range [Start, End) in a document.
type Span struct {
	Start, End int
}

// Contains reports whether offset lies within the span. An empty span
// contains the offset it sits on, so that a cursor placed there finds it.
func (s Span) Contains(offset int) bool {
	if s.Start == s.End {
		return offset == s.Start
	}
	return s.Start <= offset && offset < s.End
}

// Len is the number of bytes covered.
func (s Span) Len() int { return s.End - s.Start }

func (s Span) String() string { return fmt.Sprintf("%d-%d", s.Start, s.End) }

// Severity follows the LSP numbering so that the server can pass it through.
type Severity int

const (
	Error       Severity = 1
	Warning     Severity = 2
	Information Severity = 3
	Hint        Severity = 4
)

var severityNames = map[Severity]string{Error: "error", Warning: "warning", Information: "information", Hint: "hint"}

func (s Severity) String() string {
	if n, ok := severityNames[s]; ok {
		return n
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// ParseSeverity accepts the names used on the command line and in
// .s3policy.json ("error", "warning", "information" or "info", "hint").
func ParseSeverity(name string) (Severity, bool) {
	if name == "info" {
		return Information, true
	}
	for s, n := range severityNames {
		if n == name {
			return s, true
		}
	}
	return 0, false
}

// Text is a message in every language the tool speaks.
type Text struct {
	EN, JA string
}

// T builds a Text from its English and Japanese forms.
func T(en, ja string) Text { return Text{EN: en, JA: ja} }

// Tf formats both languages with the same arguments; an argument that is
// a Text gives each language its own form.
func Tf(en, ja string, args ...any) Text {
	var jaArgs []any
	for i, a := range args {
		t, ok := a.(Text)
		if !ok {
			continue
		}
		if jaArgs == nil { // the caller's slice is left as it is
			args = slices.Clone(args)
			jaArgs = slices.Clone(args)
		}
		args[i], jaArgs[i] = t.EN, t.JA
	}
	if jaArgs == nil {
		jaArgs = args
	}
	return Text{EN: fmt.Sprintf(en, args...), JA: fmt.Sprintf(ja, jaArgs...)}
}

// AndList lists items in a sentence: "a, b and c", "a、b と c".
func AndList(items []string) Text {
	if len(items) < 2 {
		return T(strings.Join(items, ""), strings.Join(items, ""))
	}
	head, last := items[:len(items)-1], items[len(items)-1]
	return Text{
		EN: strings.Join(head, ", ") + " and " + last,
		JA: strings.Join(head, "、") + " と " + last,
	}
}

// In returns the text for a locale such as "ja", "ja-JP" or "en-US";
// English is the fallback.
func (t Text) In(locale string) string {
	if IsJapanese(locale) && t.JA != "" {
		return t.JA
	}
	return t.EN
}

// IsJapanese reports whether a BCP 47 / POSIX locale names Japanese.
func IsJapanese(locale string) bool {
	return len(locale) >= 2 && (locale[:2] == "ja" || locale[:2] == "JA")
}

// Join concatenates texts language by language, separated by sep.
func Join(sep string, parts ...Text) Text {
	return Text{EN: joinIn(sep, parts, func(t Text) string { return t.EN }), JA: joinIn(sep, parts, func(t Text) string { return t.JA })}
}

// joinIn joins one language of the parts in one allocation (a string
// concatenated part by part was one for each).
func joinIn(sep string, parts []Text, in func(Text) string) string {
	n := len(sep) * max(len(parts)-1, 0)
	for _, p := range parts {
		n += len(in(p))
	}
	var b strings.Builder
	b.Grow(n)
	for i, p := range parts {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(in(p))
	}
	return b.String()
}
