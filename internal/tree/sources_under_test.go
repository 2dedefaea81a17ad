package tree

import (
	"path/filepath"
	"reflect"
	"testing"
)

// SourcesUnder reads what SetsUnder does, file by file (the same
// documents, kinds, facts, buckets, reader's findings and module), with
// no workspace built: over examples/terraform/child-modules, whose
// children are read with the names and provider their caller gives them,
// and over examples/cloudformation, whose files are read alone.
func TestSourcesUnderReadsWhatSetsUnderDoes(t *testing.T) {
	for _, example := range []string{"terraform/child-modules", "cloudformation"} {
		dir, err := filepath.Abs(filepath.Join("..", "..", "examples", filepath.FromSlash(example)))
		if err != nil {
			t.Fatal(err)
		}
		texts, err := ReadAll(dir, Disk{})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]*Source{}
		for _, s := range SetsUnder(dir, texts, nil) {
			for _, src := range s.Sources() {
				want[src.Path] = src
			}
		}
		got := SourcesUnder(dir, texts, nil)
		if len(got) != len(want) || len(got) == 0 {
			t.Fatalf("%s: %d files, want %d", example, len(got), len(want))
		}
		for _, src := range got {
			w := want[src.Path]
			if w == nil || src.Module != w.Module || !reflect.DeepEqual(src.Buckets, w.Buckets) || len(src.Findings) != len(w.Findings) || len(src.Docs) != len(w.Docs) {
				t.Fatalf("%s: %s read as %+v, want %+v", example, src.Path, src, w)
			}
			for i, d := range src.Docs {
				if d.Workspace != nil {
					t.Errorf("%s: %s's document %s is bound to a workspace", example, src.Path, d.DocName)
				}
				if wd := w.Docs[i]; string(d.Src) != string(wd.Src) || d.Kind != wd.Kind || d.DocName != wd.DocName || !reflect.DeepEqual(d.Facts, wd.Facts) {
					t.Errorf("%s: %s's document %s read as %s %s %+v, want %s %s %+v", example, src.Path, d.DocName, d.Kind, d.Src, d.Facts, wd.Kind, wd.Src, wd.Facts)
				}
			}
		}
	}
}
