package lsp

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

func testEntry(t *testing.T, k cacheKey) []byte {
	t.Helper()
	var b bytes.Buffer
	files := []entryFile{
		{path: "/w/a.json", hash: 0x0102030405060708, size: 9, body: strings.NewReader(`{"a":"b"}`)},
		{path: "/w/b.json", size: 0, body: strings.NewReader("")},
	}
	if err := encodeEntry(&b, k, files); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// An entry reads back as written; every prefix of it, every entry with
// one byte changed, and an entry of another key, is an error, never a
// panic nor other files.
func TestAnEntryReadsBackWholeOrNotAtAll(t *testing.T) {
	k := cacheKey{1, 2, 3}
	data := testEntry(t, k)
	c := newDiskCache(t.TempDir(), []string{"/w"})
	decodeEntry := func(data []byte, k cacheKey) ([]cachedFile, error) {
		if err := os.MkdirAll(c.dir, 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(c.entryPath(k), data, 0o600); err != nil {
			t.Fatal(err)
		}
		return c.read(k)
	}
	files, err := decodeEntry(data, k)
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != 2 || files[0].path != "/w/a.json" || files[0].hash != 0x0102030405060708 ||
		string(files[0].params) != `{"a":"b"}` || files[1].path != "/w/b.json" || files[1].hash != 0 || len(files[1].params) != 0 {
		t.Fatalf("read back %+v", files)
	}
	for n := range len(data) {
		if _, err := decodeEntry(data[:n], k); err == nil {
			t.Fatalf("the first %d of %d bytes read as an entry", n, len(data))
		}
	}
	for i := range data {
		changed := slices.Clone(data)
		changed[i] ^= 0x01
		if _, err := decodeEntry(changed, k); err == nil {
			t.Fatalf("byte %d changed reads as an entry", i)
		}
	}
	if _, err := decodeEntry(data, cacheKey{9}); err == nil || !strings.HasSuffix(err.Error(), ": holds another key") {
		t.Fatalf("another key: %v", err)
	}
}

// A missing entry is errNoEntry; a corrupt one an error, and removed.
func TestReadMissesAndRemovesACorruptEntry(t *testing.T) {
	c := newDiskCache(t.TempDir(), []string{"/w"})
	k := cacheKey{7}
	if _, err := c.read(k); err != errNoEntry {
		t.Fatalf("no entry: %v", err)
	}
	if err := c.write(k, []entryFile{{path: "/w/a.json", size: 2, body: strings.NewReader("[]")}}); err != nil {
		t.Fatal(err)
	}
	if files, err := c.read(k); err != nil || len(files) != 1 || string(files[0].params) != "[]" {
		t.Fatalf("read %+v, %v", files, err)
	}
	if err := os.WriteFile(c.entryPath(k), []byte(cacheFormat+"short"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := c.read(k); err == nil || err == errNoEntry {
		t.Fatalf("corrupt: %v", err)
	}
	if _, err := os.Stat(c.entryPath(k)); !os.IsNotExist(err) {
		t.Errorf("the corrupt entry is still there: %v", err)
	}
}

// keepOnly leaves the workspace the entries kept, and the cache the
// cacheWorkspaces most recently used workspaces.
func TestKeepOnlyBoundsTheCache(t *testing.T) {
	base := t.TempDir()
	old := time.Now().Add(-time.Hour)
	for i := range cacheWorkspaces + 2 {
		other := newDiskCache(base, []string{filepath.Join("/other", string(rune('a'+i)))})
		if err := os.MkdirAll(other.dir, 0o700); err != nil {
			t.Fatal(err)
		}
		at := old.Add(time.Duration(i) * time.Minute)
		if err := os.Chtimes(other.dir, at, at); err != nil {
			t.Fatal(err)
		}
	}
	c := newDiskCache(base, []string{"/w"})
	stale, fresh := cacheKey{1}, cacheKey{2}
	for _, k := range []cacheKey{stale, fresh} {
		if err := c.write(k, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.keepOnly(map[cacheKey]bool{fresh: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(c.entryPath(stale)); !os.IsNotExist(err) {
		t.Errorf("the stale entry is kept: %v", err)
	}
	if _, err := os.Stat(c.entryPath(fresh)); err != nil {
		t.Errorf("the fresh entry is gone: %v", err)
	}
	workspaces, _ := os.ReadDir(filepath.Dir(c.dir))
	if len(workspaces) != cacheWorkspaces {
		t.Fatalf("%d workspaces kept, want %d", len(workspaces), cacheWorkspaces)
	}
	for i := range 3 { // the oldest others
		if _, err := os.Stat(newDiskCache(base, []string{filepath.Join("/other", string(rune('a'+i)))}).dir); !os.IsNotExist(err) {
			t.Errorf("workspace %d of the oldest is kept", i)
		}
	}
}
