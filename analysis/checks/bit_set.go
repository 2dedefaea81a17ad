package checks

import "math/bits"

// bitSet is a set of small numbers: the places a principal's index of
// causes numbers, the buckets of .s3policy.json by their order. Unions
// and counts take a word for 64 of them, which hashing each did not.
type bitSet []uint64

func newBitSet(n int) bitSet { return make(bitSet, (n+63)/64) }

func (s bitSet) add(i int32) { s[i>>6] |= 1 << (i & 63) }

func (s bitSet) has(i int) bool { return s[i>>6]&(1<<(i&63)) != 0 }

// or adds the numbers of o, a set of the same size.
func (s bitSet) or(o bitSet) {
	for i := range s {
		s[i] |= o[i]
	}
}

// count counts the numbers of s.
func (s bitSet) count() int {
	n := 0
	for _, w := range s {
		n += bits.OnesCount64(w)
	}
	return n
}

// countNotIn counts the numbers of s that are not in o.
func (s bitSet) countNotIn(o bitSet) int {
	n := 0
	for i := range s {
		n += bits.OnesCount64(s[i] &^ o[i])
	}
	return n
}

// firstNotIn lists the first n numbers below size that s does not hold.
func (s bitSet) firstNotIn(size, n int) []int {
	var out []int
	for i := 0; i < size && len(out) < n; i++ {
		if s[i>>6] == ^uint64(0) {
			i |= 63 // a full word: on to the next
			continue
		}
		if !s.has(i) {
			out = append(out, i)
		}
	}
	return out
}
