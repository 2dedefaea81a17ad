package analysis

// FindingMessage is what a finding says, in every language the tool
// speaks, read with In or Text. A check gives it as a Text (SayText, or
// Pass.Reportf), or as its words and the arguments they are written with
// (Say): then nothing is written until someone reads the message. A
// 20 KB policy can have a hundred findings; check prints each in one
// language and the editor shows a few of them on hover, while writing
// both languages of each at once was a string per language per finding
// (issue 16).
type FindingMessage struct {
	// words write the message; nil when args.S[0] and args.S[1] hold it,
	// in English and Japanese.
	words Words
	args  Args
	// notListed counts the related places the finding leaves out, said
	// after the message (placesNotListed): the merge of duplicates counts
	// them and leaves the words and their arguments as they are, which
	// the finding's fixes written later read (Finding.FixLater).
	notListed int32
}

// Args are what a check's words are written with: strings (parts of the
// policy, as a rule, which cost nothing to keep) and numbers (indexes
// into the check's tables, a statement's position, flags).
type Args struct {
	S [3]string
	N [2]int32
}

// Words write a check's message in English, or in Japanese when ja, from
// its arguments. They are a function of the check's file, not a closure,
// so that a message made with them holds no memory of its own.
type Words func(ja bool, a *Args) string

// Say is the message that words write from args, written when read.
func Say(words Words, args Args) FindingMessage { return FindingMessage{words: words, args: args} }

// SayText is the message that says t.
func SayText(t Text) FindingMessage { return FindingMessage{args: Args{S: [3]string{t.EN, t.JA}}} }

// In is the message for a locale such as "ja", "ja-JP" or "en-US", as
// Text.In: English is the fallback. Only that language is written.
func (m FindingMessage) In(locale string) string {
	if IsJapanese(locale) {
		if ja := m.write(true); ja != "" {
			return ja
		}
	}
	return m.write(false)
}

// Text is the message in every language.
func (m FindingMessage) Text() Text { return Text{EN: m.write(false), JA: m.write(true)} }

// IsZero reports whether the message says nothing.
func (m FindingMessage) IsZero() bool {
	return m.words == nil && m.args.S[0] == "" && m.args.S[1] == "" && m.notListed == 0
}

// sayingNotListed is the message followed by how many related places
// the finding leaves out.
func (m FindingMessage) sayingNotListed(n int) FindingMessage {
	m.notListed = int32(n)
	return m
}

func (m FindingMessage) write(ja bool) string {
	said := m.say(ja)
	if m.notListed == 0 {
		return said
	}
	more := placesNotListed(int(m.notListed))
	if ja {
		return said + more.JA
	}
	return said + more.EN
}

// say is the message without the places not listed.
func (m FindingMessage) say(ja bool) string {
	if m.words != nil {
		return m.words(ja, &m.args)
	}
	if ja {
		return m.args.S[1]
	}
	return m.args.S[0]
}
