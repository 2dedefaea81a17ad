package eval

import (
	"slices"
	"sync"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

// The cause of a Deny made once for a workspace and taken by every
// request it blocks (denyCauseAt) is the cause made anew: each request of
// a governed folder, evaluated again once four evaluations at once have
// made every answer, has the decision, the layers and the causes (every
// field, and the words in English and Japanese) an evaluation outside a
// workspace gives, which makes each cause anew with words that name
// their own request.
func TestADenyCauseMadeOnceIsTheCauseMadeAnew(t *testing.T) {
	dir := t.TempDir()
	if _, err := governed.Write(dir, 300); err != nil {
		t.Fatal(err)
	}
	w, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	// Answered by four at once, as the server's workers do: each cause is
	// made by one of them and read by the others (go test -race).
	var answering sync.WaitGroup
	callers := w.Callers()
	for k := range 4 {
		answering.Go(func() {
			for i := range callers {
				w.Blocked(callers[(i+k*len(callers)/4)%len(callers)])
			}
		})
	}
	answering.Wait()
	taken := 0
	for _, p := range w.Callers() {
		for _, g := range w.grantsTo(p) {
			s := w.Scenario(g.Request)
			once := Evaluate(s)
			s.shared = nil
			anew := Evaluate(s)
			if once.Decision != anew.Decision || !slices.Equal(once.BlockedBy, anew.BlockedBy) || len(once.Causes) != len(anew.Causes) {
				t.Fatalf("%+v: %s %v with %d causes, want %s %v with %d", g.Request, once.Decision, once.BlockedBy, len(once.Causes),
					anew.Decision, anew.BlockedBy, len(anew.Causes))
			}
			for i := range once.Causes {
				c, want := once.Causes[i], anew.Causes[i]
				if c.Layer == LayerSCP && c.Explicit {
					taken++
				}
				said, wanted := once.Say(&c), anew.Say(&want)
				c.Message, want.Message = nil, nil
				if c != want || said != wanted {
					t.Fatalf("%+v: cause %d is %+v %q, want %+v %q", g.Request, i, c, said, want, wanted)
				}
			}
		}
	}
	made := 0
	w.cache().shared.denyCauses.Range(func(_, c any) bool {
		for i := range c.(*siteCauses).of {
			if c.(*siteCauses).of[i].state.Load() == madeCause {
				made++
			}
		}
		return true
	})
	if made == 0 || taken < 10*made {
		t.Errorf("%d causes of SCP Denies for %d made once: the folder should block many requests by each", taken, made)
	}
}
