package lsp

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/lsp/mapper"
)

// Every file whose published diagnostics an edit changes is a dependant
// of the edit (index.update's answer) or the edited file: the server
// analyses again and publishes only those, so any other closed file
// would keep what it published before. Random edits of a governed set
// (a character typed into a bucket ARN, a Sid typed, a space before the
// document, a line added above the Statement, the first principal's
// account changed, an identity policy deleted or created again), each compared
// with the findings of every file of the set as the client sees them
// (lines and columns, related places included). Among them are the
// cross-account missing-resource-arn of both sides (an identity policy
// using another account's bucket whose policy grants its account
// nothing), whose related places, file and needed actions come from the
// other side, not from an answer of the engine (review s8, B3).
func TestEveryFileWhosePublishedFindingsChangeIsADependant(t *testing.T) {
	happened := map[string]int{} // edits made, by what; "others changed": edits that changed another file's findings
	for seed := range uint64(4) {
		t.Run(fmt.Sprint(seed), func(t *testing.T) {
			_, _, texts, ix := governedIndex(t, 40)
			rng := rand.New(rand.NewPCG(seed, 5))
			now := maps.Clone(texts)
			var paths []string
			for p := range now {
				if !strings.HasSuffix(p, analysis.ConfigName) {
					paths = append(paths, p)
				}
			}
			slices.Sort(paths)
			deleted := map[string][]byte{} // identity policies deleted, to be created again
			published := func(g *govSet) map[string]string { return publishedEach(g, paths) }
			before := published(ix.setOf(paths[0]))
			for round := range 30 {
				p := paths[rng.IntN(len(paths))]
				src := now[p]
				var text []byte
				what := ""
				switch rng.IntN(7) {
				case 0:
					if i := bytes.Index(src, []byte(`arn:aws:s3:::`)); i >= 0 {
						at := i + len(`arn:aws:s3:::`)
						text, what = slices.Concat(src[:at], []byte{byte('a' + rng.IntN(3))}, src[at:]), "a character typed into the first bucket ARN"
					}
				case 1:
					if i := bytes.Index(src, []byte(`"Sid": "`)); i >= 0 {
						at := i + len(`"Sid": "`)
						text, what = slices.Concat(src[:at], []byte("x"), src[at:]), "a Sid typed"
					}
				case 2:
					text, what = append([]byte(" "), src...), "a space before the document"
				case 5:
					if i := bytes.Index(src, []byte(`"Statement"`)); i >= 0 {
						text, what = slices.Concat(src[:i], []byte("\"Id\": \"x\",\n  "), src[i:]), "a line added above the Statement"
					}
				case 6:
					if i := bytes.Index(src, []byte(`arn:aws:iam::`)); i >= 0 {
						at := i + len(`arn:aws:iam::`)
						text, what = slices.Concat(src[:at], []byte{byte('0' + rng.IntN(3))}, src[at+1:]), "the first principal's account changed"
					}
				case 3:
					identity := slices.DeleteFunc(slices.Clone(paths), func(x string) bool { return !strings.HasSuffix(x, ".iam-policy.json") })
					p, what = identity[rng.IntN(len(identity))], "the file deleted"
					src = now[p]
				case 4:
					for _, d := range slices.Sorted(maps.Keys(deleted)) {
						p, text, what = d, deleted[d], "the file created again"
						break
					}
				}
				switch {
				case what == "":
					continue
				case text == nil:
					deleted[p] = src
					delete(now, p)
					paths = slices.DeleteFunc(paths, func(x string) bool { return x == p })
				default:
					if _, ok := deleted[p]; ok {
						delete(deleted, p)
						paths = append(paths, p)
						slices.Sort(paths)
					}
					now[p] = text
				}
				happened[what]++
				deps := ix.update(map[string][]byte{p: text})
				after := published(ix.setOf(paths[0]))
				othersChanged := false
				for _, q := range paths {
					othersChanged = othersChanged || after[q] != before[q] && q != p
					if after[q] != before[q] && q != p && !deps[q] {
						t.Errorf("round %d, %s in %s: the findings of %s changed, but it is no dependant:\nbefore %s\nafter  %s", round, what, filepath.Base(p), filepath.Base(q), before[q], after[q])
					}
				}
				if othersChanged {
					happened["others changed"]++
				}
				before = after
			}
		})
	}
	t.Log(happened)
	if len(happened) != 8 || happened["others changed"] < 10 {
		t.Errorf("the edits made were %v, want each of 7 kinds and 10 or more that changed another file's findings", happened)
	}
}

// publishedOf is what the client is sent of a closed file's findings in
// the set: each one's code, range, message and related places, ranges
// in lines and UTF-16 columns of the file each is in (lsp/convert.go).
func publishedOf(g *govSet, path string) []string {
	src := g.sources.get(path)
	result := analysis.AnalyzeFile(path, g.bound(path), src.Findings, analysis.Options{Checks: checks.All})
	at := func(file string, span analysis.Span) string {
		other := g.sources.get(filepath.Join(filepath.Dir(path), file))
		if file == "" {
			other = src
		}
		if other == nil {
			return "(not in the set)"
		}
		m := mapper.New(other.Text)
		return fmt.Sprint(m.Position(span.Start), m.Position(span.End))
	}
	var out []string
	for _, f := range result.Findings {
		line := fmt.Sprintf("%s %s %s", f.Code, at("", f.Span), f.Message.Text().EN)
		for _, r := range f.Related {
			line += fmt.Sprintf(" | %s %s %s %s", r.File, r.Doc, at(r.File, r.Span), r.Message.EN)
		}
		out = append(out, line)
	}
	return out
}

// A bucket's owner that a Terraform module states (its provider's
// account) decides whether an identity policy's use of the bucket is
// across accounts: an edit of the module that makes the owner the
// caller's account takes the finding away from both sides, the identity
// policy and the bucket's policy, neither of which changed.
func TestABucketsOwnerEditedMakesItsCrossAccountUsesDependants(t *testing.T) {
	dir := t.TempDir()
	config, jane, bucket, tf := filepath.Join(dir, analysis.ConfigName), filepath.Join(dir, "jane.iam-policy.json"), filepath.Join(dir, "shared.bucket-policy.json"), filepath.Join(dir, "main.tf")
	module := `provider "aws" { allowed_account_ids = ["444455556666"] }
resource "aws_s3_bucket" "shared" { bucket = "shared-data" }
`
	ix := newIndex()
	ix.rebuild([]string{dir}, map[string][]byte{
		config: []byte(`{"accounts": ["111122223333"], "files": {"jane.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:user/jane"},
  "shared.bucket-policy.json": {"kind": "bucket", "bucket": "shared-data"}}}`),
		jane:   []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`),
		bucket: []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`),
		tf:     []byte(module),
	})
	crossAccount := func(path string) []string {
		return slices.DeleteFunc(publishedOf(ix.setOf(path), path), func(s string) bool { return !strings.HasPrefix(s, "missing-resource-arn") })
	}
	wantJane := []string{"missing-resource-arn {0 98} {0 126} the bucket policy of shared-data grants nothing to account 111122223333: the bucket belongs to account 444455556666, and across accounts the bucket policy must allow too | shared.bucket-policy.json  {0 26} {0 37} no statement here names account 111122223333"}
	wantBucket := []string{"missing-resource-arn {0 26} {0 37} no statement grants account 111122223333, whose jane.iam-policy.json uses this bucket: it needs s3:GetObject on shared-data | jane.iam-policy.json  {0 98} {0 126} the identity policy uses shared-data here"}
	if got, got2 := crossAccount(jane), crossAccount(bucket); !slices.Equal(got, wantJane) || !slices.Equal(got2, wantBucket) {
		t.Fatalf("before the edit: %q\n%q", got, got2)
	}
	deps := ix.update(map[string][]byte{tf: []byte(strings.Replace(module, "444455556666", "111122223333", 1))})
	if got, got2 := crossAccount(jane), crossAccount(bucket); len(got) != 0 || len(got2) != 0 {
		t.Fatalf("after the edit: %q\n%q", got, got2)
	}
	if !deps[jane] || !deps[bucket] {
		t.Errorf("dependants %v lack jane.iam-policy.json or shared.bucket-policy.json", slices.Sorted(maps.Keys(deps)))
	}
}
