package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// readFileInto reads every byte of a file whatever size the walk saw (the
// file may have grown or shrunk since, or the size is unknown), into a
// buffer reused from file to file, and fails as os.Open and os.File.Read
// do, with their messages.
func TestReadFileIntoReadsTheWholeFile(t *testing.T) {
	dir := t.TempDir()
	var buf []byte
	for _, n := range []int{0, 1, 100, 16<<10 - 1, 16 << 10, 16<<10 + 1, 100 << 10} {
		want := bytes.Repeat([]byte("0123456789abcdef\n"), n/17+1)[:n]
		path := filepath.Join(dir, "f.json")
		if err := os.WriteFile(path, want, 0o600); err != nil {
			t.Fatal(err)
		}
		for _, size := range []int64{int64(n), 0, int64(n) / 2, int64(n) + 1, 2*int64(n) + 5} {
			got, err := readFileInto(path, buf, size)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%d bytes, size %d: read %d bytes, %v", n, size, len(got), err)
			}
			buf = got
		}
	}
	missing := filepath.Join(dir, "missing.json")
	_, err := readFileInto(missing, buf, 10)
	_, osErr := os.Open(missing)
	if err == nil || err.Error() != osErr.Error() {
		t.Errorf("a missing file: %v, want %v", err, osErr)
	}
	_, err = readFileInto(dir, buf, 0)
	f, _ := os.Open(dir)
	_, osErr = f.Read(make([]byte, 10))
	f.Close()
	if err == nil || err.Error() != osErr.Error() {
		t.Errorf("a folder: %v, want %v", err, osErr)
	}
}
