package eval

import "github.com/s3policy-lsp/s3policy-lsp/analysis"

// ScenarioRoom is the memory a scenario is read into (NextIn), to be read
// into again once the scenario is answered: a batch that reads each
// scenario into the room of one answered already allocates the rooms of
// the scenarios in flight, not a scenario, its policies' Docs and lists,
// its line index, its context and an array of causes for each (they were
// half of what a scenario of a batch allocated, issue 16).
//
// The zero room is empty. A scenario read into a room, and everything it
// holds, is written over when the room is read into again: an answer
// keeps nothing of it (its causes are copied into the Result, its words
// are strings or the room's words, which are never written over).
type ScenarioRoom struct {
	scenario Scenario
	// said are the words the scenarios read into the room say of their
	// requests, without them (requestWords), each once: a batch's causes
	// name the same few statements of the same fields (of /tmp/scen.json's
	// 779 causes, two sentences but for the request), and words put in an
	// interface each were a fifth of what a batch allocated.
	said    map[words]analysis.CauseMessage
	docs    []Doc    // the scenario's policies
	lists   []*Doc   // its lists of policies, one after another
	levels  [][]*Doc // its lists of levels (SCPs, RCPs), one after another
	lines   lineIndex
	context map[string][]string
	values  []string // the context's values, one after another
}

// NewScenarioRooms returns n empty rooms that keep one set of words
// (ScenarioRoom.said) between them, as one room keeps them for the
// scenarios read into it one after another. The scenarios read into them
// must be evaluated one at a time, or on one goroutine: their evaluations
// write the words.
func NewScenarioRooms(n int) []ScenarioRoom {
	rooms := make([]ScenarioRoom, n)
	said := map[words]analysis.CauseMessage{}
	for i := range rooms {
		rooms[i].said = said
	}
	return rooms
}

// take empties the room for the next scenario read into it, and returns
// the scenario. The arrays of causes and of the layers that blocked the
// last evaluation are the next one's (Scenario.causeRoom, layerRoom).
func (room *ScenarioRoom) take() *Scenario {
	causes, layers := room.scenario.result.Causes[:0], room.scenario.result.BlockedBy[:0]
	if room.said == nil {
		room.said = map[words]analysis.CauseMessage{}
	}
	room.scenario = Scenario{causeRoom: causes, layerRoom: layers, said: room.said}
	room.docs, room.lists, room.levels, room.values = room.docs[:0], room.lists[:0], room.levels[:0], room.values[:0]
	return &room.scenario
}

// maxSaidWords is the most words a room keeps (ScenarioRoom.said): it
// forgets them all when it has this many, so that a batch whose causes
// all say something else keeps no more than this.
const maxSaidWords = 256

// saidOnce is the words said of the scenario's request, without it, the
// room's copy (Scenario.said).
func (s *Scenario) saidOnce(w words) analysis.CauseMessage {
	w.action, w.resource = "", ""
	if said, ok := s.said[w]; ok {
		return said
	}
	if len(s.said) >= maxSaidWords {
		clear(s.said)
	}
	said := newRequestWords(w)
	s.said[w] = said
	return said
}

// newScenario is an empty scenario, in the room when there is one.
func (room *ScenarioRoom) newScenario() *Scenario {
	if room == nil {
		return &Scenario{}
	}
	return room.take()
}

// newDoc is an empty Doc, in the room when there is one. Growing the
// room's array leaves the Docs before in the array they were made in: the
// scenario points at them there.
func (room *ScenarioRoom) newDoc() *Doc {
	if room == nil {
		return new(Doc)
	}
	room.docs = append(room.docs, Doc{})
	return &room.docs[len(room.docs)-1]
}

// docList is an empty list of room for n Docs (nil for none, as a list
// the scenario does not give), in the room when there is one.
func (room *ScenarioRoom) docList(n int) []*Doc {
	if n == 0 {
		return nil
	}
	if room == nil {
		return make([]*Doc, 0, n)
	}
	room.lists = grown(room.lists, n)
	start := len(room.lists)
	room.lists = room.lists[:start+n]
	return room.lists[start : start : start+n]
}

// levelList is docList for a list of levels.
func (room *ScenarioRoom) levelList(n int) [][]*Doc {
	if n == 0 {
		return nil
	}
	if room == nil {
		return make([][]*Doc, 0, n)
	}
	room.levels = grown(room.levels, n)
	start := len(room.levels)
	room.levels = room.levels[:start+n]
	return room.levels[start : start : start+n]
}

// grown is list with room for n more, in a new array when its own is
// full: the lists handed out before stay in the array they were made in.
func grown[T any](list []T, n int) []T {
	if len(list)+n <= cap(list) {
		return list
	}
	return make([]T, len(list), max(2*cap(list), len(list)+n, 8))
}

// contextMap is an empty map for the request's context, the room's when
// there is one.
func (room *ScenarioRoom) contextMap() map[string][]string {
	if room == nil {
		return map[string][]string{}
	}
	if room.context == nil {
		room.context = map[string][]string{}
	}
	clear(room.context)
	return room.context
}

// valueArray is the array a request's context values are appended to
// (plainScanner.values): the room's, emptied by take, when there is one.
func (room *ScenarioRoom) valueArray() []string {
	if room == nil || room.values == nil {
		return make([]string, 0, 8) // not nil: a key given no value has an empty list
	}
	return room.values
}

// keepValues keeps the array the context's values were appended to, for
// the next scenario read into the room.
func (room *ScenarioRoom) keepValues(values []string) {
	if room != nil {
		room.values = values
	}
}
