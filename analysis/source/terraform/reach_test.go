package terraform

import (
	"os"
	"path"
	"path/filepath"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// mayReachBelow says no only of a file in which neither Calls nor
// Includes could find a call or a file() reaching the folder asked about,
// and says no of a file that calls no local module there and reads no
// file: a folder walk builds a nested config's folder with the modules
// above it only when one of them may reach it.
func TestMayReachBelow(t *testing.T) {
	for _, c := range []struct {
		text, below string
		want        bool
	}{
		{"module \"b\" {\n  source = \"./teams/payments\"\n}\n", "teams/payments", true},
		{"module \"b\" {\n  source = \"./teams/payments/bucket\"\n}\n", "teams/payments", true},
		{"module \"b\" {\n  source = \"./teams/x/../payments\"\n}\n", "teams/payments", true},
		{`{"module": {"b": {"source": "./teams/payments"}}}`, "teams/payments", true},
		{"module \"b\" {\n  source = \"./teams/p\\u0061yments\"\n}\n", "teams/payments", true},
		{"module \"b\" {\n  source = \"./teams/$${x}\"\n}\n", "teams/${x}", true},
		{"policy = file(\"${path.module}/teams/payments/x.json\")\n", "teams/search", true},
		{"policy = templatefile(\"${path.module}/p.json.tpl\", {})\n", "teams/search", true},
		{"module \"b\" {\n  source = \"./teams/payments\"\n}\n", "teams/search", false},
		{"module \"b\" {\n  source = \"./modules/bucket\"\n}\n", "teams/payments", false},
		{"module \"vpc\" {\n  source = \"terraform-aws-modules/vpc/aws\"\n}\n", "teams/payments", false},
		{"provider \"aws\" {\n  region = \"eu-west-1\"\n}\n", "teams/payments", false},
		{`{"\u006dodule": {"b": {"source": "./teams/search"}}}`, "teams/search", true},
		{"# teams/payments\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"payments\"\n}\n", "teams/payments", false},
	} {
		if got := mayReachBelow([]byte(c.text), c.below); got != c.want {
			t.Errorf("mayReachBelow(%q, %q) = %v, want %v", c.text, c.below, got, c.want)
		}
		name := "m/main.tf"
		if strings.HasPrefix(c.text, "{") {
			name += ".json"
		}
		reachesNothingItSaysNoOf(t, name, c.text, c.below)
	}
}

// FuzzMayReachBelow: no module file that mayReachBelow says no of has a
// call or a file() that Calls or Includes finds reaching the folder, the
// examples' modules among the seeds.
func FuzzMayReachBelow(f *testing.F) {
	for _, pattern := range []string{"../../../examples/terraform/*/*.tf", "../../../examples/terraform/*/*/*/*.tf", "../../../examples/terraform/*/*.tf.json"} {
		seeds, _ := filepath.Glob(pattern)
		for _, p := range seeds {
			if text, err := os.ReadFile(p); err == nil {
				f.Add(string(text), "modules/bucket", strings.HasSuffix(p, ".json"))
			}
		}
	}
	f.Add("module \"b\" {\n  source = \"./b\"\n}\n", "b", false)
	f.Add(`{"module": {"b": {"source": "./x/b"}}, "resource": {"aws_s3_bucket_policy": {"p": {"policy": "${file(\"x.json\")}"}}}}`, "x", true)
	f.Fuzz(func(t *testing.T, src, below string, isJSON bool) {
		if below != path.Clean(below) || below == "." || below == ".." || strings.HasPrefix(below, "../") || path.IsAbs(below) {
			return // the walk asks of a folder strictly below the module's, by its clean path from there
		}
		name := "m/main.tf"
		if isJSON {
			name += ".json"
		}
		reachesNothingItSaysNoOf(t, name, src, below)
	})
}

// reachesNothingItSaysNoOf fails when mayReachBelow says no of a module
// file, and of another file of its module that makes Calls parse every
// file (gateFile), and Calls or Includes finds the module reaching the
// folder below or under.
func reachesNothingItSaysNoOf(t *testing.T, name, text, below string) {
	t.Helper()
	if mayReachBelow([]byte(text), below) || mayReachBelow([]byte(gateFile), below) {
		return
	}
	files := map[string][]byte{name: []byte(text), "m/gate.tf": []byte(gateFile)}
	dir := filepath.Join(filepath.Dir(name), filepath.FromSlash(below))
	under := func(path string) bool { return path == dir || strings.HasPrefix(path, dir+string(filepath.Separator)) }
	for child := range Calls(files, source.ModuleContext{}) {
		if under(child) {
			t.Errorf("mayReachBelow(%q, %q) is false, and Calls finds %s", text, below, child)
		}
	}
	for _, inc := range Includes(files, source.ModuleContext{}) {
		if under(inc) {
			t.Errorf("mayReachBelow(%q, %q) is false, and Includes finds %s", text, below, inc)
		}
	}
}

// gateFile is a module file that passes callsModule's test.
const gateFile = "module \"g\" {\n  source = \"./zz-gate\"\n}\n"
