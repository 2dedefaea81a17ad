package iamdata

// foldTable finds a name among a list of names, ignoring case, by open
// addressing: each slot holds a name's index + 1 (0 is empty). It holds
// no pointer for the garbage collector, as a map keyed by the names
// would, and one lookup hashes the name once and compares it with one
// name or two. (A binary search compared it with about nine:
// LookupAction("s3:GetObject") took 1.8 to 2.4 times as long as with
// maps, and the checks look up every Action entry on every keystroke.)
type foldTable []uint32

// newFoldTable indexes n names, nameAt(i) the i-th, which are ASCII (the
// data's are). A name already indexed, ignoring case, keeps its first
// index.
func newFoldTable(n int, nameAt func(int) string) foldTable {
	size := 8
	for size < 2*n {
		size *= 2
	}
	t := make(foldTable, size)
	mask := uint32(size - 1)
	for i := range n {
		name := nameAt(i)
		h := hashFold(name) & mask
		for ; t[h] != 0; h = (h + 1) & mask {
			if compareFold(nameAt(int(t[h]-1)), name) == 0 {
				break
			}
		}
		if t[h] == 0 {
			t[h] = uint32(i + 1)
		}
	}
	return t
}

// find returns the index of the name that is name, ignoring case as
// strings.ToLower does, without allocating for the short ASCII names that
// policies hold.
func (t foldTable) find(name string, nameAt func(int) string) (int, bool) {
	if len(t) == 0 {
		return 0, false
	}
	var buf [128]byte
	lower := appendLower(buf[:0], name)
	mask := uint32(len(t) - 1)
	for h := hashFold(lower) & mask; t[h] != 0; h = (h + 1) & mask {
		if i := int(t[h] - 1); compareLower(nameAt(i), lower) == 0 {
			return i, true
		}
	}
	return 0, false
}

// hashFold is FNV-1a of the name with A-Z lower-cased.
func hashFold[Name string | []byte](name Name) uint32 {
	h := uint32(2166136261)
	for i := 0; i < len(name); i++ {
		h = (h ^ uint32(lowerByte(name[i]))) * 16777619
	}
	return h
}
