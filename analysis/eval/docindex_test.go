package eval

import (
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

// An index's candidates for an action and a resource are exactly the
// sites, in order, that may match both (site.mayMatchAction and
// mayMatchResource), looked up by the lengths of its prefixes alone:
// checked against every site for the identity policies of each principal
// and the SCPs of each account of a governed folder, over the resources
// their requests and statements name and a few more.
func TestCandidatesAreTheSitesThatMayMatch(t *testing.T) {
	dir := t.TempDir()
	if _, err := governed.Write(dir, 200); err != nil {
		t.Fatal(err)
	}
	w := answeredWorkspace(t, dir)
	c := w.cache()
	var indexes []*docIndex
	for _, o := range c.owned {
		indexes = append(indexes, o.index, o.index.denies)
	}
	for _, s := range c.scps {
		indexes = append(indexes, s.index, s.index.denies)
	}
	resources := []string{"", "*", "arn", "arn:aws:s3:::", "arn:aws:s3:::data-", "arn:aws:s3:::other/x", "arn:aws:kms:us-east-1:444455556666:key/"}
	for _, p := range w.Callers() {
		for _, g := range w.grantsTo(p) {
			resources = append(resources, escapeWild(g.Request.Resource), escapeWild(g.Request.Resource)+"/more")
		}
	}
	actions := []string{"s3:getobject", "s3:putobject", "s3:listbucket", "s3:deletebucket", "kms:decrypt", "kms:generatedatakey", "iam:passrole"}
	checked := 0
	for _, ix := range indexes {
		for _, r := range slices.Compact(slices.Sorted(slices.Values(resources))) {
			for _, a := range actions {
				var want []int32
				for i := range ix.sites {
					if ix.sites[i].mayMatchAction(a) && ix.sites[i].mayMatchResource(r) {
						want = append(want, int32(i))
					}
				}
				if got := ix.candidates(a, r); !slices.Equal(got, want) {
					t.Fatalf("%s on %q: candidates %v, want %v", a, r, got, want)
				}
				checked += len(want)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no site may match any request: the test compares nothing")
	}
}
