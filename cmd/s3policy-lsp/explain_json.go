package main

import (
	"strconv"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// appendResult appends the JSON of a result's answer in a language as
// json.MarshalIndent(r.Answer(lang), prefix, "  ") writes it, without
// reflection and without building the Answer: a batch of scenarios
// writes one answer each, and the Answer's lists and each cause's
// statement number were a twentieth of what a scenario allocated
// (TestAppendResultIsMarshalIndent).
func appendResult(b []byte, r *eval.Result, lang, prefix string) []byte {
	b = append(b, '{')
	b = appendMember(b, prefix, 1, "decision")
	b = appendJSONString(b, string(r.Decision))
	b = append(b, ',')
	b = appendMember(b, prefix, 1, "blockedBy")
	if len(r.BlockedBy) == 0 { // Answer's lists are never nil
		b = append(b, "[]"...)
	} else {
		b = append(b, '[')
		for i, l := range r.BlockedBy {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendIndent(b, prefix, 2)
			b = appendJSONString(b, string(l))
		}
		b = appendIndent(b, prefix, 1)
		b = append(b, ']')
	}
	b = append(b, ',')
	b = appendMember(b, prefix, 1, "causes")
	if len(r.Causes) == 0 {
		b = append(b, "[]"...)
	} else {
		b = append(b, '[')
		for i := range r.Causes {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendIndent(b, prefix, 2)
			b = appendCause(b, r, &r.Causes[i], lang, prefix)
		}
		b = appendIndent(b, prefix, 1)
		b = append(b, ']')
	}
	b = appendIndent(b, prefix, 0)
	return append(b, '}')
}

// appendCause appends one cause of the answer, at depth 2 of the result
// (its members at 3): AnswerCause's members, the statement left out when
// the whole policy is the cause, the line when unknown.
func appendCause(b []byte, r *eval.Result, c *eval.Cause, lang, prefix string) []byte {
	b = append(b, '{')
	b = appendMember(b, prefix, 3, "code")
	b = appendJSONString(b, c.Code)
	b = append(b, ',')
	b = appendMember(b, prefix, 3, "layer")
	b = appendJSONString(b, string(c.Layer))
	b = append(b, ',')
	b = appendMember(b, prefix, 3, "policy")
	b = appendJSONString(b, c.Policy)
	b = append(b, ',')
	if c.Statement >= 0 {
		b = appendMember(b, prefix, 3, "statement")
		b = strconv.AppendInt(b, int64(c.Statement), 10)
		b = append(b, ',')
	}
	if c.Line != 0 {
		b = appendMember(b, prefix, 3, "line")
		b = strconv.AppendInt(b, int64(c.Line), 10)
		b = append(b, ',')
	}
	b = appendMember(b, prefix, 3, "message")
	b = appendSaid(b, r, c, lang)
	b = appendIndent(b, prefix, 2)
	return append(b, '}')
}

// appendSaid appends a cause's message in a language, quoted: rendered
// after the answer so far, quoted after itself, and the quoted copy moved
// in its place, so that no string is made of it (explain writes one for
// each cause of each scenario).
func appendSaid(b []byte, r *eval.Result, c *eval.Cause, lang string) []byte {
	said := len(b)
	b = r.AppendSaid(b, c, lang)
	quoted := len(b)
	b = appendJSONString(b, b[said:quoted])
	return append(b[:said], b[quoted:]...)
}

// appendIndent starts a line of MarshalIndent's at a depth: the prefix
// and two spaces a level.
func appendIndent(b []byte, prefix string, depth int) []byte {
	b = append(b, '\n')
	b = append(b, prefix...)
	for range depth {
		b = append(b, "  "...)
	}
	return b
}

// appendMember starts a member of an object: its name on a line of its
// own at depth.
func appendMember(b []byte, prefix string, depth int, name string) []byte {
	b = appendIndent(b, prefix, depth)
	b = append(b, '"')
	b = append(b, name...)
	return append(b, `": `...)
}
