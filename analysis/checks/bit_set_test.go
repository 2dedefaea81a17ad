package checks

import (
	"slices"
	"testing"
)

// A set of 150 numbers: the first missing ones are found past full
// words, and the counts take each number once.
func TestBitSetCountsAndFindsTheMissing(t *testing.T) {
	s, o := newBitSet(150), newBitSet(150)
	for i := range 150 {
		if i != 70 && i != 149 && i != 3 {
			s.add(int32(i))
		}
	}
	o.add(5)
	o.add(70)
	if got := s.firstNotIn(150, 3); !slices.Equal(got, []int{3, 70, 149}) {
		t.Errorf("firstNotIn = %v", got)
	}
	if got := s.firstNotIn(150, 2); !slices.Equal(got, []int{3, 70}) {
		t.Errorf("firstNotIn 2 = %v", got)
	}
	if s.count() != 147 || s.countNotIn(o) != 146 || o.countNotIn(s) != 1 {
		t.Errorf("count %d, countNotIn %d, %d", s.count(), s.countNotIn(o), o.countNotIn(s))
	}
	if !s.has(0) || s.has(70) || !s.has(148) {
		t.Error("has")
	}
	o.or(s)
	if o.count() != 148 {
		t.Errorf("or: count %d", o.count())
	}
}
