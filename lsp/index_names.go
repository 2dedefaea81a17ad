package lsp

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
)

// namesText is the text in which the index looks for the names a policy
// holds (the buckets it names, the accounts it grants), so as to never
// miss one the engine reads: the policy's JSON text, or, when that holds
// an escape, which may write any name ("1111\u00322220000" is account
// 111122220000 to the engine, which reads decoded strings), its keys and
// strings decoded, one a line. A half-typed text gives the strings typed
// so far; ok is false when the text does not decode: then any name may
// be in it.
func namesText(src []byte) (text []byte, ok bool) {
	if bytes.IndexByte(src, '\\') < 0 {
		return src, true
	}
	var out bytes.Buffer
	dec := json.NewDecoder(bytes.NewReader(src))
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return out.Bytes(), true
		}
		if err != nil {
			return nil, false
		}
		if s, isString := tok.(string); isString {
			out.WriteString(s)
			out.WriteByte('\n')
		}
	}
}

// mayName reports whether a policy's text may hold name (namesText).
func mayName(src []byte, name string) bool {
	text, ok := namesText(src)
	return !ok || bytes.Contains(text, []byte(name))
}
