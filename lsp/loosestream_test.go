package lsp

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"strings"
	"testing"
)

// The loose entry is read as the scan takes its files: with no reader
// waiting, the stream stops looseAhead files ahead, so the memory never
// holds a large entry whole; a file taken is what was written (its
// digest, its params, and where they are in the entry's file, from which
// the next entry copies them); a take further on reads on; a file the
// entry does not hold is a miss once the stream has passed it, and the
// end of the entry (its checksum) ends the stream.
func TestTheLooseEntryIsReadAsTheScanTakesItsFiles(t *testing.T) {
	c, k, paths := writeLooseEntry(t, 2*looseAhead+1)
	ls, logged := openLoose(t, c, k)
	entry := ls.entry
	ls.mu.Lock()
	for len(ls.ahead) < looseAhead && !ls.over {
		ls.moved.Wait()
	}
	ahead, over, last := len(ls.ahead), ls.over, ls.last
	ls.mu.Unlock()
	if ahead != looseAhead || over || last != paths[looseAhead-1] {
		t.Fatalf("the stream holds %d files (over %v, last %s), want %d and waiting", ahead, over, last, looseAhead)
	}
	e, ok := ls.take(paths[0])
	if !ok || e.sum != sha256.Sum256([]byte(paths[0])) || string(e.params) != looseParams(paths[0]) || e.hash != paramsHash(e.params) {
		t.Fatalf("%s: %+v, %v", paths[0], e, ok)
	}
	if kept, _ := io.ReadAll(io.NewSectionReader(entry.f, e.at, e.size)); !bytes.Equal(kept, e.params) {
		t.Errorf("%s: the entry's file holds %q at %d, want its params", paths[0], kept, e.at)
	}
	if _, ok := ls.take(paths[0]); ok {
		t.Errorf("%s taken twice", paths[0])
	}
	if e, ok := ls.take(paths[len(paths)-1]); !ok || string(e.params) != looseParams(paths[len(paths)-1]) {
		t.Errorf("the last file: %+v, %v", e, ok)
	}
	if _, ok := ls.take("/w/zz.json"); ok {
		t.Error("a file the entry does not hold was taken")
	}
	ls.mu.Lock()
	over = ls.over
	ls.mu.Unlock()
	if !over || len(*logged) != 0 {
		t.Errorf("after the last file: over %v, logged %q", over, logged)
	}
}

// A file of the loose entry whose diagnostics are not what their hash
// says (a corrupt entry, read before its checksum is) is a miss, and so
// is every file after it; those before it are taken, and the entry is
// removed.
func TestACorruptFileEndsTheLooseEntry(t *testing.T) {
	c, k, paths := writeLooseEntry(t, 10)
	data, err := os.ReadFile(c.entryPath(k))
	if err != nil {
		t.Fatal(err)
	}
	at := bytes.Index(data, []byte(looseParams(paths[5])))
	data[at+2] ^= 0x01
	if err := os.WriteFile(c.entryPath(k), data, 0o600); err != nil {
		t.Fatal(err)
	}
	ls, logged := openLoose(t, c, k)
	for i, path := range paths {
		if _, ok := ls.take(path); ok != (i < 5) {
			t.Errorf("%s taken: %v", path, ok)
		}
	}
	if len(*logged) != 1 || !strings.HasSuffix((*logged)[0], paths[5]+": its diagnostics are not what their hash says") {
		t.Errorf("logged %q", *logged)
	}
	if _, err := os.Stat(c.entryPath(k)); !os.IsNotExist(err) {
		t.Errorf("the corrupt entry is still there: %v", err)
	}
}

// openLoose streams the entry with key k, and lists what it logs.
func openLoose(t *testing.T, c *diskCache, k cacheKey) (*looseStream, *[]string) {
	t.Helper()
	entry, err := c.open(k)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(entry.close)
	var logged []string
	return streamLoose(entry, func(format string, args ...any) { logged = append(logged, fmt.Sprintf(format, args...)) }), &logged
}

// writeLooseEntry writes a loose entry of n files, in path order, each
// with the digest of its path as its text's and looseParams.
func writeLooseEntry(t *testing.T, n int) (*diskCache, cacheKey, []string) {
	t.Helper()
	c := newDiskCache(t.TempDir(), []string{"/w"})
	k := cacheKey{4}
	var files []entryFile
	var paths []string
	for i := range n {
		path := fmt.Sprintf("/w/f%05d.json", i)
		sum := sha256.Sum256([]byte(path))
		params := looseParams(path)
		paths = append(paths, path)
		files = append(files, entryFile{path: path, hash: paramsHash([]byte(params)), size: int64(sha256.Size + len(params)),
			body: io.MultiReader(bytes.NewReader(sum[:]), strings.NewReader(params))})
	}
	if err := c.write(k, files); err != nil {
		t.Fatal(err)
	}
	return c, k, paths
}

func looseParams(path string) string {
	return `{"uri":"file://` + path + `","diagnostics":[]}`
}
