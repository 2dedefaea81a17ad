package eval

import (
	"hash/maphash"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// sharedCauses keeps, for one workspace, the words its evaluations and
// answers say of their requests without the request (requestWords), and
// each list of causes they hold, once: in the governed folders each
// account's fifty SCPs deny every upload, and at 10,000 policies the
// 18,247 blocked requests held 322,852 causes, each with its own words
// naming its request, in 1,398 distinct lists once the request is left
// out (issue 16). A list is never changed once given: requests share it
// (KeepWithSid copies before it renames).
type sharedCauses struct {
	mu    sync.Mutex
	seed  maphash.Seed
	words map[words]analysis.CauseMessage // by the words without their action and resource
	// answers are the lists of blocked requests' causes, by their hash
	// (shareList).
	answers map[uint64][][]analysis.Cause
	// causes holds one copy of each cause of an evaluation the workspace
	// keeps (filed by keptCauseHash), and kept the lists of pointers to
	// them the evaluations hold (filed by the hash of their causes,
	// keptCauses): at 10,000 governed policies the 4,132 distinct lists of
	// the kept evaluations held 137,556 causes of 88 bytes (13 MB), most of
	// them an account's fifty SCP causes and one that differs, which lists
	// of causes could not share.
	causes map[uint64][]*Cause
	kept   map[uint64][][]*Cause
	// layers are the kept evaluations' lists of the layers that blocked
	// them (Result.BlockedBy), each once.
	layers map[uint64][][]Layer
	// answeredLists holds, for a kept list and the causes of it that
	// narrow a grant, the causes of the answer's entry of a request it
	// blocks: the same for every such request (blockedRequest).
	answeredLists map[keptList][]analysis.Cause
	// places are the places the answers' causes point at, each once.
	places map[analysis.Place]*analysis.Place
	// denyCauses are the causes of the Deny statements of the indexes
	// the workspace's evaluations read (*siteCauses by *docIndex of Deny
	// statements, denyCauseAt): a sync.Map, read without a lock by every
	// evaluation at once once made.
	denyCauses sync.Map
}

// siteCauses are what the causes an index of Deny statements' sites
// give say, each made once (denyCauseAt): of[n] is site n's. They are
// made in one array for the index, which a keystroke's workspace makes
// again: a Cause for each site made, or an array of them, added a tenth
// to what a keystroke on a bucket policy allocated at 5,000 policies
// (BenchmarkIndexEdit).
type siteCauses struct {
	of []siteCause
}

// siteCause is what a site's cause says in a layer, its words and its
// line, once made is madeCause. The evaluation that first takes it from
// unmadeCause to makingCause writes it, alone; the others read it once
// it is made, and until then make their own.
type siteCause struct {
	state atomic.Uint32
	line  int32
	layer Layer
	words analysis.CauseMessage
}

const (
	unmadeCause = iota
	makingCause
	madeCause
)

// denyCausesOf returns the causes of the sites of an index of Deny
// statements; nil outside a workspace.
func (s *sharedCauses) denyCausesOf(ix *docIndex) *siteCauses {
	if s == nil {
		return nil
	}
	if c, ok := s.denyCauses.Load(ix); ok {
		return c.(*siteCauses)
	}
	c, _ := s.denyCauses.LoadOrStore(ix, &siteCauses{of: make([]siteCause, len(ix.sites))})
	return c.(*siteCauses)
}

// keptList names a kept list (its first element and its length) and the
// causes of it that narrow a grant (bit i for the i-th).
type keptList struct {
	first    **Cause
	n        int
	narrowed uint64
}

func newSharedCauses() *sharedCauses {
	return &sharedCauses{seed: maphash.MakeSeed(), words: map[words]analysis.CauseMessage{},
		answers: map[uint64][][]analysis.Cause{}, causes: map[uint64][]*Cause{}, kept: map[uint64][][]*Cause{},
		layers: map[uint64][][]Layer{}, places: map[analysis.Place]*analysis.Place{}}
}

// place is the table's one copy of a place, which the causes of answers
// at it share (analysis.Cause.Place): at 10,000 governed policies the
// answers' 137,556 distinct causes are at 904 places, and a Cause that
// holds its place is 88 bytes where one that points at it is 48. A list
// is shared (shareList) with the lists equal to it in the same table,
// whose causes point at the same copies.
func (s *sharedCauses) place(p analysis.Place) *analysis.Place {
	s.mu.Lock()
	defer s.mu.Unlock()
	at, ok := s.places[p]
	if !ok {
		at = new(analysis.Place) // not &p: p would be moved to the heap on every call
		*at = p
		s.places[p] = at
	}
	return at
}

// requestWords are the words without their action and resource, one
// copy for the workspace.
func (s *sharedCauses) requestWords(w words) analysis.CauseMessage {
	w.action, w.resource = "", ""
	s.mu.Lock()
	defer s.mu.Unlock()
	shared, ok := s.words[w]
	if !ok {
		shared = newRequestWords(w)
		s.words[w] = shared
	}
	return shared
}

// message is what a cause of a request says of it: its words without the
// request's action and resource when they name them, else the message as
// it is.
func (s *sharedCauses) message(m analysis.CauseMessage, req Request) analysis.CauseMessage {
	if said, ok := m.(words); ok && said.action == req.Action && said.resource == req.Resource {
		return s.requestWords(said)
	}
	return m
}

// answerCauses returns the list of a blocked request's causes equal to
// causes that the table holds, else holds a copy of causes and returns
// it: causes is an array the caller uses again (entryMaker).
func (s *sharedCauses) answerCauses(causes []analysis.Cause) []analysis.Cause {
	return shareList(s, s.answers, causes, false, causeHash)
}

// causeHash is the hash of an answer's cause: the words of a request,
// most causes' message, are hashed by the hash they keep.
func causeHash(seed maphash.Seed, c analysis.Cause) uint64 {
	return maphash.Comparable(seed, placedCode{c.Code, c.Place, c.Located}) ^ messageHash(seed, c.Message)
}

// messageHash is the hash of a cause's message: the words of a request by
// the hash they keep, any other words by their fields; a message of
// another type is hashed through its interface, the slowest.
func messageHash(seed maphash.Seed, m analysis.CauseMessage) uint64 {
	switch m := m.(type) {
	case requestWords:
		return m.hash
	case words:
		return maphash.Comparable(seed, m)
	}
	return maphash.Comparable(seed, m)
}

// placedCode is a cause of an answer without its message.
type placedCode struct {
	code    string
	place   *analysis.Place
	located bool
}

// answeredOf returns the answer's causes made for a kept list, if any.
func (s *sharedCauses) answeredOf(kept []*Cause, narrowed uint64) ([]analysis.Cause, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	causes, ok := s.answeredLists[keptList{&kept[0], len(kept), narrowed}]
	return causes, ok
}

// answered keeps the answer's causes made for a kept list.
func (s *sharedCauses) answered(kept []*Cause, narrowed uint64, causes []analysis.Cause) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.answeredLists == nil {
		s.answeredLists = map[keptList][]analysis.Cause{}
	}
	s.answeredLists[keptList{&kept[0], len(kept), narrowed}] = causes
}

// keptCauses returns the list the workspace keeps for the causes of an
// evaluation: pointers to its one copy of each cause, in a list the
// evaluations with the same causes share; nil for none. Neither the
// causes nor the list are changed once given.
//
// The lists are filed by the hash of their causes (keptCauseHash), and a
// list equal to one kept is found without looking up each of its causes:
// at 10,000 governed policies the 19,500 kept evaluations hold 4,132
// distinct lists, most of them an account's fifty SCP Denies and one
// cause that differs, and looking up each cause of each list was most of
// what keeping an evaluation cost. The hash is made before the lock is
// taken: the answers of several principals are made at once.
func (s *sharedCauses) keptCauses(causes []Cause) []*Cause {
	if len(causes) == 0 {
		return nil
	}
	h := uint64(len(causes))
	for i := range causes {
		h = h*31 + keptCauseHash(s.seed, &causes[i])
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.kept[h] {
		if slices.EqualFunc(l, causes, func(kept *Cause, c Cause) bool { return *kept == c }) {
			return l
		}
	}
	list := make([]*Cause, len(causes))
	for i := range causes {
		list[i] = s.keptCause(&causes[i])
	}
	s.kept[h] = append(s.kept[h], list)
	return list
}

// keptCause is the workspace's one copy of a cause; the caller holds the
// lock. Causes are filed by keptCauseHash: hashed as a map's key, a cause's
// message, an interface, was hashed field by field through its type's
// description, for each of the 300,000 causes (most of them an SCP's
// Deny) the kept evaluations of a first scan of 10,000 governed policies
// hold.
func (s *sharedCauses) keptCause(c *Cause) *Cause {
	h := keptCauseHash(s.seed, c)
	for _, at := range s.causes[h] {
		if *at == *c {
			return at
		}
	}
	at := new(Cause) // not c: the caller's array would be kept whole
	*at = *c
	s.causes[h] = append(s.causes[h], at)
	return at
}

// keptCauseHash is the hash of a cause the workspace keeps. The words of
// a request, most causes' message, name the policy, the statement and the
// layer and keep their hash: a cause saying them is hashed by it, its
// line and whether it is explicit, without its strings (keptCauses hashes
// each cause of each kept evaluation, 300,000 of them at 10,000 governed
// policies); causes that differ in little else are told apart by
// equality.
func keptCauseHash(seed maphash.Seed, c *Cause) uint64 {
	if m, ok := c.Message.(requestWords); ok {
		return maphash.Comparable(seed, wordsAt{m.hash, c.Statement, c.Line, c.Explicit})
	}
	return maphash.Comparable(seed, causeFields{c.Code, c.Layer, c.Policy, c.Statement, c.Line, c.Explicit}) ^ messageHash(seed, c.Message)
}

// wordsAt is what keptCauseHash hashes of a cause that says a request's
// words.
type wordsAt struct {
	words           uint64 // the words' hash
	statement, line int
	explicit        bool
}

// causeFields are a Cause's fields but its message.
type causeFields struct {
	code            string
	layer           Layer
	policy          string
	statement, line int
	explicit        bool
}

// keptLayers is keptCauses for the layers that blocked a kept evaluation.
func (s *sharedCauses) keptLayers(layers []Layer) []Layer {
	if len(layers) == 0 {
		return nil
	}
	return shareList(s, s.layers, layers, false, maphash.Comparable[Layer]) // layers stay the fresh result's
}

// shareList returns the list of lists equal to list, else keeps list,
// in an array of its size, and returns it. given: the caller gives list
// away, which is then kept as it is when it has no room to spare; else
// a copy is kept (a fresh result's BlockedBy is given to Decide's
// caller).
func shareList[T comparable](s *sharedCauses, lists map[uint64][][]T, list []T, given bool, hash func(maphash.Seed, T) uint64) []T {
	h := uint64(len(list))
	for _, c := range list {
		h = h*31 + hash(s.seed, c)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range lists[h] {
		if slices.Equal(l, list) {
			return l
		}
	}
	if !given || cap(list) > len(list) {
		list = append(make([]T, 0, len(list)), list...)
	}
	lists[h] = append(lists[h], list)
	return list
}
