package lsp

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
)

// governedModuleIndex is governedIndex with the Terraform module of
// examples/terraform/deny-blocks-access in its folder "module", under the
// governed folder's config, every principal answered as the first scan
// leaves the set. Most real policies live in such files.
func governedModuleIndex(t testing.TB, n int) (string, map[string][]byte, *index) {
	t.Helper()
	return governedIndexWith(t, n, "module", func(folder string) map[string][]byte { return exampleModule(t, "deny-blocks-access", folder) })
}

// governedIndexWith is governedIndex with the files files gives in the
// folder sub of the governed folder, every principal answered as the
// first scan leaves the set. It returns that folder.
func governedIndexWith(t testing.TB, n int, sub string, files func(folder string) map[string][]byte) (string, map[string][]byte, *index) {
	t.Helper()
	dir, _, texts, _ := governedIndex(t, n)
	folder := filepath.Join(dir, sub)
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	maps.Copy(texts, files(folder))
	ix := newIndex()
	ix.rebuild([]string{dir}, texts)
	g := ix.setOf(filepath.Join(folder, "x"))
	for _, p := range principalsOf(g.ws) {
		g.ws.Blocked(p)
	}
	return folder, texts, ix
}

// moduleKeystrokes are keystrokes in the files of governedModuleIndex's
// module, each made of the file's text (the even ones) and taken back (the
// odd ones): a comment typed above the file's documents and after them, a
// space typed at a line's end, none of which changes what a policy says,
// and the last character of an action taken back in the bucket policy's
// jsonencode and in the role's policy document (data
// "aws_iam_policy_document").
var moduleKeystrokes = []struct{ name, file, at, typed string }{
	{"comment", "partner.tf", "# Jane", "x"},
	{"comment-after", "partner.tf", "data.aws_iam_policy_document.jane.json\n}\n", "#"},
	{"space", "partner.tf", `name               = "jane"`, " "},
	{"bucket-action", "bucket.tf", `"s3:PutObject"`, ""},
	{"identity-action", "partner.tf", `"s3:PutObject"`, ""},
}

// moduleKeystroke returns the text of moduleKeystrokes' case k after its
// i-th keystroke.
func moduleKeystroke(text []byte, k int, i int) []byte {
	c := moduleKeystrokes[k]
	at := bytes.Index(text, []byte(c.at)) + len(c.at)
	if i%2 == 1 {
		return text
	}
	if c.typed == "" {
		return slices.Concat(text[:at-2], text[at-1:]) // the action's last character taken back
	}
	return slices.Concat(text[:at], []byte(c.typed), text[at:])
}

// BenchmarkIndexEditModule is BenchmarkIndexEdit for a keystroke in a
// Terraform module of the governed folder (governedModuleIndex).
// go test -run '^$' -bench IndexEditModule ./lsp/
func BenchmarkIndexEditModule(b *testing.B) {
	n := 1000
	if s := os.Getenv("S3POLICY_BENCH_POLICIES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	module, texts, ix := governedModuleIndex(b, n)
	for k, c := range moduleKeystrokes {
		path := filepath.Join(module, c.file)
		text := texts[path]
		b.Run(fmt.Sprintf("%s/%d", c.name, n), func(b *testing.B) {
			cpu := cpuTime()
			n := 0
			for i := 0; b.Loop(); i++ {
				ix.update(map[string][]byte{path: moduleKeystroke(text, k, i)})
				n++
			}
			b.ReportMetric(float64((cpuTime()-cpu).Milliseconds())/float64(n), "cpu-ms/op")
			ix.update(map[string][]byte{path: text})
		})
	}
}
