package tree

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
)

// childConfigLayouts are folders where a module may reach below it into
// a folder with a .s3policy.json of its own, by the roots a walk names
// (slash paths relative to the folder): the sets of such a folder are
// built with the caller's, as Sets builds them; a folder with a config
// that no module above it in its root can reach is a root of its own,
// read as soon as it is listed.
var childConfigLayouts = map[string]struct {
	files map[string]string
	roots []string
}{
	"a child module under its own config, called from a governed module": {
		files: childConfigFiles(".s3policy.json", `{"accounts": ["111122223333"], "files": {"iam/app.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:role/app"}}}`),
		roots: []string{"."},
	},
	"a child module under its own config, called from a module no config governs": {
		files: childConfigFiles("", ""),
		roots: []string{"."},
	},
	"a file read with file() under a config of its own": {
		files: map[string]string{
			".s3policy.json":                    `{"accounts": ["111122223333"]}`,
			"main.tf":                           "resource \"aws_s3_bucket_policy\" \"p\" {\n  bucket = \"data\"\n  policy = file(\"${path.module}/policies/read.json\")\n}\n",
			"policies/.s3policy.json":           `{"accounts": ["999988887777"]}`,
			"policies/read.json":                childBucketPolicy,
			"policies/other.bucket-policy.json": childBucketPolicy,
		},
		roots: []string{"."},
	},
	"a chain: a governed folder, a module under its own config below, its child under another": {
		files: map[string]string{
			".s3policy.json":             `{"accounts": ["111122223333"]}`,
			"top.iam-policy.json":        childIdentityPolicy,
			"envs/.s3policy.json":        `{"accounts": ["111122223333"], "files": {"app.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:role/app"}}}`,
			"envs/app.json":              childIdentityPolicy,
			"envs/main.tf":               "module \"b\" {\n  source = \"./deep/b\"\n}\n",
			"envs/deep/b/.s3policy.json": `{"files": {"main.tf": {"account": "999988887777"}}}`,
			"envs/deep/b/main.tf":        childBucketModule,
		},
		roots: []string{".", "envs"},
	},
	"a config no module above it reaches (a module in a sibling folder)": {
		files: map[string]string{
			".s3policy.json":                `{"accounts": ["111122223333"]}`,
			"tf/main.tf":                    "module \"b\" {\n  source = \"./b\"\n}\n",
			"tf/b/main.tf":                  childBucketModule,
			"inner/.s3policy.json":          `{"accounts": ["999988887777"]}`,
			"inner/read.bucket-policy.json": childBucketPolicy,
		},
		roots: []string{".", "inner"},
	},
}

const (
	childIdentityPolicy = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`
	childBucketPolicy   = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`
	childBucketModule   = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"data\"\n}\nresource \"aws_s3_bucket_policy\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n" +
		"  policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Principal = { AWS = \"arn:aws:iam::444455556666:root\" }, Action = \"s3:GetObject\", Resource = \"arn:aws:s3:::data/*\" }] })\n}\n"
)

// childConfigFiles is lsp/index_childconfig_test.go's folder: a caller
// module beside a role's identity policy, and a child module in a folder
// whose .s3policy.json gives its bucket another account, granting the
// role's account nothing. config is the caller's .s3policy.json ("": none,
// the role's policy a Terraform one).
func childConfigFiles(configName, config string) map[string]string {
	files := map[string]string{
		"main.tf":                  "# caller\nmodule \"b\" {\n  source = \"./modules/b\"\n}\n",
		"modules/b/.s3policy.json": `{"files": {"main.tf": {"account": "999988887777"}}}`,
		"modules/b/main.tf":        childBucketModule,
	}
	if configName == "" {
		files["role.tf"] = "resource \"aws_iam_role_policy\" \"app\" {\n  role = \"app\"\n  policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"s3:GetObject\", Resource = \"arn:aws:s3:::data/*\" }] })\n}\n"
		return files
	}
	files[configName] = config
	files["iam/app.json"] = childIdentityPolicy
	return files
}

// The first scan's walk and Loader (check's too) read a folder with a
// config where a module above it may reach as Sets does: the walk lists
// it under the caller's root, and the Loader builds the root's sets
// together, equal to GovernedOf's whether each file is parsed as it is
// read or once its root is read (Later). Read alone, the child module's
// set held its bucket and the caller's set knew nothing of it: the role's
// read of the bucket of another account was Allowed there, and
// ImplicitlyDenied [resource] in the set Sets builds.
func TestTheScanReadsAChildUnderItsOwnConfigWithItsCaller(t *testing.T) {
	for name, layout := range childConfigLayouts {
		t.Run(name, func(t *testing.T) {
			dir := writeLayout(t, layout.files)
			for _, later := range []bool{false, true} {
				got, roots, listed := loadAsTheScanDoes(t, dir, later)
				var rels []string
				for _, root := range roots {
					rel, _ := filepath.Rel(dir, root)
					rels = append(rels, filepath.ToSlash(rel))
				}
				slices.Sort(rels)
				if !slices.Equal(rels, layout.roots) {
					t.Errorf("later %v: the walk names the roots %v, want %v", later, rels, layout.roots)
				}
				rootOfAgreesWithWalk(t, dir, listed)
				setsAreGovernedOfs(t, dir, got)
			}
		})
	}
	t.Run("the role's read of the child's bucket", func(t *testing.T) {
		dir := writeLayout(t, childConfigLayouts["a child module under its own config, called from a governed module"].files)
		sets, _, _ := loadAsTheScanDoes(t, dir, false)
		set, _ := SetOf(sets, filepath.Join(dir, "iam", "app.json"))
		if set == nil {
			t.Fatal("the role's policy is in no set")
		}
		req := eval.Request{Principal: "arn:aws:iam::111122223333:role/app", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/x"}
		if got := set.Decide(req); got.Decision != eval.ImplicitlyDenied || !slices.Equal(got.BlockedBy, []eval.Layer{eval.LayerResource}) {
			t.Errorf("the caller's set answers %s %v, want ImplicitlyDenied [resource]", got.Decision, got.BlockedBy)
		}
	})
}

// writeLayout writes files (slash paths) into a new folder.
func writeLayout(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	fsys := fstest.MapFS{}
	for rel, text := range files {
		fsys[rel] = &fstest.MapFile{Data: []byte(text), Mode: 0o644}
	}
	if err := os.CopyFS(dir, fsys); err != nil {
		t.Fatal(err)
	}
	return dir
}

// loadAsTheScanDoes is readAsTheScanDoes with a new Loader, returning
// the sets it completes.
func loadAsTheScanDoes(t *testing.T, dir string, later bool) (sets []*Set, roots []string, listed []Listed) {
	t.Helper()
	l := NewLoader(dir, Disk{})
	l.Later = later
	var mu sync.Mutex
	roots, listed = readAsTheScanDoes(t, dir, l, func(c *Complete) {
		mu.Lock()
		defer mu.Unlock()
		sets = append(sets, c.Sets...)
	})
	return sets, roots, listed
}

// readAsTheScanDoes walks dir and reads the files it lists into l on
// several goroutines, in reverse order, after the walk has said Done of
// every root, handing keep what each completes; it returns the roots the
// walk named and the files it listed. A root is complete only once its
// files are read: Done before any is completes none.
func readAsTheScanDoes(t *testing.T, dir string, l *Loader, keep func(*Complete)) (roots []string, listed []Listed) {
	t.Helper()
	err := Walk(dir, Walker{
		File: func(f Listed) {
			l.Expect(f)
			listed = append(listed, f)
		},
		Done: func(root string) { roots = append(roots, root) },
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, root := range roots {
		if c := l.Done(root); c != nil {
			t.Fatalf("%d sets of %s before any file was read", len(c.Sets), root)
		}
	}
	var wg sync.WaitGroup
	for _, f := range slices.Backward(listed) {
		if f.Root != "" {
			wg.Go(func() {
				if _, c := l.Read(f); c != nil {
					keep(c)
				}
			})
		}
	}
	wg.Wait()
	return roots, listed
}

// The walk tells of each module file it read to decide a config folder's
// root, with the text it read (Walker.Reached): the caller's main.tf, read
// for whether it may call into modules/b, whose config would else start a
// root of its own. A server compares that text with the one its sets were
// built from. A folder no config lies below is not read for it.
func TestTheWalkTellsWhatItReadToDecideRoots(t *testing.T) {
	files := childConfigFiles(".s3policy.json", `{"accounts": ["111122223333"]}`)
	files["other/main.tf"] = childBucketModule // a module with no config below it
	dir := writeLayout(t, files)
	reached := map[string]string{}
	err := Walk(dir, Walker{Reached: func(path string, text []byte) {
		if _, twice := reached[path]; twice {
			t.Errorf("%s told twice", path)
		}
		reached[path] = string(text)
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{filepath.Join(dir, "main.tf"): files["main.tf"]}
	if !maps.Equal(reached, want) {
		t.Errorf("the walk told of %q, want %q", reached, want)
	}
}
