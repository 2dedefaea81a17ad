package eval

import (
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

// An index patched for a new version of one of its documents
// (docIndex.replacing) is the index built over the new documents, for
// edits that change a statement's actions (a literal one taken back, a
// wildcard, NotAction), its resources (a prefix another site has, one no
// site has, NotResource) and its effect; an edit that adds a statement,
// or a Deny, is not patched. The index patched from is left as it was.
func TestAPatchedIndexIsTheIndexBuiltAgain(t *testing.T) {
	policy := func(statements ...string) string {
		return `{"Version": "2012-10-17", "Statement": [` + strings.Join(statements, ",") + `]}`
	}
	allow := func(effect, action, resource string) string {
		return fmt.Sprintf(`{"Effect": %q, %s, %s}`, effect, action, resource)
	}
	const (
		getPut   = `"Action": ["s3:GetObject", "s3:PutObject"]`
		getObjec = `"Action": ["s3:GetObjec", "s3:PutObject", "s3:putobject"]`
		list     = `"Action": "s3:ListBucket"`
		anyS3    = `"Action": "s3:*"`
		notList  = `"NotAction": "s3:ListBucket"`
		dataA    = `"Resource": ["arn:aws:s3:::data-a/*", "arn:aws:s3:::data-b/*"]`
		dataB    = `"Resource": "arn:aws:s3:::data-b/*"`
		dataNew  = `"Resource": ["arn:aws:s3:::brand-new-bucket-name/*", "arn:aws:s3:::data-a/x*"]`
		notData  = `"NotResource": "arn:aws:s3:::data-a/*"`
	)
	others := []string{
		policy(allow("Allow", getPut, dataA), allow("Allow", list, dataB)),
		policy(allow("Deny", anyS3, dataB)),
		policy(allow("Allow", getPut, dataB), allow("Allow", notList, notData)),
	}
	edited := policy(allow("Allow", getPut, dataA), allow("Deny", list, dataB))
	patchable := []string{
		edited, // the same statements: a new version as it is
		policy(allow("Allow", getObjec, dataA), allow("Deny", list, dataB)),
		policy(allow("Allow", anyS3, dataA), allow("Deny", getPut, dataB)),
		policy(allow("Allow", notList, dataA), allow("Deny", list, notData)),
		policy(allow("Allow", getPut, dataNew), allow("Deny", list, dataNew)),
		policy(allow("Allow", `"Action": []`, `"Resource": []`), allow("Deny", list, dataB)),
		policy(allow("Deny", getPut, dataA), allow("Allow", list, dataB)), // which is the Deny moved
	}
	notPatchable := []string{
		policy(allow("Allow", getPut, dataA)),
		policy(allow("Allow", getPut, dataA), allow("Deny", list, dataB), allow("Allow", list, dataB)),
		policy(allow("Deny", getPut, dataA), allow("Deny", list, dataB)),
	}
	doc := func(name, src string) *Doc {
		d, ok := NewDoc(name, []byte(src))
		if !ok {
			t.Fatalf("%s does not parse: %s", name, src)
		}
		return d
	}
	for at := range len(others) + 1 {
		docs := make([]*Doc, 0, len(others)+1)
		for i, src := range others {
			if i == at {
				docs = append(docs, doc("edited", edited))
			}
			docs = append(docs, doc(fmt.Sprint(i), src))
		}
		if at == len(others) {
			docs = append(docs, doc("edited", edited))
		}
		ix := newDocIndex(docs)
		before := newDocIndex(docs)
		for k, src := range append(patchable, notPatchable...) {
			now := append([]*Doc(nil), docs...)
			now[at] = doc("edited", src)
			got := ix.replacing(now, at)
			if k >= len(patchable) {
				if got != nil {
					t.Errorf("at %d, version %d: patched, want built again", at, k)
				}
				continue
			}
			if got == nil {
				t.Errorf("at %d, version %d: not patched", at, k)
				continue
			}
			if want := newDocIndex(now); !reflect.DeepEqual(got, want) {
				t.Errorf("at %d, version %d: patched index\n%+v\nwant\n%+v", at, k, got, want)
			}
			if !reflect.DeepEqual(ix, before) {
				t.Fatalf("at %d, version %d: the index patched from changed", at, k)
			}
		}
	}
}

// The scenario cache of a workspace made by keystrokes in an identity
// policy holds its principal's lists with the latest version in the
// first one's place, their index patched, once asked for (ownedOf):
// what ownedOf builds for the workspace from nothing. A keystroke whose
// workspace evaluated nothing hands the swap on to the next.
func TestCarriedOwnedListsAreThoseBuiltAgain(t *testing.T) {
	dir := t.TempDir()
	layout, err := governed.Write(dir, 100)
	if err != nil {
		t.Fatal(err)
	}
	prev := answeredWorkspace(t, dir)
	path := filepath.Join(dir, filepath.FromSlash(layout.Identity))
	var old *analysis.File
	for _, f := range prev.Files {
		if f.Path == path {
			old = f
		}
	}
	if old == nil {
		t.Fatalf("no %s in the workspace", path)
	}
	p := parsePrincipal(old.Facts.Principal)
	version := func(f *analysis.File, from, to string) *analysis.File {
		now := analysis.NewFile(f.Path, []byte(strings.Replace(string(f.Src), from, to, 1)), f.Config)
		now.Facts = f.Facts
		return now
	}
	for _, edit := range []struct{ from, to string }{{"s3:GetObject", "s3:GetObjec"}, {"data-", "other-"}, {"s3:GetObject", "s3:*"}} {
		now := version(old, edit.from, edit.to)
		next := Swapped(prev, map[*analysis.File]*analysis.File{old: now})
		if next == nil {
			t.Fatalf("%s -> %s: not swapped", edit.from, edit.to)
		}
		next.Seal()
		next.cache() // built, but nothing asks for the principal's lists
		later := version(now, `"Version"`, ` "Version"`)
		last := Swapped(next, map[*analysis.File]*analysis.File{now: later})
		if last == nil {
			t.Fatalf("%s -> %s: not swapped again", edit.from, edit.to)
		}
		c := last.cache()
		if c.owned[p.arn] != nil || c.ownedSwaps[p.arn] == nil {
			t.Fatalf("%s -> %s: the principal's lists are not left to patch", edit.from, edit.to)
		}
		carried := c.ownedOf(last, p)
		if c.ownedSwaps[p.arn] != nil {
			t.Errorf("%s -> %s: the swap is kept once patched", edit.from, edit.to)
		}
		want := newScenarioCache(last).ownedOf(last, p)
		names := func(docs []*Doc) (out []string) {
			for _, d := range docs {
				out = append(out, d.Name)
			}
			return out
		}
		if !reflect.DeepEqual(names(carried.identity), names(want.identity)) || !reflect.DeepEqual(names(carried.boundaries), names(want.boundaries)) {
			t.Fatalf("%s -> %s: carried %v, built again %v", edit.from, edit.to, names(carried.identity), names(want.identity))
		}
		for i, d := range carried.identity {
			if d.Policy != want.identity[i].Policy {
				t.Errorf("%s -> %s: identity policy %d is another version than the workspace's", edit.from, edit.to, i)
			}
		}
		if !slices.ContainsFunc(carried.identity, func(d *Doc) bool { return d.Policy == later.Policy }) {
			t.Errorf("%s -> %s: the latest version is not in the lists", edit.from, edit.to)
		}
		if got := indexShape(carried.index); !reflect.DeepEqual(got, indexShape(want.index)) {
			t.Errorf("%s -> %s: carried index differs from the one built again", edit.from, edit.to)
		}
	}
}

// indexShape is an index without its Docs (two caches make two Docs of a
// document): each site's statement and what is indexed of it.
func indexShape(ix *docIndex) any {
	if ix == nil {
		return nil
	}
	type siteShape struct {
		st                   *analysis.Statement
		prefixes, actions    []string
		anyAction, anyResour bool
	}
	var sites []siteShape
	for _, s := range ix.sites {
		sites = append(sites, siteShape{s.st, s.prefixes, s.actions, s.anyAction, s.anyResource})
	}
	return []any{sites, ix.byAction, ix.anyAction, ix.byPrefix, ix.anyResource, ix.prefixLengths, indexShape(ix.denies)}
}
