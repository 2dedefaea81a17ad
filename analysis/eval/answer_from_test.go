package eval

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

// After an edit of an identity policy or a bucket policy, swapped in as
// the server does (Swapped, then Reuse of the evaluations MayRead keeps),
// BlockedFrom gives every principal the answer a workspace read afresh
// gives. Where no evaluation of the principal changed (an action being
// typed), the entries with no cause in the edited policy are prev's own
// (the same list of causes), and only those with one are made again;
// after a bucket policy's edit the grants are listed again and nothing is
// taken over.
func TestBlockedFromIsAFreshAnswer(t *testing.T) {
	for _, c := range []struct {
		name, old, new string
		bucket         bool // the edit is the bucket policy's, else the identity policy's
		takesOver      bool // every entry without a cause in the edited file is prev's
	}{
		{name: "an action typed", old: `"s3:PutObject"]`, new: `"s3:PutObject", "s3:Del"]`, takesOver: true},
		{name: "a letter taken back", old: `"s3:GetObject", "s3:PutObject"`, new: `"s3:GetObjec", "s3:PutObject"`},
		{name: "a resource narrowed", old: `"arn:aws:s3:::data-00000/*", `, new: `"arn:aws:s3:::data-00000/reports/*", `},
		{name: "a line break", old: `"Action": ["s3:GetObject",`, new: "\"Action\": [\n        \"s3:GetObject\","}, // later statements move: their evaluations are made again
		{name: "a statement added", old: `"Statement": [`, new: `"Statement": [{"Sid": "NoGets", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data-00007/*"},`},
		{name: "a bucket policy's action", old: `"s3:ListBucket"]`, new: `"s3:ListBucketVersions"]`, bucket: true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			layout, err := governed.Write(dir, 60)
			if err != nil {
				t.Fatal(err)
			}
			rel := layout.Identity
			if c.bucket {
				rel = layout.Bucket
			}
			path := filepath.Join(dir, filepath.FromSlash(rel))
			prev := answeredWorkspace(t, dir)
			before := prev.File(path)
			text := bytes.Replace(before.Src, []byte(c.old), []byte(c.new), 1)
			if bytes.Equal(text, before.Src) {
				t.Fatalf("%q is not in %s", c.old, rel)
			}
			if err := os.WriteFile(path, text, 0o644); err != nil {
				t.Fatal(err)
			}
			after := analysis.NewFile(path, text, before.Config)
			next := Swapped(prev, map[*analysis.File]*analysis.File{before: after})
			if next == nil {
				t.Fatal("Swapped refused the new version")
			}
			edit := EditedInPlace(prev, before, after)
			next.Reuse(prev, func(req Request, read *ReadSet) bool {
				if edit == nil {
					return true // the server's coarser test: every evaluation the document may join
				}
				return before.Facts != nil && req.Principal == before.Facts.Principal && read.MayRead(edit)
			})
			fresh, err := loadDir(dir)
			if err != nil {
				t.Fatal(err)
			}
			takenOver, placedInEdit := 0, 0
			for _, p := range fresh.Callers() {
				old, _ := prev.Answered(p)
				got, want := next.BlockedFrom(prev, p), fresh.Blocked(p)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s: BlockedFrom gave\n%+v\na fresh workspace's Blocked\n%+v", p, got, want)
				}
				for i := range got {
					inEdit := slices.ContainsFunc(got[i].Causes, func(c analysis.Cause) bool { return c.Located && c.Place.Path == path })
					taken := slices.ContainsFunc(old, func(b analysis.BlockedRequest) bool { return &b.Causes[0] == &got[i].Causes[0] })
					switch {
					case inEdit:
						placedInEdit++
						if taken {
							t.Errorf("%s %s %s: an entry with a cause in the edited file is prev's", p, got[i].Action, got[i].Resource)
						}
					case taken:
						takenOver++
					case c.takesOver:
						t.Errorf("%s %s %s: made again, though nothing it is made of changed", p, got[i].Action, got[i].Resource)
					}
				}
			}
			if c.takesOver && (takenOver == 0 || placedInEdit == 0) {
				t.Errorf("%d entries taken over, %d with a cause in the edited file: the test compares nothing", takenOver, placedInEdit)
			}
			if c.bucket && takenOver != 0 {
				t.Errorf("%d entries taken over after a bucket policy's edit, whose grants are listed again", takenOver)
			}
		})
	}
}
