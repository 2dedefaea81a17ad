package tree

import (
	"path/filepath"
	"slices"
	"testing"
)

// teamFolders is a Terraform repository's top module (a providers.tf
// and a main.tf) under the repository's .s3policy.json, and two team
// folders with configs of their own; main is the top module's main.tf.
func teamFolders(main string) map[string]string {
	return map[string]string{
		".s3policy.json":                       `{"accounts": ["111122223333"], "files": {"iam/app.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:role/app"}}}`,
		"iam/app.json":                         childIdentityPolicy,
		"providers.tf":                         "provider \"aws\" {\n  region = \"eu-west-1\"\n}\n",
		"main.tf":                              main,
		"network/main.tf":                      "module \"vpc\" {\n  source = \"./vpc\"\n}\n",
		"network/vpc/main.tf":                  "resource \"aws_vpc\" \"v\" {\n  cidr_block = \"10.0.0.0/16\"\n}\n",
		"teams/payments/.s3policy.json":        `{"accounts": ["999988887777"]}`,
		"teams/payments/read.json":             childBucketPolicy,
		"teams/payments/other.iam-policy.json": childIdentityPolicy,
		"teams/search/.s3policy.json":          `{"files": {"main.tf": {"account": "999988887777"}}}`,
		"teams/search/main.tf":                 childBucketModule,
		"teams/search/policies/read.iam.json":  childIdentityPolicy,
	}
}

// A team folder with its own config joins the repository's root only
// when the top module may reach it (its reader's byte scan finds a
// module block naming the folder, or a file()): one that it may not
// reach is a root of its own, whose sets are built as soon as the walk leaves it, before the
// walk leaves the top folder. Either way the Loader's sets are
// GovernedOf's and RootOf agrees with the walk. The walk reads the
// module files of the folders on the way to a team's config, once each:
// the top folder's two (teams holds none), not network's.
func TestATeamFolderJoinsTheTopRootOnlyWhenTheTopModuleMayReachIt(t *testing.T) {
	for name, layout := range map[string]struct {
		main  string
		roots []string // in the order the walk says Done of them
	}{
		"no module call, no file()": {
			main:  "resource \"aws_s3_bucket\" \"data\" {\n  bucket = \"data\"\n}\n",
			roots: []string{"teams/payments", "teams/search", "."},
		},
		"a call into teams/search": {
			main:  "module \"b\" {\n  source = \"./teams/search\"\n}\n",
			roots: []string{"teams/payments", "."},
		},
		"a file() of teams/payments": {
			main:  "resource \"aws_s3_bucket_policy\" \"p\" {\n  bucket = \"data\"\n  policy = file(\"${path.module}/teams/payments/read.json\")\n}\n",
			roots: []string{"."}, // its path may be built of any name: every team folder may be read
		},
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeLayout(t, teamFolders(layout.main))
			for _, later := range []bool{false, true} {
				before := reachReads.Load()
				got, roots, listed := loadAsTheScanDoes(t, dir, later)
				if reads := reachReads.Load() - before; reads != 2 {
					t.Errorf("later %v: the walk read %d module files to place the team folders, want 2 (main.tf, providers.tf)", later, reads)
				}
				var rels []string
				for _, root := range roots {
					rel, _ := filepath.Rel(dir, root)
					rels = append(rels, filepath.ToSlash(rel))
				}
				if !slices.Equal(rels, layout.roots) {
					t.Errorf("later %v: the walk names the roots %v, want %v", later, rels, layout.roots)
				}
				rootOfAgreesWithWalk(t, dir, listed)
				setsAreGovernedOfs(t, dir, got)
			}
		})
	}
}
