package tree

import (
	"path/filepath"
	"testing"
)

// The file a child module reads with file() from a path built from its
// variable is the one its caller's argument names, in IncludedBy as in
// readModules; the child's own terraform.tfvars does not apply to it, and
// does when the child's folder is all there is (read as a root module).
func TestIncludedByReadsAChildsPathWithItsCallersArgument(t *testing.T) {
	texts := map[string][]byte{
		filepath.FromSlash("r/main.tf"):            []byte("module \"c\" {\n  source = \"./c\"\n  pf     = \"caller.json\"\n}\n"),
		filepath.FromSlash("r/c/main.tf"):          []byte("variable \"pf\" { default = \"default.json\" }\nresource \"aws_s3_bucket_policy\" \"p\" {\n  bucket = \"data\"\n  policy = file(\"${path.module}/${var.pf}\")\n}\n"),
		filepath.FromSlash("r/c/terraform.tfvars"): []byte(`pf = "tfvars.json"`),
	}
	want := filepath.FromSlash("r/c/caller.json")
	texts[want] = []byte(`{"Version": "2012-10-17", "Statement": []}`)
	if got := IncludedBy(texts); len(got) != 1 || got[want] != filepath.FromSlash("r/c") {
		t.Errorf("IncludedBy = %q, want %s read by r/c", got, want)
	}
	if got := readModules(texts, perFamily).included; len(got) != 1 || got[want] != filepath.FromSlash("r/c") {
		t.Errorf("readModules' included = %q, want %s read by r/c", got, want)
	}
	delete(texts, filepath.FromSlash("r/main.tf"))
	alone := filepath.FromSlash("r/c/tfvars.json")
	if got := IncludedBy(texts); len(got) != 1 || got[alone] != filepath.FromSlash("r/c") {
		t.Errorf("the child alone: IncludedBy = %q, want %s", got, alone)
	}
}

// A child's file() path that only its caller's argument gives (a variable
// with no default) is read too: read without the calls it resolves to no
// path, which once kept the calls from being parsed at all (review2 M2:
// `list` said "guessed" where check read the file as the module's).
func TestIncludedByReadsAPathOnlyTheCallerGives(t *testing.T) {
	want := filepath.FromSlash("r/c/caller.json")
	texts := map[string][]byte{
		filepath.FromSlash("r/main.tf"):   []byte("module \"c\" {\n  source = \"./c\"\n  pf     = \"caller.json\"\n}\n"),
		filepath.FromSlash("r/c/main.tf"): []byte("variable \"pf\" { type = string }\nresource \"aws_s3_bucket_policy\" \"p\" {\n  bucket = \"data\"\n  policy = file(\"${path.module}/${var.pf}\")\n}\n"),
		want:                              []byte(`{"Version": "2012-10-17", "Statement": []}`),
	}
	if got := IncludedBy(texts); len(got) != 1 || got[want] != filepath.FromSlash("r/c") {
		t.Errorf("IncludedBy = %q, want %s read by r/c", got, want)
	}
}
