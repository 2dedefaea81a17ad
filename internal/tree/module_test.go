package tree

import (
	"os"
	"path/filepath"
	"testing"
)

// A Terraform module is a set of its own with no .s3policy.json: its
// files are read together (the bucket policy in one file, the bucket in
// another), while a .tf file of another folder is not in it.
func TestModuleIsASet(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, text string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("mod/bucket.tf", `resource "aws_s3_bucket" "b" { bucket = "data" }`)
	write("mod/policy.tf", `resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = "*", Action = "s3:GetObject", Resource = "${aws_s3_bucket.b.arn}/*" }] })
}`)
	write("other/x.tf", `resource "aws_iam_policy" "p" { policy = jsonencode({ Statement = [] }) }`)
	write("loose.json", `{"Version": "2012-10-17", "Statement": []}`)
	sets := Governed(dir, Disk{})
	if len(sets) != 2 {
		t.Fatalf("%d sets, want mod and other", len(sets))
	}
	set, src := SetOf(sets, filepath.Join(dir, "mod/policy.tf"))
	if src == nil || len(src.Docs) != 1 {
		t.Fatalf("policy.tf: %+v", src)
	}
	d := src.Docs[0]
	if d.Facts == nil || d.Facts.Bucket != "data" || string(d.Kind) != "bucket" {
		t.Errorf("the bucket policy's facts %+v kind %q", d.Facts, d.Kind)
	}
	if set.Buckets["data"] == nil || set.Source(filepath.Join(dir, "other/x.tf")) != nil {
		t.Errorf("set of mod: buckets %v", set.Buckets)
	}
	if s, _ := SetOf(sets, filepath.Join(dir, "loose.json")); s != nil {
		t.Error("a JSON file no config governs joined a set")
	}
}
