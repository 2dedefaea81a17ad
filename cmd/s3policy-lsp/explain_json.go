package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

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
	b = appendJSONString(b, r.Say(c).In(lang))
	b = appendIndent(b, prefix, 2)
	return append(b, '}')
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

// appendJSONString appends s quoted as encoding/json quotes it: text that
// needs no escape as it stands, anything else through json.Marshal.
func appendJSONString(b []byte, s string) []byte {
	high := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&':
			return appendMarshalled(b, s)
		case c >= utf8.RuneSelf:
			high = true
		}
	}
	if high && (!utf8.ValidString(s) || strings.ContainsRune(s, '\u2028') || strings.ContainsRune(s, '\u2029')) {
		return appendMarshalled(b, s)
	}
	b = append(b, '"')
	b = append(b, s...)
	return append(b, '"')
}

func appendMarshalled(b []byte, s string) []byte {
	q, _ := json.Marshal(s)
	return append(b, q...)
}
