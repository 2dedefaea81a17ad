package terraform_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/checks"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
)

const fixKey = `data "aws_iam_policy_document" "key" {
  statement {
    sid       = "EnableIAMPolicies"
    actions   = ["kms:*"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::444455556666:root"]
    }
  }
}
`

func analyseModule(t *testing.T, files map[string]string, name string) *analysis.Analysis {
	t.Helper()
	dir := t.TempDir()
	for n, text := range files {
		if err := os.WriteFile(filepath.Join(dir, n), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	sets := tree.Governed(dir, tree.Disk{})
	_, src := tree.SetOf(sets, filepath.Join(dir, name))
	if src == nil {
		t.Fatalf("%s is in no set", name)
	}
	return analysis.AnalyzeFile(filepath.Join(dir, name), src.Docs, src.Findings, analysis.Options{Checks: checks.All})
}

// fixOf is the fix of a code's finding, failing when there is none.
func fixOf(t *testing.T, a *analysis.Analysis, code string) analysis.Fix {
	t.Helper()
	for _, f := range a.Findings {
		if f.Code == code && len(f.AllFixes()) > 0 {
			return f.AllFixes()[0]
		}
	}
	t.Fatalf("no %s with a fix among %+v", code, a.Findings)
	return analysis.Fix{}
}

// kmsModule is the kms-missing-actions example with its key policy
// replaced by keyFile's.
func kmsModule(t *testing.T, keyName, keyFile string) map[string]string {
	t.Helper()
	files := map[string]string{keyName: keyFile}
	for _, name := range []string{"providers.tf", "partner.tf", "bucket.tf"} {
		text, err := os.ReadFile(filepath.Join("..", "..", "..", "examples", "terraform", "kms-missing-actions", name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = string(text)
	}
	// The key's policy is keyFile's document.
	bucket := files["bucket.tf"]
	start := strings.Index(bucket, `resource "aws_kms_key" "shared" {`)
	end := start + strings.Index(bucket[start:], "\n}\n") + 3
	if start < 0 || end < start+3 {
		t.Fatal("no aws_kms_key in the example")
	}
	files["bucket.tf"] = bucket[:start] + "resource \"aws_kms_key\" \"shared\" {\n  policy = data.aws_iam_policy_document.key.json\n}\n" + bucket[end:]
	return files
}

// docText is the one-line JSON text of a document of a file.
func docText(t *testing.T, files map[string]string, file, doc string) string {
	t.Helper()
	a := analyseModule(t, files, file)
	for _, d := range a.Docs {
		if d.DocName == doc {
			return strings.ReplaceAll(string(d.Src), "\n", "")
		}
	}
	t.Fatalf("no document %s in %s", doc, file)
	return ""
}

// A fix that adds a statement to a policy document block writes a
// statement block after the last one, laid out like it; the module then
// parses, reads the statement back and the key no longer blocks.
func TestStatementBlockFix(t *testing.T) {
	files := kmsModule(t, "key.tf", fixKey)
	fix := fixOf(t, analyseModule(t, files, "key.tf"), "kms-missing-actions")
	fixed := string(analysis.ApplyEdits([]byte(fixKey), fix.Edits))
	want := strings.TrimSuffix(fixKey, "}\n") + `  statement {
    sid       = "AllowS3UseJane"
    effect    = "Allow"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = ["*"]
    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::111122223333:root"]
    }
  }
}
`
	if fixed != want {
		t.Errorf("fixed:\n%s\nwant:\n%s", fixed, want)
	}
	if _, diags := hclsyntax.ParseConfig([]byte(fixed), "key.tf", hcl.InitialPos); diags.HasErrors() {
		t.Errorf("the fixed file does not parse: %v", diags)
	}
	files["key.tf"] = fixed
	if got, want := docText(t, files, "key.tf", "data.aws_iam_policy_document.key"), `{"Sid": "AllowS3UseJane", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": ["*"], "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]}}]}`; !strings.HasSuffix(got, want) {
		t.Errorf("read back:\n%s\nwant it to end with\n%s", got, want)
	}
	for _, f := range analyseModule(t, files, "key.tf").Findings {
		t.Errorf("after the fix: %s %q", f.Code, f.Message.Text().EN)
	}
}

// In a .tf.json file the statement is written as the JSON object of a
// statement block, after the last one of the "statement" array.
func TestStatementBlockFixTFJSON(t *testing.T) {
	key := `{
  "resource": {"aws_kms_key": {"shared": {"policy": "${data.aws_iam_policy_document.key.json}"}}},
  "data": {"aws_iam_policy_document": {"key": {
    "statement": [
      {"sid": "EnableIAMPolicies", "actions": ["kms:*"], "resources": ["*"],
       "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::444455556666:root"]}]}
    ]
  }}}
}
`
	files := kmsModule(t, "key.tf.json", key)
	fix := fixOf(t, analyseModule(t, files, "key.tf.json"), "kms-missing-actions")
	fixed := string(analysis.ApplyEdits([]byte(key), fix.Edits))
	want := strings.Replace(key, `"identifiers": ["arn:aws:iam::444455556666:root"]}]}`,
		`"identifiers": ["arn:aws:iam::444455556666:root"]}]}, {"sid": "AllowS3UseJane", "effect": "Allow", "actions": ["kms:Decrypt", "kms:GenerateDataKey"], "resources": ["*"], "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::111122223333:root"]}]}`, 1)
	if fixed != want {
		t.Errorf("fixed:\n%s\nwant:\n%s", fixed, want)
	}
	files["key.tf.json"] = fixed
	for _, f := range analyseModule(t, files, "key.tf.json").Findings {
		t.Errorf("after the fix: %s %q", f.Code, f.Message.Text().EN)
	}
}

// The new block is laid out like the statements before it: their
// indentation (four spaces here, CRLF line ends) and the blank line
// between them.
func TestStatementBlockFixLayout(t *testing.T) {
	// fixKey with four-space indentation and an auditors' statement after
	// a blank line.
	auditors := strings.ReplaceAll(strings.ReplaceAll(strings.TrimPrefix(fixKey, `data "aws_iam_policy_document" "key" {`), "EnableIAMPolicies", "Auditors"), "444455556666", "999988887777")
	key := strings.TrimSuffix(fixKey, "}\n") + "\n" + strings.TrimPrefix(auditors, "\n")
	lines := strings.Split(key, "\n")
	for i, l := range lines {
		text := strings.TrimLeft(l, " ")
		lines[i] = strings.Repeat(" ", 2*(len(l)-len(text))) + text
	}
	key = strings.Join(lines, "\r\n")
	files := kmsModule(t, "key.tf", key)
	fix := fixOf(t, analyseModule(t, files, "key.tf"), "kms-missing-actions")
	fixed := string(analysis.ApplyEdits([]byte(key), fix.Edits))
	want := strings.TrimSuffix(key, "}\r\n") + strings.ReplaceAll(`
    statement {
        sid       = "AllowS3UseJane"
        effect    = "Allow"
        actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
        resources = ["*"]
        principals {
            type        = "AWS"
            identifiers = ["arn:aws:iam::111122223333:root"]
        }
    }
}
`, "\n", "\r\n")
	if fixed != want {
		t.Errorf("fixed:\n%q\nwant:\n%q", fixed, want)
	}
}
