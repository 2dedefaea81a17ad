package eval

import (
	"hash/maphash"
	"slices"
	"sync"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// sharedCauses keeps, for one workspace, each list of causes its blocked
// requests hold once, with the words that name the request kept without
// it (requestWords): in the governed folders each account's fifty SCPs
// deny every upload, and the 18,000 blocked requests of 10,000 policies
// held 320,000 causes, each with its own words naming its request, in
// 1,400 distinct lists once the request is left out (issue 16). A list
// is never changed once given: requests share it.
type sharedCauses struct {
	mu    sync.Mutex
	seed  maphash.Seed
	words map[words]analysis.CauseMessage // by the words without their action and resource
	lists map[uint64][][]analysis.Cause   // by listHash
}

// sharedCausesOf is the workspace's table, made once while it does not
// change (Memo).
func (w *Workspace) sharedCausesOf() *sharedCauses {
	return w.Memo("eval: shared causes", func() any {
		return &sharedCauses{seed: maphash.MakeSeed(), words: map[words]analysis.CauseMessage{}, lists: map[uint64][][]analysis.Cause{}}
	}).(*sharedCauses)
}

// message is what a cause of a request says of it: its words without the
// request's action and resource when they name them, else the message as
// it is.
func (s *sharedCauses) message(m analysis.Message, req Request) analysis.CauseMessage {
	said, ok := m.(words)
	if !ok || said.action != req.Action || said.resource != req.Resource {
		return m
	}
	said.action, said.resource = "", ""
	s.mu.Lock()
	defer s.mu.Unlock()
	shared, ok := s.words[said]
	if !ok {
		shared = requestWords{said}
		s.words[said] = shared
	}
	return shared
}

// list returns the list of causes equal to causes that the table holds,
// else holds causes and returns it.
func (s *sharedCauses) list(causes []analysis.Cause) []analysis.Cause {
	h := s.listHash(causes)
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, l := range s.lists[h] {
		if slices.Equal(l, causes) {
			return l
		}
	}
	s.lists[h] = append(s.lists[h], causes)
	return causes
}

// listHash hashes a list of causes: equal lists hash alike (their
// messages are the table's, or compare by value).
func (s *sharedCauses) listHash(causes []analysis.Cause) uint64 {
	h := uint64(len(causes))
	for _, c := range causes {
		h = h*31 + maphash.Comparable(s.seed, c)
	}
	return h
}
