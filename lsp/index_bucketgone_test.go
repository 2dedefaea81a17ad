package lsp

import (
	"bytes"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// Deleting a bucket policy (the workspace's only policy of its bucket),
// or renaming its bucket in every ARN in place, changes the findings of
// identity policies that do not use the bucket (missing-resource-arn's
// checkNamedBucketsGranted: "no statement allows an S3 action on bucket
// X" once the workspace holds no policy of X). Each file whose published
// findings change must be a dependant, and the set agree with a fresh
// one. From the s9 review's scratch test (B4: "renamed" missed 10 files).
func TestABucketPolicyThatLeavesItsBucketIsSeenByEveryIdentityPolicy(t *testing.T) {
	for _, how := range []string{"deleted", "renamed", "recreated", "broken", "one ARN renamed"} {
		t.Run(how, func(t *testing.T) {
			dir, layout, texts, ix := governedIndex(t, 40)
			bucket := filepath.Join(dir, filepath.FromSlash(layout.Bucket))
			var paths []string
			for p := range texts {
				if !strings.HasSuffix(p, analysis.ConfigName) {
					paths = append(paths, p)
				}
			}
			slices.Sort(paths)
			published := func(g *govSet) map[string]string { return publishedEach(g, paths) }
			now := maps.Clone(texts)
			if how == "recreated" {
				ix.update(map[string][]byte{bucket: nil})
				delete(now, bucket)
			}
			before := published(ix.setOf(paths[0]))
			var text []byte
			switch how {
			case "deleted":
			case "renamed":
				text = bytes.ReplaceAll(texts[bucket], []byte("arn:aws:s3:::data-"), []byte("arn:aws:s3:::zata-"))
			case "recreated":
				text = texts[bucket]
			case "broken":
				text = texts[bucket][:len(texts[bucket])-3]
			case "one ARN renamed":
				text = bytes.Replace(texts[bucket], []byte("arn:aws:s3:::data-"), []byte("arn:aws:s3:::zata-"), 1)
			}
			deps := ix.update(map[string][]byte{bucket: text})
			changed := 0
			for _, q := range paths {
				if published(ix.setOf(paths[0]))[q] != before[q] {
					changed++
				}
			}
			if how == "renamed" && changed < 10 {
				t.Errorf("renamed: %d files changed, want the identity policies told of the bucket", changed)
			}
			after := published(ix.setOf(paths[0]))
			missed := 0
			for _, q := range paths {
				if after[q] != before[q] && q != bucket && !deps[q] {
					missed++
					if missed <= 2 {
						t.Errorf("bucket policy %s: the findings of %s changed, but it is no dependant:\nbefore %s\nafter  %s", how, filepath.Base(q), before[q], after[q])
					}
				}
			}
			if missed > 0 {
				t.Errorf("bucket policy %s: %d files changed and are no dependants (of %d dependants)", how, missed, len(deps))
			}
			fresh := newIndex()
			if text == nil {
				delete(now, bucket)
			} else {
				now[bucket] = text
			}
			fresh.rebuild([]string{dir}, now)
			want := published(fresh.setOf(paths[0]))
			for _, q := range paths {
				if want[q] != after[q] {
					t.Errorf("%s: incremental differs from fresh:\n inc   %s\n fresh %s", filepath.Base(q), after[q], want[q])
				}
			}
		})
	}
}

// publishedEach is publishedOf of each of paths the set holds, by path.
func publishedEach(g *govSet, paths []string) map[string]string {
	out := map[string]string{}
	for _, p := range paths {
		if g.sources.get(p) != nil {
			out[p] = strings.Join(publishedOf(g, p), "\n")
		}
	}
	return out
}
