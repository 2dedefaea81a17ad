package lsp

import (
	"errors"
	"time"
)

// AwaitQuiet waits until the front has nothing to do (no edit pending,
// no open dependant due after the typing pause) and the back has no
// closed file queued or in analysis: whatever the server publishes for
// the events it has read is then published. A test that compares what
// the server shows with a fresh server's waits for this instead of for
// a publication, which an edit that changes nothing never makes.
func (s *Server) AwaitQuiet(timeout time.Duration) error {
	sc := s.sched
	deadline := time.After(timeout)
	for {
		sc.mu.Lock()
		idle := sc.frontIdle
		sc.mu.Unlock()
		select {
		case <-idle:
		case <-deadline:
			return errors.New("the front did not become idle")
		}
		sc.back.Lock()
		busy, done := len(sc.queue) > 0 || sc.inflight > 0, sc.backDone
		sc.back.Unlock()
		if busy {
			select {
			case <-done:
			case <-deadline:
				return errors.New("the back did not finish its closed files")
			}
			continue
		}
		sc.mu.Lock()
		still := sc.frontIdle == idle // no event made it busy meanwhile
		sc.mu.Unlock()
		if still {
			return nil
		}
	}
}
