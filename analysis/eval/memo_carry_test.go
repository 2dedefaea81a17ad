package eval

import (
	"maps"
	"path/filepath"
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

// A keystroke's workspace takes over the table of host maps (HostMapOf)
// of the workspace it was swapped from when the swapped document keeps
// its host map, as a file that is one policy does (none), and builds it
// again when the new version has another, as a document of a template
// read again does. The memos a check built are offered to the check's
// carry, those the workspace already holds (KeepPrincipalMemos) and
// those not built are not.
func TestCarriedHostMapsAreTheSwappedDocuments(t *testing.T) {
	dir := t.TempDir()
	if _, err := governed.Write(dir, 20); err != nil {
		t.Fatal(err)
	}
	prev := answeredWorkspace(t, dir)
	old := prev.Files[0]
	path := filepath.ToSlash(old.Path)
	prev.HostMapOf(path, old.DocName)
	prev.Memo("checks: built", func() any { return 1 })
	prev.Memo("checks: held\x00p", func() any { return 2 })
	prev.mu.Lock()
	prev.memos["checks: not built"] = &memo{}
	prev.mu.Unlock()

	for _, host := range []*analysis.HostMap{nil, {}} {
		now := analysis.NewFile(old.Path, old.Src, old.Config)
		now.Host = host
		swaps := map[*analysis.File]*analysis.File{old: now}
		next := Swapped(prev, swaps)
		next.KeepPrincipalMemos(prev, "p")
		var offered []string
		next.CarryMemos(prev, swaps, func(built map[string]any) map[string]func() any {
			for key := range built {
				offered = append(offered, key)
			}
			return nil
		})
		if got := next.HostMapOf(path, old.DocName); got != host {
			t.Errorf("new version's host map %p: HostMapOf gives %p", host, got)
		}
		next.mu.Lock()
		carried := next.memos[hostMapsKey].value
		next.mu.Unlock()
		prev.mu.Lock()
		before := prev.memos[hostMapsKey].value
		prev.mu.Unlock()
		if same := sameTable(carried, before); same != (host == nil) {
			t.Errorf("new version's host map %p: table taken over %v, want %v", host, same, host == nil)
		}
		if len(offered) != 2 || !slices.Contains(offered, "checks: built") || !slices.Contains(offered, hostMapsKey) {
			t.Errorf("offered %q, want the built memos next does not hold", offered)
		}
	}
}

// sameTable reports whether two memos of HostMapOf's table are one.
func sameTable(a, b any) bool {
	x, y := a.(*hostMaps), b.(*hostMaps)
	return len(x.byDoc) > 0 && x == y
}

// BuiltMemos gives each memo built, by key, and not one still being
// built; what it calls may ask the workspace for a memo (it holds no
// lock then), and, called for each closed file a server publishes, it
// allocates nothing once its list has grown.
func TestBuiltMemosGivesTheBuiltOnesWithoutAllocating(t *testing.T) {
	w := NewWorkspace(t.TempDir())
	w.Memo("a", func() any { return 1 })
	w.Memo("b\x00p", func() any { return 2 })
	building, release := make(chan struct{}), make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Memo("c", func() any { close(building); <-release; return 3 })
	}()
	<-building
	got := map[string]any{}
	w.BuiltMemos(func(key string, v any) {
		got[key] = v
		w.Memo("a", func() any { return 0 })
	})
	close(release)
	<-done
	if want := map[string]any{"a": 1, "b\x00p": 2}; !maps.Equal(got, want) {
		t.Errorf("built memos %v, want %v", got, want)
	}
	n := 0
	if allocs := testing.AllocsPerRun(100, func() { w.BuiltMemos(func(string, any) { n++ }) }); allocs != 0 && !raceEnabled {
		t.Errorf("BuiltMemos allocated %v times a call", allocs)
	}
	if n != 3*101 {
		t.Errorf("f called %d times in 101 calls, want 3 each", n)
	}
}
