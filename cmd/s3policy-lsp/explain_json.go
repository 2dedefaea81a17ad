package main

import (
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// appendAnswer appends the JSON of an answer as json.MarshalIndent(a,
// prefix, "  ") writes it, without reflection: a batch of scenarios
// writes one answer each (TestAppendAnswerIsMarshalIndent).
func appendAnswer(b []byte, a eval.Answer, prefix string) []byte {
	in := "\n" + prefix + "  "
	b = append(b, '{')
	b = append(b, in...)
	b = append(b, `"decision": `...)
	b = appendJSONString(b, string(a.Decision))
	b = append(b, ',')
	b = append(b, in...)
	b = append(b, `"blockedBy": `...)
	b = appendArray(b, a.BlockedBy, in, func(b []byte, l eval.Layer) []byte { return appendJSONString(b, string(l)) })
	b = append(b, ',')
	b = append(b, in...)
	b = append(b, `"causes": `...)
	b = appendArray(b, a.Causes, in, func(b []byte, c eval.AnswerCause) []byte { return appendCause(b, c, in+"  ") })
	b = append(b, '\n')
	b = append(b, prefix...)
	return append(b, '}')
}

// appendArray appends items one a line, indented by in + "  ".
func appendArray[T any](b []byte, items []T, in string, item func([]byte, T) []byte) []byte {
	switch {
	case items == nil:
		return append(b, "null"...)
	case len(items) == 0:
		return append(b, "[]"...)
	}
	b = append(b, '[')
	for i, x := range items {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, in...)
		b = append(b, "  "...)
		b = item(b, x)
	}
	b = append(b, in...)
	return append(b, ']')
}

// appendCause appends one cause, its members indented by in + "  ".
func appendCause(b []byte, c eval.AnswerCause, in string) []byte {
	member := func(name string) {
		b = append(b, in...)
		b = append(b, "  \""...)
		b = append(b, name...)
		b = append(b, `": `...)
	}
	b = append(b, '{')
	member("code")
	b = appendJSONString(b, c.Code)
	b = append(b, ',')
	member("layer")
	b = appendJSONString(b, string(c.Layer))
	b = append(b, ',')
	member("policy")
	b = appendJSONString(b, c.Policy)
	b = append(b, ',')
	if c.Statement != nil {
		member("statement")
		b = strconv.AppendInt(b, int64(*c.Statement), 10)
		b = append(b, ',')
	}
	if c.Line != 0 {
		member("line")
		b = strconv.AppendInt(b, int64(c.Line), 10)
		b = append(b, ',')
	}
	member("message")
	b = appendJSONString(b, c.Message)
	b = append(b, in...)
	return append(b, '}')
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
