package analysis

import (
	"encoding/binary"
	"math/bits"
	"math/rand/v2"
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
