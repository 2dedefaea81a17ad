package analysis

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"
)

// plainWord is exact: it reports a word plain when, and only when, none
// of its bytes is a quote, a backslash or below 0x20, whatever byte sits
// at whichever place, beside any other bytes.
func TestPlainWord(t *testing.T) {
	special := func(b byte) bool { return b == '"' || b == '\\' || b < 0x20 }
	check := func(word [8]byte) {
		want := true
		for _, b := range word {
			want = want && !special(b)
		}
		if got := plainWord(binary.LittleEndian.Uint64(word[:])); got != want {
			t.Fatalf("plainWord(%q) = %v, want %v", word[:], got, want)
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
