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
	write := writer(t, dir)
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

// Modules that one .s3policy.json groups, with each folder's account from
// its files entries: the role's ARN and the bucket's owner come from
// there when the providers do not say, and the cross-account cause is
// found across the two modules.
func TestModulesUnderConfig(t *testing.T) {
	dir := t.TempDir()
	write := writer(t, dir)
	write(".s3policy.json", `{"files": {"owner/*.tf": {"account": "444455556666"}, "partner/*.tf": {"account": "111122223333"}}}`)
	write("owner/main.tf", `resource "aws_s3_bucket" "b" { bucket = "data" }
resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Principal = { AWS = "arn:aws:iam::111122223333:root" }, Action = "s3:GetObject", Resource = "arn:aws:s3:::data/*" }] })
}`)
	write("partner/main.tf", `resource "aws_iam_role" "jane" { name = "jane" }
resource "aws_iam_role_policy" "jane" {
  role   = aws_iam_role.jane.name
  policy = jsonencode({ Version = "2012-10-17", Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::other/*" }] })
}`)
	sets := Governed(dir, Disk{})
	set, src := SetOf(sets, filepath.Join(dir, "partner/main.tf"))
	if len(sets) != 1 || src == nil || len(src.Docs) != 1 {
		t.Fatalf("%d sets, partner: %+v", len(sets), src)
	}
	if f := src.Docs[0].Facts; f == nil || f.Principal != "arn:aws:iam::111122223333:role/jane" {
		t.Errorf("the role policy's facts %+v", f)
	}
	if b := set.Buckets["data"]; b == nil || b.Account != "444455556666" {
		t.Errorf("bucket %+v", b)
	}
	if blocked := set.Blocked("arn:aws:iam::111122223333:role/jane"); len(blocked) != 1 || blocked[0].Causes[0].Code != "missing-resource-arn" {
		t.Errorf("blocked %+v", blocked)
	}
}

// A file a module reads with file() is in the module's set, read with the
// kind its use gives it, and names the module; a JSON file of the same
// folder that no call reads stays out of every set.
func TestModuleReadsPolicyFile(t *testing.T) {
	dir := t.TempDir()
	write := writer(t, dir)
	write("mod/main.tf", `resource "aws_s3_bucket" "b" { bucket = "data" }
resource "aws_s3_bucket_policy" "b" {
  bucket = aws_s3_bucket.b.id
  policy = file("${path.module}/policies/b.json")
}`)
	write("mod/policies/b.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`)
	write("mod/policies/loose.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}`)
	sets := Governed(dir, Disk{})
	set, src := SetOf(sets, filepath.Join(dir, "mod/policies/b.json"))
	if len(sets) != 1 || src == nil || len(src.Docs) != 1 {
		t.Fatalf("%d sets, b.json: %+v", len(sets), src)
	}
	d := src.Docs[0]
	if d.Kind != "bucket" || d.KindReason != "aws_s3_bucket_policy.b.policy in main.tf" || d.Facts == nil || d.Facts.Bucket != "data" {
		t.Errorf("b.json: kind %q (%s) facts %+v", d.Kind, d.KindReason, d.Facts)
	}
	if src.Module != filepath.Join(dir, "mod") || set.Source(filepath.Join(dir, "mod/main.tf")).Module != src.Module {
		t.Errorf("modules %q and %q", src.Module, set.Source(filepath.Join(dir, "mod/main.tf")).Module)
	}
	if s, _ := SetOf(sets, filepath.Join(dir, "mod/policies/loose.json")); s != nil {
		t.Error("a JSON file no call reads joined the module's set")
	}
	// explain's one set reads it so too.
	texts, err := ReadAll(dir, Disk{})
	if err != nil {
		t.Fatal(err)
	}
	if src := One(dir, texts).Source(filepath.Join(dir, "mod/policies/b.json")); src == nil || src.Docs[0].KindReason != d.KindReason {
		t.Errorf("One: %+v", src)
	}
}

// writer returns a function that writes a file below dir, making its
// folders.
func writer(t *testing.T, dir string) func(rel, text string) {
	return func(rel, text string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// A root module and the child modules it calls in folders below it are
// one set: each child is read with the names and provider its call gives
// it, so the cause is found across the two children; a child no module
// calls is a set of its own.
func TestChildModulesJoinTheirCaller(t *testing.T) {
	dir, err := filepath.Abs(filepath.Join("..", "..", "examples", "terraform", "child-modules"))
	if err != nil {
		t.Fatal(err)
	}
	sets := Governed(dir, Disk{})
	set, src := SetOf(sets, filepath.Join(dir, "modules", "reader", "main.tf"))
	if len(sets) != 1 || src == nil || set.Dir != dir || src.Module != dir {
		t.Fatalf("%d sets, reader %+v", len(sets), src)
	}
	if b := set.Buckets["shared-data"]; b == nil || b.Account != "444455556666" {
		t.Errorf("bucket %+v", b)
	}
	const jane = "arn:aws:iam::111122223333:role/jane"
	if blocked := set.Blocked(jane); len(blocked) != 1 || blocked[0].Causes[0].Code != "missing-resource-arn" {
		t.Errorf("blocked %+v", blocked)
	}
	alone := Governed(filepath.Join(dir, "modules"), Disk{})
	if len(alone) != 2 {
		t.Errorf("children with no caller: %d sets, want one each", len(alone))
	}
}

// A child module's templatefile() is filled in with the values its caller
// gives the child's variables.
func TestChildModuleTemplateTakesCallerValues(t *testing.T) {
	dir := t.TempDir()
	write := writer(t, dir)
	write("main.tf", `provider "aws" { allowed_account_ids = ["444455556666"] }
module "b" {
  source  = "./modules/b"
  name    = "shared-data"
  partner = "111122223333"
}`)
	write("modules/b/main.tf", `variable "name" {}
variable "partner" {}
resource "aws_s3_bucket" "this" { bucket = var.name }
resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = templatefile("${path.module}/policies/bucket.json.tftpl", { bucket = var.name, partner = var.partner })
}`)
	write("modules/b/policies/bucket.json.tftpl", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${partner}:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::${bucket}/*"}]}`)
	set, src := SetOf(Governed(dir, Disk{}), filepath.Join(dir, "modules/b/policies/bucket.json.tftpl"))
	if src == nil || len(src.Docs) != 1 {
		t.Fatalf("the template: %+v", src)
	}
	d := src.Docs[0]
	want := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::shared-data/*"}]}`
	if d.Kind != "bucket" || d.Facts == nil || d.Facts.Bucket != "shared-data" || d.Facts.Account != "444455556666" || string(d.Src) != want {
		t.Errorf("kind %q facts %+v text\n%s", d.Kind, d.Facts, d.Src)
	}
	if b := set.Buckets["shared-data"]; b == nil || b.Account != "444455556666" {
		t.Errorf("bucket %+v", b)
	}
}

// A module that declares buckets and no policy is read for their facts
// only where a policy of its set can use them: with a .s3policy.json over
// it (the set's JSON files may hold policies), a module of its family
// that holds a policy (its caller, a child), or a file the family reads
// with file(). A bucket-only module no config governs, alone or in a
// family of bucket-only modules, is left unread: an infrastructure
// repository of bucket modules is not parsed for facts no policy reads.
func TestABucketOnlyModuleIsReadOnlyWhereItsSetMayHoldAPolicy(t *testing.T) {
	const bucket = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"data\"\n}\n"
	const callChild = "module \"b\" {\n  source = \"./modules/b\"\n}\n"
	const policy = "resource \"aws_iam_role_policy\" \"r\" {\n  role   = \"r\"\n  policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"s3:GetObject\", Resource = \"arn:aws:s3:::data/*\" }] })\n}\n"
	for _, c := range []struct {
		name  string
		texts map[string]string
		read  bool // the facts of modules/b/main.tf are in its set
	}{
		{"alone", map[string]string{"modules/b/main.tf": bucket}, false},
		{"called by a bucket-only module", map[string]string{"main.tf": bucket + callChild, "modules/b/main.tf": bucket}, false},
		{"governed", map[string]string{".s3policy.json": `{}`, "modules/b/main.tf": bucket}, true},
		{"governed with its caller", map[string]string{"app/.s3policy.json": `{}`, "app/main.tf": callChild, "app/modules/b/main.tf": bucket}, true},
		{"called by a module with a policy", map[string]string{"main.tf": policy + callChild, "modules/b/main.tf": bucket}, true},
		{"with a sibling holding a policy", map[string]string{"main.tf": callChild + "module \"p\" {\n  source = \"./modules/p\"\n}\n", "modules/b/main.tf": bucket, "modules/p/main.tf": policy}, true},
		{"calling a module with a policy", map[string]string{"modules/b/main.tf": bucket + "module \"p\" {\n  source = \"./p\"\n}\n", "modules/b/p/main.tf": policy}, true},
		{"reading a file", map[string]string{"modules/b/main.tf": bucket + "locals {\n  doc = file(\"${path.module}/r.json\")\n}\n", "modules/b/r.json": `{"Version": "2012-10-17", "Statement": []}`}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			texts := map[string][]byte{}
			for rel, text := range c.texts {
				texts[filepath.Join(dir, rel)] = []byte(text)
			}
			path := filepath.Join(dir, "modules/b/main.tf")
			if _, ok := c.texts["app/modules/b/main.tf"]; ok {
				path = filepath.Join(dir, "app/modules/b/main.tf")
			}
			set, src := SetOf(Sets(dir, texts), path)
			if src == nil {
				t.Fatalf("%s is in no set", path)
			}
			if read := len(src.Buckets) == 1 && set.Buckets["data"] != nil; read != c.read {
				t.Errorf("bucket facts read: %v, want %v (buckets %+v)", read, c.read, src.Buckets)
			}
		})
	}
}

// One makes one set of every file of a folder, across module families
// (explain over a folder): there a bucket-only module's facts reach the
// policies of the other families, so it is read when any file of the
// whole set may hold a policy, and left unread only when none may
// (review s12 B2: explain's decision on jane's read of a Requester Pays,
// SSE-KMS bucket of another module flipped from ImplicitlyDenied, blocked
// by kms, to Allowed). Sets still leaves it unread: it is a set of its own.
func TestOneReadsABucketOnlyModuleWhereAnotherFamilyMayHoldAPolicy(t *testing.T) {
	const bucket = "resource \"aws_s3_bucket\" \"b\" {\n  bucket = \"data\"\n}\n"
	const policy = "resource \"aws_iam_role_policy\" \"r\" {\n  role   = \"r\"\n  policy = jsonencode({ Version = \"2012-10-17\", Statement = [{ Effect = \"Allow\", Action = \"s3:GetObject\", Resource = \"arn:aws:s3:::data/*\" }] })\n}\n"
	for _, c := range []struct {
		name          string
		texts         map[string]string
		inOne, inSets bool // the facts of buckets/main.tf are in its set
	}{
		{"beside a module with a policy", map[string]string{"buckets/main.tf": bucket, "app/main.tf": policy}, true, false},
		{"beside a JSON policy", map[string]string{"buckets/main.tf": bucket, "jane.iam-policy.json": `{"Version": "2012-10-17", "Statement": []}`}, true, false},
		{"beside bucket-only modules", map[string]string{"buckets/main.tf": bucket, "more/main.tf": bucket}, false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			texts := map[string][]byte{}
			for rel, text := range c.texts {
				texts[filepath.Join(dir, rel)] = []byte(text)
			}
			path := filepath.Join(dir, "buckets/main.tf")
			one := One(dir, texts)
			if read := len(one.Source(path).Buckets) == 1 && one.Buckets["data"] != nil; read != c.inOne {
				t.Errorf("One: bucket facts read: %v, want %v", read, c.inOne)
			}
			_, src := SetOf(Sets(dir, texts), path)
			if read := src != nil && len(src.Buckets) == 1; read != c.inSets {
				t.Errorf("Sets: bucket facts read: %v, want %v", read, c.inSets)
			}
		})
	}
}

// A file two modules read with file() is read with the first by name, at
// every run (the map's order once decided it, so check and the server
// could read it as a bucket policy in one run and an identity policy in
// the next), and the two modules' files are one family.
func TestAFileTwoModulesReadIsTheFirstsAndJoinsTheirFamilies(t *testing.T) {
	texts := map[string][]byte{
		"tf/main.tf":   []byte("resource \"aws_s3_bucket_policy\" \"p\" {\n  bucket = \"data\"\n  policy = file(\"${path.module}/a/p.json\")\n}\n"),
		"tf/a/main.tf": []byte("resource \"aws_iam_role_policy\" \"p\" {\n  role   = \"app\"\n  policy = file(\"${path.module}/p.json\")\n}\n"),
		"tf/a/p.json":  []byte(`{"Version": "2012-10-17", "Statement": []}`),
	}
	for range 20 {
		if got := IncludedBy(texts)["tf/a/p.json"]; got != "tf" {
			t.Fatalf("p.json is read by %q, want tf", got)
		}
		mods := readModules(texts, perFamily)
		if a, b := mods.family("tf"), mods.family("tf/a"); a != "tf" || b != "tf" {
			t.Fatalf("families %q and %q, want tf for both", a, b)
		}
	}
}
