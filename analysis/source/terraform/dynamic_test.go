package terraform

import (
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// A dynamic "statement" over a variable is one statement whose iterator
// references are placeholders: no finding by itself, no fix inside it.
// https://developer.hashicorp.com/terraform/language/expressions/dynamic-blocks
func TestDynamicStatementOverVariable(t *testing.T) {
	src := prelude + `variable "statements" {
  type = list(any)
}
data "aws_iam_policy_document" "bucket" {
  dynamic "statement" {
    for_each = var.statements
    content {
      sid     = statement.value.sid
      effect  = statement.value.effect
      actions = statement.value.actions
      resources = ["arn:aws:s3:::reports/${statement.value.prefix}/*"]
      principals {
        type        = "AWS"
        identifiers = statement.value.principals
      }
      dynamic "condition" {
        for_each = statement.value.conditions
        iterator = c
        content {
          test     = c.value.test
          variable = c.value.variable
          values   = c.value.values
        }
      }
    }
  }
}
resource "aws_s3_bucket_policy" "b" {
  bucket = "reports"
  policy = data.aws_iam_policy_document.bucket.json
}
`
	a, docs := readOne(t, src)
	if len(docs) != 1 || docs[0].Kind != analysis.KindBucket {
		t.Fatalf("docs %+v", docs)
	}
	want := `{"Version": "2012-10-17", "Statement": [{"Sid": "${statement.value.sid}", "Effect": "${statement.value.effect}", "Action": "${statement.value.actions}", "Resource": ["arn:aws:s3:::reports/${statement.value.prefix}/*"], "Principal": {"AWS": ["${statement.value.principals}"]}, "Condition": {"${c.value.test}": {"${c.value.variable}": ["${c.value.values}"]}}}]}`
	if got := oneLine(docs[0].Text); got != want {
		t.Errorf("text\n%s\nwant\n%s", got, want)
	}
	for _, f := range a.Findings {
		if f.Severity <= analysis.Warning {
			t.Errorf("finding %s %q at %q", f.Code, f.Message.Text().EN, at(src, f.Span))
		}
	}
}

// A dynamic "statement" over a written list is a statement per element:
// a fault in an element is reported at the element, with no fix (an edit
// to the content would change every element).
func TestDynamicStatementOverList(t *testing.T) {
	src := prelude + `locals {
  reads = [
    { sid = "Reports", actions = ["s3:GetObject"], prefix = "reports" },
    { sid = "Logs", actions = ["s3:GetObjekt"], prefix = "logs" },
  ]
}
data "aws_iam_policy_document" "reader" {
  statement {
    actions   = ["s3:ListBucket"]
    resources = ["arn:aws:s3:::data"]
  }
  dynamic "statement" {
    for_each = local.reads
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = ["arn:aws:s3:::data/${statement.value.prefix}/*"]
    }
  }
}
`
	a, docs := readOne(t, src)
	if len(docs) != 1 {
		t.Fatalf("docs %+v", docs)
	}
	want := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["arn:aws:s3:::data"]}, ` +
		`{"Sid": "Reports", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::data/reports/*"]}, ` +
		`{"Sid": "Logs", "Effect": "Allow", "Action": ["s3:GetObjekt"], "Resource": ["arn:aws:s3:::data/logs/*"]}]}`
	if got := oneLine(docs[0].Text); got != want {
		t.Errorf("text\n%s\nwant\n%s", got, want)
	}
	f := finding(t, a, "unknown-action")
	if got := at(src, f.Span); got != `"s3:GetObjekt"` || !strings.Contains(src[:f.Span.Start], `sid = "Logs"`) {
		t.Errorf("unknown-action at %q (offset %d)", got, f.Span.Start)
	}
	if len(f.AllFixes()) != 0 {
		t.Errorf("a fix inside a dynamic block's element: %+v", f.AllFixes())
	}
	// The whole statement is the dynamic block; its "{" is its first
	// attribute, as for a written statement block.
	i := strings.Index(string(docs[0].Text), `{"Sid": "Logs"`)
	j := i + len(`{"Sid": "Logs", "Effect": "Allow", "Action": ["s3:GetObjekt"], "Resource": ["arn:aws:s3:::data/logs/*"]}`)
	if got := at(src, docs[0].Host.Span(analysis.Span{Start: i, End: j})); !strings.HasPrefix(got, `dynamic "statement" {`) || !strings.HasSuffix(got, "}\n  }") {
		t.Errorf("statement at %q", got)
	}
	if got := at(src, docs[0].Host.Span(analysis.Span{Start: i, End: i + 1})); got != "sid       = statement.value.sid" {
		t.Errorf("statement's brace at %q", got)
	}
}

// The same in Terraform's JSON syntax, where the iterator is a string.
func TestDynamicStatementTFJSON(t *testing.T) {
	src := `{"data": {"aws_iam_policy_document": {"bucket": {
  "dynamic": {"statement": {
    "for_each": "${var.statements}",
    "iterator": "st",
    "content": {
      "actions": "${st.value.actions}",
      "resources": ["arn:aws:s3:::reports/*"],
      "principals": [{"type": "AWS", "identifiers": "${st.value.principals}"}]
    }
  }}
}}},
"resource": {"aws_s3_bucket_policy": {"b": {"bucket": "reports", "policy": "${data.aws_iam_policy_document.bucket.json}"}}}}`
	a, docs := readModuleFile(t, map[string]string{"m/main.tf.json": src}, "m/main.tf.json")
	if len(docs) != 1 || docs[0].Kind != analysis.KindBucket {
		t.Fatalf("docs %+v", docs)
	}
	want := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "${st.value.actions}", "Resource": ["arn:aws:s3:::reports/*"], "Principal": {"AWS": ["${st.value.principals}"]}}]}`
	if got := oneLine(docs[0].Text); got != want {
		t.Errorf("text\n%s\nwant\n%s", got, want)
	}
	if len(a.Findings) != 0 {
		t.Errorf("findings %+v", a.Findings)
	}
}

// A for_each over a variable whose default is a written map: a statement
// per element, keyed by statement.key.
func TestDynamicStatementOverVariableDefault(t *testing.T) {
	src := `variable "readers" {
  default = {
    "111122223333" = ["s3:GetObject"]
  }
}
data "aws_iam_policy_document" "bucket" {
  dynamic "statement" {
    for_each = var.readers
    content {
      sid       = "Read${statement.key}"
      actions   = statement.value
      resources = ["arn:aws:s3:::data/*"]
      principals {
        type        = "AWS"
        identifiers = ["arn:aws:iam::${statement.key}:root"]
      }
    }
  }
}
`
	_, docs := readOne(t, src)
	if len(docs) != 1 {
		t.Fatalf("docs %+v", docs)
	}
	want := `{"Version": "2012-10-17", "Statement": [{"Sid": "Read111122223333", "Effect": "Allow", "Action": ["s3:GetObject"], "Resource": ["arn:aws:s3:::data/*"], "Principal": {"AWS": ["arn:aws:iam::111122223333:root"]}}]}`
	if got := oneLine(docs[0].Text); got != want {
		t.Errorf("text\n%s\nwant\n%s", got, want)
	}
}
