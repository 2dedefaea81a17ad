package eval

import (
	"sync"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// BlockedFrom is Blocked for a workspace made from prev by an edit
// (Swapped, then Reuse): the entries of prev's answer that the edit
// cannot have changed are taken over, not made again. An entry is made
// of its grant, the evaluation of its request and the documents its
// causes name (their places, and whether they narrow the grant); when
// the grant is prev's (w carried prev's list of the principal's grants:
// no bucket policy was swapped), the evaluation is prev's own (kept by
// Reuse) and every document its causes name is prev's, the entry is
// prev's, or there is none for it in either. A keystroke in an identity
// policy that changes no evaluation still moves the places of causes in
// that policy, and the answer was made again whole: at 5,000 governed
// policies 1,247 entries and 11,550 causes, of which 435 entries have no
// cause in the edited policy (issue 16). Without prev's answer or its
// list of grants, BlockedFrom is Blocked.
func (w *Workspace) BlockedFrom(prev *Workspace, principal string) []analysis.BlockedRequest {
	return w.answer(principal, prev)
}

// answerFrom makes w's answer for a principal from prev's (BlockedFrom);
// ok is false when prev cannot give one, and Blocked's is made then.
func (w *Workspace) answerFrom(prev *Workspace, principal string) (out []analysis.BlockedRequest, ok bool) {
	if prev == nil || prev == w {
		return nil, false
	}
	old, answered := prev.Answered(principal)
	prev.mu.Lock()
	listed, carried := prev.grantLists[principal]
	prev.mu.Unlock()
	if !answered || !carried {
		return nil, false
	}
	grants := w.grantsTo(principal)
	if len(grants) != len(listed) || len(grants) > 0 && &grants[0] != &listed[0] {
		return nil, false // not the list prev answered from
	}
	same := newSameDocuments(w, prev)
	defer same.release()
	maker := w.entryMaker()
	defer maker.release()
	out = make([]analysis.BlockedRequest, 0, len(old)) // about as many
	next := 0                                          // old's entry of the next grant prev found blocked
	for i := range grants {
		g := &grants[i]
		// Old's entries are in the order of the grants they are of: old's
		// next entry is this grant's or a later one's. A later grant with
		// the same request, action and Principal entry gives the same
		// entry, or none, as this one, so an entry like this grant's is
		// this grant's.
		had := next < len(old) && entryOf(&old[next], g)
		if had {
			next++
		}
		e, prevs := w.keptBeside(prev, g.Request)
		if e == nil {
			e = w.evaluate(g.Request)
		}
		if e == prevs && same.all(e) {
			if had {
				out = append(out, old[next-1])
			}
			continue
		}
		if e.result.Decision != Allowed {
			if b := maker.blockedRequest(*g, e); len(b.Causes) > 0 {
				out = append(out, b)
			}
		}
	}
	return out, true
}

// keptBeside returns w's and prev's kept evaluations of a request, either
// nil when its workspace has none, looked up by one key: an identity
// policy's keystroke looks up each of its principal's 1,250 requests in
// both at 5,000 governed policies, and evaluate, which also takes a
// cause array from the pool for an evaluation it would make, spent more
// on a kept one than the look-up (issue 16).
func (w *Workspace) keptBeside(prev *Workspace, req Request) (mine, prevs *evaluation) {
	key := requestKey(req)
	w.mu.Lock()
	if o := w.evaluations[req.Principal]; o != nil {
		mine = o.get(key)
	}
	w.mu.Unlock()
	prev.mu.Lock()
	if o := prev.evaluations[req.Principal]; o != nil {
		prevs = o.get(key)
	}
	prev.mu.Unlock()
	return mine, prevs
}

// entryOf reports whether an answer's entry is of the grant: its
// request's action and resource, and the Principal entry that grants it.
func entryOf(b *analysis.BlockedRequest, g *Grant) bool {
	return b.Action == g.Request.Action && b.Resource == g.Request.Resource && b.GrantedTo == g.Names.Str &&
		b.Grant.Span == g.Names.Span && b.Grant.Path == g.Policy.Path && b.Grant.Doc == g.Policy.DocName
}

// sameDocuments tells whether an evaluation's causes name, in w, the documents they name
// in prev: their places (CauseSite) and what they narrow are then the
// same. It remembers each name's answer, and each kept list's: an
// identity policy's keystroke asks for the 1,250 evaluations of its
// principal at 5,000 governed policies, which hold 450 lists of 11,550
// causes, and looking each cause's name up was a sixth of making the
// answer again (issue 16). Its maps are used again (sameDocumentsPool).
type sameDocuments struct {
	w, prev *Workspace
	names   map[string]bool
	lists   map[keptList]bool
}

var sameDocumentsPool = sync.Pool{New: func() any {
	return &sameDocuments{names: map[string]bool{}, lists: map[keptList]bool{}}
}}

func newSameDocuments(w, prev *Workspace) *sameDocuments {
	s := sameDocumentsPool.Get().(*sameDocuments)
	s.w, s.prev = w, prev
	return s
}

// release gives s back, keeping no workspace alive.
func (s *sameDocuments) release() {
	s.w, s.prev = nil, nil
	clear(s.names)
	clear(s.lists)
	sameDocumentsPool.Put(s)
}

func (s *sameDocuments) all(e *evaluation) bool {
	if len(e.causes) == 0 {
		return s.each(e)
	}
	list := keptList{first: &e.causes[0], n: len(e.causes)}
	same, ok := s.lists[list]
	if !ok {
		same = s.each(e)
		s.lists[list] = same
	}
	return same
}

// each is all, looking each cause's name up.
func (s *sameDocuments) each(e *evaluation) bool {
	for i := range e.numCauses() {
		name := e.cause(i).Policy
		if name == "" {
			continue
		}
		same, ok := s.names[name]
		if !ok {
			same = s.w.byName(name) == s.prev.byName(name)
			s.names[name] = same
		}
		if !same {
			return false
		}
	}
	return true
}
