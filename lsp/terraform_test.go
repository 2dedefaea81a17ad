package lsp_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/s3policy-lsp/s3policy-lsp/lsp"
)

// A .tf buffer: the finding of a heredoc policy is placed on its HCL text
// (after Japanese and an emoji, counted in UTF-16), its quick fix is
// written as JSON inside the heredoc, and a jsonencode policy's finding
// lands on the HCL string, whose fix is a string HCL reads alike.
func TestTerraformBufferFix(t *testing.T) {
	const uri = "file:///work/tf/main.tf"
	const text = "# バケット 🚀\nresource \"aws_iam_role_policy\" \"r\" {\n  policy = <<EOF\n" +
		"{\"Statement\": [{\"Effect\": \"Allow\", \"Action\": \"s3:GetObject\", \"Resource\": \"*\"}]}\n" +
		"EOF\n}\nresource \"aws_iam_policy\" \"p\" {\n  policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"s3:GetObjekt\", Resource = \"*\" }] }) # 日本\n}\n"
	c := startInitialized(t, lsp.Options{}, nil)
	c.open(uri, text, 1)
	diags := c.waitDiagnostics(uri, func(p protocol.PublishDiagnosticsParams) bool { return len(p.Diagnostics) > 0 }).Diagnostics
	byCode := map[string]protocol.Diagnostic{}
	for _, d := range diags {
		byCode[string(d.Code.(string))] = d
	}
	mv, ok := byCode["missing-version"]
	if !ok || mv.Range.Start != (protocol.Position{Line: 3, Character: 0}) {
		t.Fatalf("missing-version %+v in %+v", mv, diags)
	}
	ua, ok := byCode["unknown-action"]
	// Line 7: `  policy = jsonencode({ ... Action = "s3:GetObjekt"`, in UTF-16 units.
	start := uint32(strings.Index(strings.Split(text, "\n")[7], `"s3:GetObjekt"`))
	if !ok || ua.Range.Start != (protocol.Position{Line: 7, Character: start}) || ua.Range.End.Character != start+uint32(len(`"s3:GetObjekt"`)) {
		t.Errorf("unknown-action %+v, want line 7 from %d", ua, start)
	}

	var actions []protocol.CodeAction
	c.call(protocol.MethodTextDocumentCodeAction, map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        map[string]any{"start": position(3, 0), "end": position(3, 0)},
		"context":      map[string]any{"diagnostics": []any{}},
	}, &actions)
	var fix *protocol.CodeAction
	for i := range actions {
		if len(actions[i].Diagnostics) > 0 && actions[i].Diagnostics[0].Code == "missing-version" {
			fix = &actions[i]
		}
	}
	if fix == nil {
		t.Fatalf("no missing-version fix among %+v", actions)
	}
	fixed := applyUTF16(t, text, fix.Edit.Changes[uri])
	if !strings.Contains(fixed, "policy = <<EOF\n{\"Version\": \"2012-10-17\", \"Statement\"") || !strings.HasPrefix(fixed, "# バケット 🚀\n") {
		t.Errorf("fixed buffer:\n%s", fixed)
	}

	actions = nil
	c.call(protocol.MethodTextDocumentCodeAction, map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        map[string]any{"start": ua.Range.Start, "end": ua.Range.Start},
		"context":      map[string]any{"diagnostics": []any{}},
	}, &actions)
	fix = nil
	for i := range actions {
		if actions[i].Edit != nil && len(actions[i].Diagnostics) > 0 && actions[i].Diagnostics[0].Code == "unknown-action" {
			fix = &actions[i]
		}
	}
	if fix == nil {
		t.Fatalf("no fix of the jsonencode action among %+v", actions)
	}
	fixed = applyUTF16(t, text, fix.Edit.Changes[uri])
	if !strings.Contains(fixed, `Action = "s3:GetObject", Resource = "*" }] }) # 日本`) {
		t.Errorf("fixed buffer:\n%s", fixed)
	}
}

// A Terraform module in the workspace is one set with no .s3policy.json:
// the scan publishes the partner's role policy with the key policy's
// cross-account cause, related to the HCL of the other file, and an edit
// of the key policy's buffer that lets the partner in clears it.
func TestTerraformModuleWorkspace(t *testing.T) {
	src := filepath.Join("..", "examples", "terraform", "kms-missing-actions")
	dir := t.TempDir()
	for _, name := range []string{"bucket.tf", "partner.tf", "providers.tf"} {
		data, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	c := startFolder(t, dir, nil)
	partner := c.waitDiagnostics(fileURI(dir, "partner.tf"), nonEmpty)
	partnerText := readText(t, filepath.Join(dir, "partner.tf"))
	bucketText := readText(t, filepath.Join(dir, "bucket.tf"))
	if got := codes(partner.Diagnostics); !slices.Equal(got, []string{"kms-missing-actions", "kms-missing-actions"}) {
		t.Fatalf("codes %v", got)
	}
	d := partner.Diagnostics[0]
	if d.Range != rangeOf(t, partnerText, `"s3:GetObject"`) {
		t.Errorf("diagnostic at %+v", d.Range)
	}
	var related []string
	for _, r := range d.RelatedInformation {
		if string(r.Location.URI) == fileURI(dir, "bucket.tf") {
			related = append(related, fmt.Sprint(r.Location.Range.Start.Line+1))
		}
	}
	// The key policy's Resource = "*" (line 46) and the grant's principal (line 28).
	if want := []string{"46", "28"}; !slices.Equal(related, want) {
		t.Errorf("related lines in bucket.tf %v, want %v", related, want)
	}

	fixed := strings.Replace(bucketText, `      },
    ]
  })
}

resource "aws_s3_bucket_server_side_encryption_configuration"`, `      },
      {
        Sid       = "PartnerUseOfTheKey"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:root" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey"]
        Resource  = "*"
      },
    ]
  })
}

resource "aws_s3_bucket_server_side_encryption_configuration"`, 1)
	if fixed == bucketText {
		t.Fatal("the key policy was not found to edit")
	}
	c.open(fileURI(dir, "bucket.tf"), fixed, 1)
	c.open(fileURI(dir, "partner.tf"), partnerText, 1)
	c.waitDiagnostics(fileURI(dir, "partner.tf"), func(p protocol.PublishDiagnosticsParams) bool {
		return !slices.Contains(codes(p.Diagnostics), "kms-missing-actions")
	})
}

// A file a module reads with templatefile() is one of the module's set: the
// scan publishes the cross-account cause in the key policy's template and
// in the role policy file() reads, and an edit of the template's buffer
// that lets the partner in clears the closed role policy's finding; undone,
// it comes back.
func TestTerraformPolicyFileEdit(t *testing.T) {
	dir := copyTerraformExample(t, "policy-files", "bucket.tf", "partner.tf", "providers.tf", "policies/bucket.json", "policies/jane.json", "policies/key.json.tftpl")
	c := startFolder(t, dir, nil)
	jane := fileURI(dir, "policies/jane.json")
	key := fileURI(dir, "policies/key.json.tftpl")
	janeText := readText(t, filepath.Join(dir, "policies", "jane.json"))
	keyText := readText(t, filepath.Join(dir, "policies", "key.json.tftpl"))
	d := c.waitDiagnostics(jane, nonEmpty).Diagnostics
	if got := codes(d); !slices.Equal(got, []string{"kms-missing-actions", "kms-missing-actions"}) {
		t.Fatalf("jane.json: codes %v", got)
	}
	if d[0].Range != rangeOf(t, janeText, `"s3:GetObject"`) {
		t.Errorf("jane.json: diagnostic at %+v", d[0].Range)
	}
	// Related: the key policy's statement in the template (line 9 of it).
	var related []string
	for _, r := range d[0].RelatedInformation {
		related = append(related, fmt.Sprintf("%s:%d", filepath.Base(string(r.Location.URI)), r.Location.Range.Start.Line+1))
	}
	if !slices.Contains(related, "key.json.tftpl:9") {
		t.Errorf("related %v, want the key policy's statement in key.json.tftpl", related)
	}
	if got := codes(c.waitDiagnostics(key, nonEmpty).Diagnostics); !slices.Equal(got, []string{"kms-missing-actions"}) {
		t.Errorf("key.json.tftpl: codes %v", got)
	}

	fixed := strings.Replace(keyText, `      "Resource": "*"
    }
  ]`, `      "Resource": "*"
    },
    {
      "Sid": "PartnerUseOfTheKey",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
      "Resource": "*"
    }
  ]`, 1)
	if fixed == keyText {
		t.Fatal("the key policy's statement was not found to edit")
	}
	c.open(key, keyText, 1)
	c.change(key, fixed, 2)
	c.waitDiagnostics(jane, func(p protocol.PublishDiagnosticsParams) bool { return len(p.Diagnostics) == 0 })
	c.waitDiagnostics(key, func(p protocol.PublishDiagnosticsParams) bool { return p.Version == 2 && len(p.Diagnostics) == 0 })
	c.change(key, keyText, 3)
	c.waitDiagnostics(jane, func(p protocol.PublishDiagnosticsParams) bool {
		return slices.Equal(codes(p.Diagnostics), []string{"kms-missing-actions", "kms-missing-actions"})
	})
}

// A root module and the child modules it calls are one set: the scan
// publishes the cause found across the children with the names the root
// passes them; an edit of a child's buffer keeps those names, and an edit
// of the root's argument clears the cause in the closed child.
func TestTerraformChildModules(t *testing.T) {
	dir := copyTerraformExample(t, "child-modules", "main.tf", "providers.tf", "modules/bucket/main.tf", "modules/reader/main.tf")
	c := startFolder(t, dir, nil)
	reader := fileURI(dir, "modules/reader/main.tf")
	readerText := readText(t, filepath.Join(dir, "modules", "reader", "main.tf"))
	if got := codes(c.waitDiagnostics(reader, nonEmpty).Diagnostics); !slices.Equal(got, []string{"missing-resource-arn"}) {
		t.Fatalf("reader: codes %v", got)
	}
	c.open(reader, readerText, 1)
	c.change(reader, "# edited\n"+readerText, 2)
	d := c.waitDiagnostics(reader, func(p protocol.PublishDiagnosticsParams) bool { return p.Version == 2 })
	if got := codes(d.Diagnostics); !slices.Equal(got, []string{"missing-resource-arn"}) {
		t.Errorf("reader after an edit: codes %v, want the cause found with the root's names", got)
	}
	c.close(reader)

	root := fileURI(dir, "main.tf")
	rootText := readText(t, filepath.Join(dir, "main.tf"))
	fixed := strings.Replace(rootText, `bucket_name = "shared-data-archive"`, `bucket_name = "shared-data"`, 1)
	if fixed == rootText {
		t.Fatal("the root's argument was not found to edit")
	}
	c.open(root, rootText, 1)
	c.change(root, fixed, 2)
	c.waitDiagnostics(reader, func(p protocol.PublishDiagnosticsParams) bool { return len(p.Diagnostics) == 0 })
}

// copyTerraformExample copies files of an examples/terraform folder
// (slash paths, subfolders too) to a new temporary folder, and returns it.
func copyTerraformExample(t *testing.T, example string, names ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join("..", "examples", "terraform", example, filepath.FromSlash(name)))
		if err != nil {
			t.Fatal(err)
		}
		to := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(to, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// A .tf edit that makes the module read a loose file with file() brings
// that file into the module's set: read as the bucket policy it now is,
// its missing Principal is reported.
func TestTerraformEditReadsALooseFile(t *testing.T) {
	dir := t.TempDir()
	tf := filepath.Join(dir, "main.tf")
	policy := filepath.Join(dir, "policies", "b.json")
	if err := os.MkdirAll(filepath.Dir(policy), 0o755); err != nil {
		t.Fatal(err)
	}
	const before = "resource \"aws_s3_bucket\" \"b\" { bucket = \"data\" }\nresource \"aws_s3_bucket_policy\" \"b\" {\n  bucket = aws_s3_bucket.b.id\n  policy = \"{}\"\n}\n"
	if err := os.WriteFile(tf, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(policy, []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	c := startFolder(t, dir, nil)
	u := fileURI(dir, "policies/b.json")
	if got := codes(c.waitDiagnostics(u, func(protocol.PublishDiagnosticsParams) bool { return true }).Diagnostics); slices.Contains(got, "missing-principal") {
		t.Fatalf("read alone, an identity policy by its content: %v", got)
	}
	c.open(fileURI(dir, "main.tf"), before, 1)
	c.change(fileURI(dir, "main.tf"), strings.Replace(before, `policy = "{}"`, `policy = file("${path.module}/policies/b.json")`, 1), 2)
	c.waitDiagnostics(u, func(p protocol.PublishDiagnosticsParams) bool {
		return slices.Contains(codes(p.Diagnostics), "missing-principal")
	})
}
