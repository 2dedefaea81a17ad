package eval

import (
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
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

// A site matches a target as written (mayMatchWritten: compared byte by
// byte) exactly as it matches the target lower-cased and escaped
// (mayMatchAction, mayMatchResource): checked for every statement of a
// policy with upper-case actions, wildcards, a literal "*" and "?" of a
// policy variable, the bytes a pattern's literal "*" and "?" stand as, over actions and resources written every way.
func TestMayMatchWrittenIsMatchOfTheLoweredAndEscaped(t *testing.T) {
	policy := `{"Version": "2012-10-17", "Statement": [
  {"Effect": "Allow", "Action": ["S3:GetObject", "s3:putobject"], "Resource": ["arn:aws:s3:::data/*", "arn:aws:s3:::da${?}a/x"]},
  {"Effect": "Allow", "Action": "s3:Get*", "Resource": "arn:aws:s3:::logs${*}/*"},
  {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": ["arn:aws:s3:::zz", "arn:aws:s3:::nul\u0000\u0001x"]},
  {"Effect": "Deny", "NotAction": "s3:ListBucket", "NotResource": "arn:aws:s3:::data"}]}`
	f := analysis.NewFile("p.json", []byte(policy), nil)
	ix := indexStatements([]*Doc{{Name: "p.json", Src: f.Src, Policy: f.Policy}}, nil)
	actions := []string{"", "s3:GetObject", "S3:GETOBJECT", "s3:getobject", "s3:GetObjec", "s3:GetObjectX", "s3:PutObject", "s3:Get*", "kms:decrypt", "KMS:Decrypt", "s3:ListBucket"}
	resources := []string{"", "*", "arn:aws:s3:::data", "arn:aws:s3:::data/*", "arn:aws:s3:::data/x", "arn:aws:s3:::da?a/x", "arn:aws:s3:::da\x01a/x",
		"arn:aws:s3:::logs*/y", "arn:aws:s3:::logs\x00/y", "arn:aws:s3:::logsX/y", "arn:aws:s3:::DATA/x", "arn:aws:s3:::d",
		"arn:aws:s3:::nul*?x", "arn:aws:s3:::nul\x00\x01x"}
	matched, missed := 0, 0
	for i := range ix.sites {
		s := &ix.sites[i]
		for _, a := range actions {
			for _, r := range resources {
				want := s.mayMatchAction(asciiLower(a)) && s.mayMatchResource(escapeWild(r))
				if got := s.mayMatchWritten(target{a, r}); got != want {
					t.Errorf("statement %d, %q on %q: mayMatchWritten %v, the lowered and escaped %v", s.st.Index, a, r, got, want)
				}
				if want {
					matched++
				} else {
					missed++
				}
			}
		}
	}
	if matched == 0 || missed == 0 {
		t.Fatalf("%d targets match, %d do not: the test compares one answer only", matched, missed)
	}
}
