package analysis

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
	"strings"
	"testing"
)

// specialBytes marks a word when, and only when, one of its bytes is a
// quote, a backslash or below 0x20, and its lowest mark is on the first
// such byte, whatever bytes sit at whichever places.
func TestSpecialBytes(t *testing.T) {
	special := func(b byte) bool { return b == '"' || b == '\\' || b < 0x20 }
	check := func(word [8]byte) {
		first := 8
		for i, b := range word {
			if special(b) {
				first = i
				break
			}
		}
		m := specialBytes(binary.LittleEndian.Uint64(word[:]))
		if got := bits.TrailingZeros64(m) / 8; m != 0 && got != first || m == 0 && first != 8 {
			t.Fatalf("specialBytes(%q) = %#x: first special byte %d, want %d", word[:], m, got, first)
		}
	}
	for _, fill := range []byte{'a', ' ', 0x7f, 0x80, 0xff, 0x21} {
		for at := range 8 {
			for b := range 256 {
				word := [8]byte{fill, fill, fill, fill, fill, fill, fill, fill}
				word[at] = byte(b)
				check(word)
			}
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var word [8]byte
		binary.LittleEndian.PutUint64(word[:], r.Uint64())
		check(word)
	}
}

// PlainASCIIPrefix stops at the word of the first byte that is a quote, a
// backslash, a control character or not ASCII, wherever it is, and passes
// whole words of plain text only.
func TestPlainASCIIPrefix(t *testing.T) {
	plain := strings.Repeat("abcdefgh", 4)
	for _, b := range []byte{'"', '\\', 0, '\n', 0x1f, 0x80, 0xe6, 0xff} {
		for at := range len(plain) {
			s := plain[:at] + string([]byte{b}) + plain[at+1:]
			if got, want := PlainASCIIPrefix(s), at/8*8; got != want {
				t.Fatalf("PlainASCIIPrefix(%q) = %d, want %d", s, got, want)
			}
		}
	}
	for n := range 20 {
		if got := PlainASCIIPrefix(plain[:n] + " ~\x7f"[:min(3, n)]); got != (n+min(3, n))/8*8 {
			t.Fatalf("plain text of %d bytes: PlainASCIIPrefix = %d", n+min(3, n), got)
		}
	}
}

// skipSpace passes a line break and any indentation after it, eight
// spaces at a time, to the first byte that is not JSON whitespace, and
// the parse places every value after it as before: indentations of 0 to
// 20 spaces, with tabs and CRs among them, before values and keys, and
// the document's last bytes, which are fewer than eight.
func TestSkipSpaceAfterLineBreaks(t *testing.T) {
	for _, indent := range []string{"", " ", "  ", "       ", "        ", "         ", "                    ", "\t", "    \t  ", "  \r\n    ", "\r\n", "\n\n  \n", "         \t"} {
		for _, tail := range []string{"", "\n", "\n ", "\n          "} {
			src := "{\n" + indent + `"a":` + "\n" + indent + `[1,` + "\n" + indent + `"b"]` + "\n" + indent + "}" + tail
			v, err := ParseJSON([]byte(src))
			if err != nil {
				t.Fatalf("%q: %v", src, err)
			}
			f := v.Fields[0]
			a := f.Value.Items
			if got := src[f.KeySpan.Start:f.KeySpan.End]; got != `"a"` {
				t.Errorf("%q: key %q", src, got)
			}
			if got := src[a[0].Span.Start:a[0].Span.End] + src[a[1].Span.Start:a[1].Span.End]; got != `1"b"` {
				t.Errorf("%q: items %q", src, got)
			}
			if got := src[v.Span.End-1:]; got != "}"+tail {
				t.Errorf("%q: the object ends before %q", src, got)
			}
		}
	}
	for n := range 24 {
		for _, after := range []string{"x", "", "x        "} {
			p := &parser{src: []byte("\n" + strings.Repeat(" ", n) + after)}
			if p.skipSpace(); p.pos != 1+n {
				t.Errorf("skipSpace over a line break, %d spaces and %q: at %d, want %d", n, after, p.pos, 1+n)
			}
		}
	}
}
