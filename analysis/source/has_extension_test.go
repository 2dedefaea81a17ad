package source

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestHasExtensionAsBefore: the ASCII fast path decides as the lower-cased
// base did, for names in any case, with separators, non-ASCII letters
// (the Kelvin sign lower-cases to k, the dotted capital I to i) and
// invalid UTF-8 near the ending.
func TestHasExtensionAsBefore(t *testing.T) {
	before := func(r *Reader, name string) bool {
		lower := strings.ToLower(filepath.Base(name))
		for _, ext := range r.Extensions {
			if strings.HasSuffix(lower, ext) {
				return true
			}
		}
		return false
	}
	readers := []*Reader{
		{Extensions: []string{".json"}},
		{Extensions: []string{".json", ".yaml", ".yml", ".template"}},
		{Extensions: []string{".tf", ".tf.json"}},
		{Extensions: []string{".json.tpl", ".json.tmpl", ".json.j2", ".json.tftpl", ".tpl", ".tftpl"}},
		{Extensions: []string{".tfvars", ".k"}},
	}
	stems := []string{"", "a", "policy", "dir/a", "/tmp/gov/team-000/policy-00001.bucket-policy", "d.json/x", "C:", "x\\y", "é", "\u212a", "\xff", "a/\xc3"}
	endings := []string{"", ".json", ".JSON", ".Json", ".json/", ".tf", ".TF", ".tf.json", ".TF.JSON", ".tf.JSON", ".yaml", ".YML", ".Template",
		".json.tpl", ".JSON.TPL", ".tpl", ".tftpl", ".tfvars", ".TFVARS", ".\u212a", ".K", ".k", "json", ".jso\u0130", ".js\u212aon", ".jsoN\xff", "\xff.json", ".ĵson", "/.json", "\\.json", ":.json", ".json\\", ".json:"}
	n := 0
	for _, r := range readers {
		for _, stem := range stems {
			for _, end := range endings {
				name := stem + end
				if got, want := r.HasExtension(name), before(r, name); got != want {
					t.Errorf("%v.HasExtension(%q) = %v, was %v", r.Extensions, name, got, want)
				}
				n++
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d names", n)
	}
}
