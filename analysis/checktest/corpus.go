package checktest

import (
	"encoding/json"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// CorpusDoc is one policy of the shared corpus of AWS documentation
// policies (../shared/corpus/awsdocs beside the repository; see its README).
type CorpusDoc struct {
	File string        // e.g. "s3ug-0010.bucket-policy.json"
	Path string        // absolute
	Kind analysis.Kind // from the corpus's own label
}

// corpusKinds maps the corpus labels to kinds.
var corpusKinds = map[string]analysis.Kind{
	"iam-policy": analysis.KindIdentity, "bucket-policy": analysis.KindBucket, "key-policy": analysis.KindKey,
	"endpoint-policy": analysis.KindEndpoint, "scp": analysis.KindSCP, "rcp": analysis.KindRCP,
	"session-policy": analysis.KindSession, "boundary": analysis.KindBoundary, "trust-policy": analysis.KindTrust,
	"other-resource-policy": analysis.KindResource,
}

// CorpusDir returns the corpus folder, found beside the repository root
// (the folder with go.mod above the working directory), and whether it is
// there.
func CorpusDir() (string, bool) {
	root, ok := RepoRoot()
	if !ok {
		return "", false
	}
	corpus := filepath.Join(filepath.Dir(root), "shared", "corpus", "awsdocs")
	_, err := os.Stat(filepath.Join(corpus, "manifest.json"))
	return corpus, err == nil
}

// RepoRoot returns the repository root: the folder with go.mod above the
// working directory.
func RepoRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// ExampleFiles lists every JSON file under the repository's examples/
// (policies, .s3policy.json and scenarios alike), sorted.
func ExampleFiles(t testing.TB) []string {
	t.Helper()
	root, ok := RepoRoot()
	if !ok {
		t.Fatal("no go.mod above the working directory")
	}
	var out []string
	err := filepath.WalkDir(filepath.Join(root, "examples"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
			out = append(out, path)
		}
		return err
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("no examples/**/*.json: %v", err)
	}
	return out
}

// Corpus lists the corpus documents, leaving out those the documentation
// itself presents as wrong (flag shown-as-incorrect-in-doc). It skips the
// test, with a message, when the corpus is absent.
func Corpus(t testing.TB) []CorpusDoc {
	t.Helper()
	dir, ok := CorpusDir()
	if !ok {
		t.Skip("the AWS documentation corpus (../shared/corpus/awsdocs beside the repository) is absent; skipping")
	}
	raw, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var entries []struct {
		File  string   `json:"file"`
		Kind  string   `json:"kind"`
		Flags []string `json:"flags"`
	}
	if err := json.Unmarshal(raw, &entries); err != nil {
		t.Fatal(err)
	}
	var docs []CorpusDoc
	for _, e := range entries {
		if slices.Contains(e.Flags, "shown-as-incorrect-in-doc") {
			continue
		}
		docs = append(docs, CorpusDoc{File: e.File, Path: filepath.Join(dir, e.File), Kind: corpusKinds[e.Kind]})
	}
	return docs
}

// Config gives a corpus document its labelled kind through an in-memory
// .s3policy.json, as a user would.
func (d CorpusDoc) Config() *analysis.Config {
	return &analysis.Config{Dir: filepath.Dir(d.Path), Files: []*analysis.FileFacts{{Pattern: "**", Kind: d.Kind}}}
}
