package terraform

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
)

// realModules is the folder that holds the real modules' files, laid out
// as testdata/real/README.md says, from S3POLICY_REAL_TERRAFORM: the
// files of public repositories are not copied into this one.
func realModules(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("S3POLICY_REAL_TERRAFORM")
	if dir == "" {
		t.Skip("S3POLICY_REAL_TERRAFORM names no folder of real modules (see testdata/real/README.md)")
	}
	return dir
}

// readFolder reads the .tf files of a folder as one module.
func readFolder(t *testing.T, dir string, edit func(path string, text []byte) []byte) (map[string][]byte, map[string][]*analysis.File) {
	t.Helper()
	paths, _ := filepath.Glob(filepath.Join(dir, "*.tf"))
	texts := map[string][]byte{}
	for _, p := range paths {
		text, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if edit != nil {
			text = edit(p, text)
		}
		texts[p] = text
	}
	files := map[string][]*analysis.File{}
	for p, res := range ReadModule(texts, "") {
		files[p] = res.Files(p, nil)
	}
	return texts, files
}

func lineOf(text []byte, offset int) int { return bytes.Count(text[:offset], []byte("\n")) + 1 }

// Every policy of real modules is found, with the kind its use gives it
// (or its content, when the module only passes it on) and its line.
func TestRealModulesList(t *testing.T) {
	root := realModules(t)
	var got []string
	for _, dir := range []string{"cloudposse-s3-bucket", "iam-role", "s3-bucket", "s3-bucket-complete", "s3-replication"} {
		texts, files := readFolder(t, filepath.Join(root, dir), nil)
		for p, docs := range files {
			for _, d := range docs {
				got = append(got, fmt.Sprintf("%s/%s:%d %s %s", dir, filepath.Base(p), lineOf(texts[p], d.Start()), d.Kind, d.DocName))
			}
		}
	}
	slices.Sort(got)
	want := []string{
		"cloudposse-s3-bucket/main.tf:365 bucket data.aws_iam_policy_document.bucket_policy",
		"cloudposse-s3-bucket/main.tf:530 bucket data.aws_iam_policy_document.aggregated_policy",
		"cloudposse-s3-bucket/replication.tf:11 trust data.aws_iam_policy_document.replication_sts",
		"cloudposse-s3-bucket/replication.tf:37 identity data.aws_iam_policy_document.replication",
		"iam-role/main.tf:20 trust data.aws_iam_policy_document.this",
		"iam-role/main.tf:312 identity data.aws_iam_policy_document.inline",
		"s3-bucket-complete/main.tf:33 trust aws_iam_role.this.assume_role_policy",
		"s3-bucket-complete/main.tf:50 bucket data.aws_iam_policy_document.bucket_policy",
		"s3-bucket/main.tf:1021 bucket data.aws_iam_policy_document.require_latest_tls",
		"s3-bucket/main.tf:1052 bucket data.aws_iam_policy_document.deny_incorrect_encryption_headers",
		"s3-bucket/main.tf:1080 bucket data.aws_iam_policy_document.deny_incorrect_kms_key_sse",
		"s3-bucket/main.tf:1108 bucket data.aws_iam_policy_document.deny_unencrypted_object_uploads",
		"s3-bucket/main.tf:1136 bucket data.aws_iam_policy_document.deny_ssec_encrypted_object_uploads",
		"s3-bucket/main.tf:1302 bucket data.aws_iam_policy_document.inventory_and_analytics_destination_policy",
		"s3-bucket/main.tf:621 bucket data.aws_iam_policy_document.combined",
		"s3-bucket/main.tf:674 bucket data.aws_iam_policy_document.elb_log_delivery",
		"s3-bucket/main.tf:723 bucket data.aws_iam_policy_document.lb_log_delivery",
		"s3-bucket/main.tf:795 bucket data.aws_iam_policy_document.access_log_delivery",
		"s3-bucket/main.tf:878 bucket data.aws_iam_policy_document.waf_log_delivery",
		"s3-bucket/main.tf:951 bucket data.aws_iam_policy_document.cloudtrail_log_delivery",
		"s3-bucket/main.tf:990 bucket data.aws_iam_policy_document.deny_insecure_transport",
		"s3-replication/iam.tf:24 identity aws_iam_policy.replication",
		"s3-replication/iam.tf:4 trust aws_iam_role.replication.assume_role_policy",
	}
	if !slices.Equal(got, want) {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// The modules' interpolations (${aws_s3_bucket.this[0].arn},
// ${var.x}) are placeholders: no error comes of them. The one error left
// is the module's own marker "_S3_BUCKET_ARN_", a literal that the module
// replaces with replace() and the tool cannot know is one. A fault
// planted in a policy document is reported on its line.
func TestRealModulesPlaceholdersAndPlantedFault(t *testing.T) {
	root := realModules(t)
	for _, dir := range []string{"cloudposse-s3-bucket", "iam-role", "s3-bucket", "s3-bucket-complete", "s3-replication"} {
		texts, files := readFolder(t, filepath.Join(root, dir), nil)
		for p, docs := range files {
			a := analysis.AnalyzeFile(p, docs, nil, analysis.Options{Checks: checks.All})
			for _, f := range a.Findings {
				if f.Severity == analysis.Error && !strings.Contains(string(texts[p][f.Span.Start:f.Span.End]), "_S3_BUCKET_ARN_") {
					t.Errorf("%s:%d: %s %s", p, lineOf(texts[p], f.Span.Start), f.Code, f.Message.Text().EN)
				}
			}
		}
	}
	planted := func(_ string, text []byte) []byte {
		return bytes.Replace(text, []byte(`"s3:GetObjectVersionAcl"`), []byte(`"s3:GetObjectVersionAcll"`), 1)
	}
	texts, files := readFolder(t, filepath.Join(root, "s3-replication"), planted)
	for p, docs := range files {
		a := analysis.AnalyzeFile(p, docs, nil, analysis.Options{Checks: checks.All})
		var lines []int
		for _, f := range a.Findings {
			if f.Code == "unknown-action" {
				lines = append(lines, lineOf(texts[p], f.Span.Start))
			}
		}
		want := bytes.Index(texts[p], []byte("GetObjectVersionAcll"))
		if want < 0 || !slices.Equal(lines, []int{lineOf(texts[p], want)}) {
			t.Errorf("unknown-action on lines %v, want the planted line", lines)
		}
	}
}
