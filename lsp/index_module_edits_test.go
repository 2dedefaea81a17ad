package lsp

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

// keyedModule is a Terraform module, with the providers.tf of
// examples/terraform/deny-blocks-access, whose files' policies come from
// each other: vars.tf gives the bucket's name and the partner's actions, that
// bucket.tf's policy (jsonencode) and policies.tf's documents use; roles.tf
// decides the kind of policies.tf's documents (a role's trust policy or
// its identity policy) and holds a policy of its own in a heredoc.
var keyedModule = map[string]string{
	"vars.tf": `variable "bucket_name" {
  default = "shared-data"
}

locals {
  partner_actions = ["s3:GetObject", "s3:PutObject"]
}
`,
	"bucket.tf": `resource "aws_s3_bucket" "shared" {
  bucket = var.bucket_name
}

resource "aws_s3_bucket_policy" "shared" {
  bucket = aws_s3_bucket.shared.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "PartnerReadWrite"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:root" }
        Action    = local.partner_actions
        Resource  = "${aws_s3_bucket.shared.arn}/*"
      },
      {
        Sid       = "OnlyThroughTheEndpoint"
        Effect    = "Deny"
        Principal = "*"
        Action    = ["s3:PutObject", "s3:ListBucket"]
        Resource  = [aws_s3_bucket.shared.arn, "${aws_s3_bucket.shared.arn}/*"]
        Condition = { StringNotEquals = { "aws:SourceVpce" = "vpce-1a2b3c4d" } }
      },
    ]
  })
}
`,
	"policies.tf": `data "aws_iam_policy_document" "jane" {
  statement {
    sid       = "ReadWriteObjects"
    actions   = local.partner_actions
    resources = local.objects
  }
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "TheInstancesAssumeIt"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

locals {
  objects = [
    "${aws_s3_bucket.shared.arn}/*",
  ]
}
`,
	"roles.tf": `resource "aws_iam_role" "jane" {
  provider           = aws.partner
  name               = "jane"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

resource "aws_iam_role_policy" "jane" {
  provider = aws.partner
  role     = aws_iam_role.jane.name
  policy   = data.aws_iam_policy_document.jane.json
}

resource "aws_iam_role_policy" "jane_list" {
  provider = aws.partner
  role     = aws_iam_role.jane.name
  policy   = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [{"Sid": "List", "Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": "${aws_s3_bucket.shared.arn}"}]
}
EOF
}
`,
}

// After each keystroke of a sequence in a Terraform module of a governed
// folder, those that change what no policy says (a comment, a space)
// and those that do (an action in a jsonencode, in a heredoc; a local and
// a variable that another file's policies use; the uses that decide the
// kind of another file's documents; a role's trust policy), the set finds in every file what a
// set read afresh from the same texts does (tree.Sets), and each file
// whose findings changed is a dependant of the keystroke. An edit reads
// the module again whole but keeps the files whose reading did not change
// (keepSameReadings): a file kept that should not have been keeps its old
// documents, and its findings differ from the fresh set's.
func TestModuleKeystrokesAgreeWithAFreshSet(t *testing.T) {
	module, texts, ix := governedIndexWith(t, 40, "module", func(module string) map[string][]byte {
		files := map[string][]byte{}
		for name, text := range keyedModule {
			files[filepath.Join(module, name)] = []byte(text)
		}
		providers := filepath.Join(module, "providers.tf")
		files[providers] = exampleModule(t, "deny-blocks-access", module)[providers]
		return files
	})
	typeAndCompare(t, ix, filepath.Dir(module), module, texts, []keystroke{
		{"a comment typed above the documents", "policies.tf", "data", "# the partner's policies\ndata", true, false}, // their findings a line lower
		{"a comment typed below them", "policies.tf", "\"ec2.amazonaws.com\"]\n    }\n  }\n}\n", "\"ec2.amazonaws.com\"]\n    }\n  }\n}\n# read by roles.tf\n", false, true},
		{"a line typed in a local below them that one of them uses", "policies.tf", "  objects = [\n", "  objects = [\n    # the partner's\n", false, true},
		{"a bucket typed in that local", "policies.tf", "\"${aws_s3_bucket.shared.arn}/*\",\n", "\"arn:aws:s3:::elsewhere/*\",\n", true, false},
		{"the bucket back", "policies.tf", "\"arn:aws:s3:::elsewhere/*\",\n", "\"${aws_s3_bucket.shared.arn}/*\",\n", true, false},
		{"a comment typed in a file of none", "vars.tf", "variable", "# shared\nvariable", false, true},
		{"a space typed at a line's end", "bucket.tf", `bucket = var.bucket_name`, `bucket = var.bucket_name `, false, false},
		{"an action taken out of a jsonencode", "bucket.tf", `["s3:PutObject", "s3:ListBucket"]`, `["s3:ListBucket"]`, true, false},
		{"an action typed in a heredoc", "roles.tf", `"Action": ["s3:ListBucket"]`, `"Action": ["s3:ListBucket", "s3:PutObject"]`, true, false},
		{"the action typed back into the jsonencode", "bucket.tf", `["s3:ListBucket"]`, `["s3:PutObject", "s3:ListBucket"]`, true, false},
		{"the local another file's policies use", "vars.tf", `["s3:GetObject", "s3:PutObject"]`, `["s3:GetObject"]`, true, false},
		{"the variable that names the bucket", "vars.tf", `default = "shared-data"`, `default = "partner-data"`, true, false},
		{"the kinds of another file's documents swapped", "roles.tf", "assume_role_policy = data.aws_iam_policy_document.trust.json", "assume_role_policy = data.aws_iam_policy_document.jane.json", true, false},
		{"the identity policy its own again", "roles.tf", "policy   = data.aws_iam_policy_document.jane.json", "policy   = data.aws_iam_policy_document.trust.json", true, false},
		{"the trust policy's service", "policies.tf", `"ec2.amazonaws.com"`, `"lambda.amazonaws.com"`, false, false}, // a kind no evaluation reads (mayJoin)
		{"the local back", "vars.tf", `["s3:GetObject"]`, `["s3:GetObject", "s3:PutObject"]`, true, false},
	})
}

// keystroke is an edit of typeAndCompare: old replaced by new in file.
type keystroke struct {
	name, file, old, new string
	changes              bool // the findings of some file change: else the step shows nothing of the reading
	stands               bool // the set keeps its workspace (documentsStand): the edited file is the one dependant
}

// typeAndCompare makes each keystroke, in turn, to the files of folder
// (by their names there) in ix, the index of dir's texts, and checks
// that the set finds in every file what a set read afresh from the same
// texts does, that each file whose findings changed is a dependant, and
// whether the set kept its workspace.
func typeAndCompare(t *testing.T, ix *index, dir, folder string, texts map[string][]byte, keystrokes []keystroke) {
	t.Helper()
	published := func(g *govSet) map[string][]string {
		out := map[string][]string{}
		for _, p := range g.paths {
			out[p] = publishedOf(g, p)
		}
		return out
	}
	for _, step := range keystrokes {
		path := filepath.Join(folder, step.file)
		text := texts[path]
		if !bytes.Contains(text, []byte(step.old)) {
			t.Fatalf("%s: %s holds no %q", step.name, step.file, step.old)
		}
		text = bytes.Replace(text, []byte(step.old), []byte(step.new), 1)
		before, ws := published(ix.setOf(path)), ix.setOf(path).ws
		deps := ix.update(map[string][]byte{path: text})
		if stands := ix.setOf(path).ws == ws; stands != step.stands || stands && (len(deps) != 1 || !deps[path]) {
			t.Errorf("%s: the set kept its workspace %v, want %v; dependants %v", step.name, stands, step.stands, slices.Sorted(maps.Keys(deps)))
		}
		texts[path] = text
		fresh := newIndex()
		fresh.rebuild([]string{dir}, texts)
		g, want := ix.setOf(path), fresh.setOf(path)
		if !slices.Equal(g.paths, want.paths) {
			t.Fatalf("%s: files %v, a fresh set's %v", step.name, g.paths, want.paths)
		}
		got, changed := published(g), false
		for _, p := range g.paths {
			if w := publishedOf(want, p); !slices.Equal(got[p], w) {
				t.Errorf("%s: %s published\n%q\na fresh set's\n%q", step.name, p, got[p], w)
			}
			if !slices.Equal(got[p], before[p]) {
				changed = true
				if !deps[p] {
					t.Errorf("%s: %s's findings changed and it is no dependant (%v)", step.name, p, slices.Sorted(maps.Keys(deps)))
				}
			}
		}
		if got, want := decisionsOf(g), decisionsOf(want); len(got) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: the set decides %d requests\n%v\na fresh set\n%v", step.name, len(got), got, want)
		}
		if changed != step.changes {
			t.Errorf("%s: findings changed %v, want %v: the step does not show what it says", step.name, changed, step.changes)
		}
	}
}

// A CloudFormation template of a governed folder, read alone: a comment
// typed after its last policy keeps the set's workspace, one typed above
// its policies or an action taken out of one does not, and the set finds what
// a set read afresh does.
func TestTemplateKeystrokesAgreeWithAFreshSet(t *testing.T) {
	folder, texts, ix := governedIndexWith(t, 40, "stack", func(folder string) map[string][]byte {
		text, err := os.ReadFile(filepath.Join("..", "examples", "cloudformation", "stack.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		return map[string][]byte{filepath.Join(folder, "stack.yaml"): text}
	})
	typeAndCompare(t, ix, filepath.Dir(folder), folder, texts, []keystroke{
		{"a comment typed after the policies", "stack.yaml", "Resource: !GetAtt DataBucket.Arn\n", "Resource: !GetAtt DataBucket.Arn\n# the end\n", false, true},
		{"a comment typed above them", "stack.yaml", "Resources:", "# the stack's resources\nResources:", true, false}, // their findings a line lower
		{"an action taken out of the bucket policy", "stack.yaml", "Action: [s3:GetObject, s3:ListBucket]", "Action: [s3:GetObject]", true, false},
	})
}
