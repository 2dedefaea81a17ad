package analysis

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/policygen"
)

// The parse counts the nodes of its tree exactly: compact fills the room
// it makes for them, no more and no less (a count too low would panic, one
// too high would keep the room compact is there to save).
func TestCompactFillsItsRoom(t *testing.T) {
	docs := [][]byte{
		policygen.Generate("bucket", 20<<10, 1),
		policygen.Generate("identity", 4<<10, 3),
		[]byte(`{"a": [[], {}, [1, [2, {"b": null}]], "x"], "a": {"c": true}}`),
		[]byte(`"lone"`),
		[]byte(`[]`),
	}
	for i, d := range docs {
		p := new(parser)
		p.init(d, keepText)
		root, err := p.document()
		if err != nil {
			t.Fatalf("document %d: %s", i, err.Msg.EN)
		}
		c := p.compactor()
		c.value(root)
		if len(c.values) != cap(c.values) || len(c.fields) != cap(c.fields) || len(c.items) != cap(c.items) || len(c.fptrs) != cap(c.fptrs) {
			t.Errorf("document %d: values %d of %d, fields %d of %d, items %d of %d, member pointers %d of %d", i,
				len(c.values), cap(c.values), len(c.fields), cap(c.fields), len(c.items), cap(c.items), len(c.fptrs), cap(c.fptrs))
		}
		freeSlabs.Put(p.keep())
	}
}
