package checks_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/eval"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

// Every quick fix is proven with the engine: over every example
// workspace, each fix offered on a policy is applied and every request
// the workspace's bucket policies grant is evaluated before and after.
// Nothing allowed before becomes denied unless the fix says it denies,
// and a principal of no configured account gains nothing.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
func TestEveryFixIsSafe(t *testing.T) {
	root := filepath.Join("..", "..", "examples")
	var dirs []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == analysis.ConfigName {
			dirs = append(dirs, filepath.Dir(p))
		}
		return nil
	})
	if len(dirs) < 10 {
		t.Fatalf("found %d example workspaces", len(dirs))
	}
	fixes := 0
	for _, dir := range dirs {
		abs, err := filepath.Abs(dir)
		if err != nil {
			t.Fatal(err)
		}
		texts, err := tree.ReadAll(abs, tree.Disk{})
		if err != nil {
			t.Fatal(err)
		}
		fixes += checkFixesOf(t, abs, texts)
	}
	t.Logf("%d workspaces, %d fixes proved", len(dirs), fixes)
	if fixes < 10 {
		t.Errorf("proved %d fixes; the examples should offer at least 10", fixes)
	}
}

// checkFixesOf applies each fix offered in the workspace of texts and
// compares the decisions; it returns how many fixes it proved.
func checkFixesOf(t *testing.T, dir string, texts map[string][]byte) int {
	t.Helper()
	n := 0
	requests := 0
	defer func() { t.Logf("%s: %d fixes over %d requests", filepath.Base(dir), n, requests) }()
	for _, w := range tree.Sets(dir, texts) {
		before := decisions(w.Workspace)
		requests += len(before)
		for _, f := range w.Files {
			if !strings.HasSuffix(strings.ToLower(f.Path), ".json") || string(texts[f.Path]) != string(f.Src) {
				continue // a document inside a host file: its fixes are the host's
			}
			for _, fd := range analysis.Analyze(f, checks.All) {
				for _, fix := range fd.AllFixes() {
					n++
					changed := map[string][]byte{}
					for p, b := range texts {
						changed[p] = b
					}
					changed[f.Path] = analysis.ApplyEdits(f.Src, fix.Edits)
					after := map[string]eval.Decision{}
					for _, w2 := range tree.Sets(dir, changed) {
						for req, d := range decisionsFor(w2.Workspace, before) {
							after[req] = d
						}
					}
					// A fix that says it denies begins so; "Exempt … from
					// this Deny" says it denies nothing more.
					says := strings.HasPrefix(fix.Title.EN, "Deny ") || strings.Contains(fix.Title.EN, "Remove")
					for req, d := range before {
						rel, _ := filepath.Rel(dir, f.Path)
						switch {
						case d.decision == eval.Allowed && after[req] != eval.Allowed && !says:
							t.Errorf("%s %s: fix %q of %s denies %s, allowed before", dir, rel, fix.Title.EN, fd.Code, req)
						case d.stranger && d.decision != eval.Allowed && after[req] == eval.Allowed:
							t.Errorf("%s %s: fix %q of %s lets a stranger in: %s", dir, rel, fix.Title.EN, fd.Code, req)
						}
					}
				}
			}
		}
	}
	return n
}

// decided is a request's decision, and whether its principal belongs to
// no configured account.
type decided struct {
	decision eval.Decision
	stranger bool
	req      eval.Request
}

const stranger = "arn:aws:iam::999999999999:user/stranger"

// decisions evaluates every request the workspace's bucket policies
// grant, and the same requests by a principal of no configured account.
func decisions(w *eval.Workspace) map[string]decided {
	out := map[string]decided{}
	for _, bp := range w.Files {
		for _, g := range w.Grants(bp) {
			for _, who := range []string{g.Request.Principal, stranger} {
				req := g.Request
				req.Principal = who
				out[key(req)] = decided{eval.Evaluate(w.Scenario(req)).Decision, who == stranger, req}
			}
		}
	}
	return out
}

// decisionsFor evaluates the requests of before in another workspace.
func decisionsFor(w *eval.Workspace, before map[string]decided) map[string]eval.Decision {
	out := map[string]eval.Decision{}
	for k, d := range before {
		out[k] = eval.Evaluate(w.Scenario(d.req)).Decision
	}
	return out
}

func key(r eval.Request) string { return r.Principal + " " + r.Action + " " + r.Resource }

// The same property over generated workspaces: every combination of a
// bucket policy, an identity policy, bucket facts and an SCP or RCP that
// each hold one of the common faults.
func TestEveryFixIsSafeGenerated(t *testing.T) {
	bucketPolicies := []string{
		`{"Version": "2012-10-17", "Statement": [{"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::shared/*"}]}`,
		`{"Version": "2012-10-17", "Statement": [{"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": ["s3:GetObject", "s3:PutObject"], "Resource": "arn:aws:s3:::shared/*"},
  {"Sid": "NoPut", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::shared", "arn:aws:s3:::shared/*"]}]}`,
		`{"Version": "2012-10-17", "Statement": [{"Sid": "Partner", "Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223334:root", "arn:aws:iam::111122223333:user/jane"]}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared/*"},
  {"Sid": "List", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::shared"}]}`,
	}
	identities := []string{
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], "Resource": "arn:aws:s3:::shared/*"}]}`,
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::shared", "arn:aws:s3:::shared/*"]}, {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"}]}`,
		`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}, {"Effect": "Deny", "Action": "s3:DeleteObject", "Resource": "*"}]}`,
	}
	facts := []string{
		`"account": "444455556666"`,
		`"account": "444455556666", "encryption": "aws:kms", "kmsKeyArn": "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab"`,
		`"account": "444455556666", "objectOwnership": "ObjectWriter", "requesterPays": true`,
	}
	// An SCP of Jane's account or an RCP of the owner's that denies her
	// (their exemption fixes), or none.
	orgPolicies := []struct{ name, kind, account, text string }{
		{},
		{"org.scp.json", "scp", "111122223333", `{"Version": "2012-10-17", "Statement": [{"Sid": "NoS3", "Effect": "Deny", "Action": "s3:*", "Resource": "*", "Condition": {"StringEquals": {"aws:PrincipalAccount": "111122223333"}}}]}`},
		{"org.rcp.json", "rcp", "444455556666", `{"Version": "2012-10-17", "Statement": [{"Sid": "OrgOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*", "Condition": {"StringNotEqualsIfExists": {"aws:PrincipalOrgID": "o-exampleorg"}}}]}`},
	}
	dir := t.TempDir()
	fixes := 0
	for _, bp := range bucketPolicies {
		for _, id := range identities {
			for _, fact := range facts {
				for _, org := range orgPolicies {
					orgEntry := ""
					if org.name != "" {
						orgEntry = `, "` + org.name + `": {"kind": "` + org.kind + `", "account": "` + org.account + `"}`
					}
					texts := map[string][]byte{
						filepath.Join(dir, analysis.ConfigName): []byte(`{"accounts": ["111122223333"], "buckets": {"shared": {` + fact + `}},
  "files": {"jane.iam-policy.json": {"kind": "identity", "account": "111122223333", "principal": "arn:aws:iam::111122223333:user/jane"},
            "bucket.bucket-policy.json": {"kind": "bucket", "account": "444455556666", "bucket": "shared"}` + orgEntry + `}}`),
						filepath.Join(dir, "bucket.bucket-policy.json"): []byte(bp),
						filepath.Join(dir, "jane.iam-policy.json"):      []byte(id),
					}
					if org.name != "" {
						texts[filepath.Join(dir, org.name)] = []byte(org.text)
					}
					fixes += checkFixesOf(t, dir, texts)
				}
			}
		}
	}
	if fixes < 81 {
		t.Errorf("proved %d fixes over 81 workspaces", fixes)
	}
}
