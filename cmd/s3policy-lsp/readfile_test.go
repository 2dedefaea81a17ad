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

// readableFile, which check asks of each candidate .s3policy.json
// instead of reading it, answers as os.ReadFile succeeds or fails: a
// file, a link to one, a folder of that name, a missing file and a link
// to nothing.
func TestReadableFileAsReadFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	folder := filepath.Join(dir, "folder")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	link, dangling := filepath.Join(dir, "link"), filepath.Join(dir, "dangling")
	if err := os.Symlink(file, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	if err := os.Symlink(filepath.Join(dir, "none"), dangling); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{file: true, link: true, folder: false, filepath.Join(dir, "missing"): false, dangling: false}
	for path, readable := range want {
		_, err := os.ReadFile(path)
		if got := readableFile(path); got != readable || got != (err == nil) {
			t.Errorf("readableFile(%s) = %v; want %v (os.ReadFile: %v)", filepath.Base(path), got, readable, err)
		}
	}
}
