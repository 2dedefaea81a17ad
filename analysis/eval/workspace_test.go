package eval

import (
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// loadDir reads the .json files of dir into one workspace, each under the
// .s3policy.json of its folder or above, as the tree package does for the
// commands (it imports eval, so eval's own tests cannot call it).
func loadDir(dir string) (*Workspace, error) {
	w := NewWorkspace(dir)
	configs := map[string]*analysis.Config{}
	var policies []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && d.Name() == "node_modules":
			return filepath.SkipDir
		case d.IsDir() || !strings.HasSuffix(path, ".json"):
			return nil
		case d.Name() == analysis.ConfigName:
			text, err := os.ReadFile(path)
			cfg, _ := analysis.ParseConfig(filepath.Dir(path), text)
			configs[filepath.Dir(path)] = cfg
			w.AddConfig(path, cfg)
			return err
		}
		policies = append(policies, path)
		return nil
	})
	for _, path := range policies {
		text, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		var cfg *analysis.Config
		for d := filepath.Dir(path); cfg == nil && within(d, dir); d = filepath.Dir(d) {
			cfg = configs[d]
		}
		w.AddFile(analysis.NewFile(path, text, cfg))
	}
	return w, err
}

func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && !strings.HasPrefix(rel, "..")
}

const allowAll = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}`

func names(ds []*Doc) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

// The workspace gives each request the policies .s3policy.json ties to
// its principal, bucket, key, endpoint and accounts.
func TestWorkspaceScenario(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		".s3policy.json": `{"buckets": {"data": {"account": "444455556666", "encryption": "aws:kms", "kmsKeyArn": "arn:aws:kms:us-east-1:444455556666:key/k"}},
  "files": {
    "iam/app.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:role/team/app"},
    "iam/other.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:user/other"},
    "iam/app-boundary.json": {"kind": "boundary", "principal": "arn:aws:iam::111122223333:role/team/app"},
    "org/a.json": {"kind": "scp", "account": "111122223333"},
    "org/b.json": {"kind": "scp", "account": "444455556666"},
    "org/rcp.json": {"kind": "rcp", "account": "444455556666"},
    "net/e1.json": {"kind": "endpoint", "endpoint": "vpce-1"},
    "net/e2.json": {"kind": "endpoint", "endpoint": "vpce-2"},
    "key.json": {"kind": "key", "key": "arn:aws:kms:us-east-1:444455556666:key/k"}}}`,
		"iam/app.json": allowAll, "iam/other.json": allowAll, "iam/app-boundary.json": allowAll,
		"org/a.json": `{"Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}`, "org/b.json": allowAll, "org/rcp.json": allowAll,
		"net/e1.json": allowAll, "net/e2.json": allowAll, "key.json": allowAll,
		"data.bucket-policy.json":        `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`,
		"else.bucket-policy.json":        `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::else/*"}]}`,
		"broken.iam-policy.json":         `{"Statement": [`,
		"node_modules/x.iam-policy.json": allowAll,
		"notes.json":                     `{"title": "not a policy"}`,
	})
	w, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Broken) != 1 || filepath.Base(w.Broken[0].Path) != "broken.iam-policy.json" {
		t.Errorf("broken files %v", w.Broken)
	}
	for _, f := range w.Files {
		if rel := w.rel(f.Path); rel == "node_modules/x.iam-policy.json" || rel == "notes.json" {
			t.Errorf("%s was read as a policy", rel)
		}
	}
	if len(w.Files) != 11 {
		t.Errorf("%d policies read, want 11", len(w.Files))
	}
	s := w.Scenario(Request{Principal: "arn:aws:sts::111122223333:assumed-role/app/s1", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/a.txt",
		Context: map[string][]string{"aws:SourceVpce": {"vpce-2"}}})
	check := func(what string, got, want []string) {
		t.Helper()
		if !slices.Equal(got, want) {
			t.Errorf("%s: %v, want %v", what, got, want)
		}
	}
	check("identity", names(s.IdentityPolicies), []string{"iam/app.json"})
	check("boundaries", names(s.Boundaries), []string{"iam/app-boundary.json"})
	check("endpoint", names(s.EndpointPolicies), []string{"net/e2.json"})
	check("scp", names(flatten(s.SCPs)), []string{"org/a.json", "FullAWSAccess"})
	check("rcp", names(flatten(s.RCPs)), []string{"org/rcp.json"})
	check("bucket policy", names(docs(s.ResourcePolicy)), []string{"data.bucket-policy.json"})
	check("key policy", names(docs(s.KeyPolicy)), []string{"key.json"})
	if s.Bucket == nil || s.Bucket.Account != "444455556666" || s.BucketSource != ".s3policy.json" {
		t.Errorf("bucket facts %+v from %q", s.Bucket, s.BucketSource)
	}
	if r := Evaluate(s); r.Decision != Allowed {
		t.Errorf("%s %+v", r.Decision, r.Causes)
	}
}

// AddCopy takes over the name and the buckets of the document it copies
// when the copy holds the same parsed policy, and derives them from the
// copy's own text otherwise.
func TestAddCopyTakesOverWhatTheSameTextGave(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "policies", "bucket.json")
	text := []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`)
	prev := NewWorkspace(dir)
	of := analysis.NewFile(path, text, nil)
	of.Kind = analysis.KindBucket
	prev.AddFile(of)

	w := NewWorkspace(dir)
	same := *of
	w.AddCopy(&same, of, prev)
	if got := w.DocName(&same); got != "policies/bucket.json" {
		t.Errorf("DocName = %q, want policies/bucket.json", got)
	}
	if got := slices.Sorted(maps.Keys(w.bucketNames.base[&same])); !slices.Equal(got, []string{"shared-data"}) {
		t.Errorf("buckets of the copy = %q, want [shared-data]", got)
	}
	if got := w.grantNames.base[&same]; !slices.Equal(got, []grantName{{"111122223333", 0, 1}}) {
		t.Errorf("grants of the copy = %v, want 111122223333 in statement 0", got)
	}
	if same.Workspace != w || w.File(path) != &same {
		t.Errorf("the copy is not bound to the new workspace")
	}

	edited := analysis.NewFile(path, []byte(strings.ReplaceAll(string(text), "shared-data", "other-data")), nil)
	edited.Kind = analysis.KindBucket
	w2 := NewWorkspace(dir)
	w2.AddCopy(edited, of, prev)
	if got := slices.Sorted(maps.Keys(w2.bucketNames.base[edited])); !slices.Equal(got, []string{"other-data"}) {
		t.Errorf("buckets of an edited document = %q, want [other-data]", got)
	}
}

// The SCPs of one target (.s3policy.json "target": the root, an OU or the
// account they are attached to) are one level, where one of them must
// allow; an SCP without a target is a level of its own, as before; a
// level whose SCPs hold no Allow is a deny list beside FullAWSAccess; an
// account target is the SCP's account when "account" is not given.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
func TestSCPTargetsAreLevels(t *testing.T) {
	const readOnly = `{"Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*"], "Resource": "*"}]}`
	dir := writeFiles(t, map[string]string{
		".s3policy.json": `{"buckets": {"data": {"account": "111122223333"}, "other": {"account": "444455556666"}},
  "files": {
    "iam/jane.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:user/jane"},
    "iam/bob.json": {"kind": "identity", "principal": "arn:aws:iam::444455556666:user/bob"},
    "org/full-root.json": {"kind": "scp", "target": "r-ab12"},
    "org/full-ou.json": {"kind": "scp", "target": "ou-ab12-11111111"},
    "org/no-deletes.json": {"kind": "scp", "target": "ou-ab12-11111111"},
    "org/full-1111.json": {"kind": "scp", "target": "111122223333"},
    "org/read-only-1111.json": {"kind": "scp", "target": "111122223333"},
    "org/no-iam-4444.json": {"kind": "scp", "target": "444455556666"},
    "org/full-4444.json": {"kind": "scp", "account": "444455556666"},
    "org/read-only-4444.json": {"kind": "scp", "account": "444455556666"}}}`,
		"iam/jane.json": allowAll, "iam/bob.json": allowAll,
		"org/full-root.json": allowAll, "org/full-ou.json": allowAll,
		"org/no-deletes.json":     `{"Statement": [{"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}`,
		"org/full-1111.json":      allowAll,
		"org/read-only-1111.json": readOnly,
		"org/no-iam-4444.json":    `{"Statement": [{"Effect": "Deny", "Action": "iam:*", "Resource": "*"}]}`,
		"org/full-4444.json":      allowAll,
		"org/read-only-4444.json": readOnly,
	})
	w, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	levels := func(s *Scenario) string {
		var out []string
		for _, level := range s.SCPs {
			out = append(out, strings.Join(names(level), "+"))
		}
		return strings.Join(out, ", ")
	}
	const (
		jane = "arn:aws:iam::111122223333:user/jane"
		bob  = "arn:aws:iam::444455556666:user/bob"
	)
	for _, tc := range []struct {
		principal, action, resource string
		levels                      string
		decision                    Decision
		blockedBy                   string
	}{
		// Jane's account: the root, the OU (FullAWSAccess beside a deny
		// list) and the account (FullAWSAccess beside an allow list).
		{jane, "s3:PutObject", "arn:aws:s3:::data/a", "org/full-1111.json+org/read-only-1111.json, org/full-ou.json+org/no-deletes.json, org/full-root.json", Allowed, ""},
		{jane, "s3:DeleteObject", "arn:aws:s3:::data/a", "", ExplicitlyDenied, "org/no-deletes.json"},
		// Bob's: the two SCPs without a target are a level each (an SCP
		// file stands for a level of its own), the deny list with the
		// account as its target a level beside FullAWSAccess.
		{bob, "s3:PutObject", "arn:aws:s3:::other/a", "org/full-4444.json, org/full-ou.json+org/no-deletes.json, org/full-root.json, org/no-iam-4444.json+FullAWSAccess, org/read-only-4444.json", ImplicitlyDenied, "org/read-only-4444.json"},
		{bob, "s3:GetObject", "arn:aws:s3:::other/a", "", Allowed, ""},
	} {
		s := w.Scenario(Request{Principal: tc.principal, Action: tc.action, Resource: tc.resource})
		if got := levels(s); tc.levels != "" && got != tc.levels {
			t.Errorf("%s: levels %s, want %s", tc.principal, got, tc.levels)
		}
		r := Evaluate(s)
		var blockedBy []string
		for _, c := range r.Causes {
			blockedBy = append(blockedBy, c.Policy)
		}
		if r.Decision != tc.decision || strings.Join(blockedBy, ",") != tc.blockedBy {
			t.Errorf("%s %s: %s by %q, want %s by %q", tc.principal, tc.action, r.Decision, blockedBy, tc.decision, tc.blockedBy)
		}
	}
}
