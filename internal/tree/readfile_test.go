package tree

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// ReadFileInto reads every byte of a file whatever size the walk saw (the
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
			got, err := ReadFileInto(path, buf, size)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("%d bytes, size %d: read %d bytes, %v", n, size, len(got), err)
			}
			buf = got
		}
	}
	missing := filepath.Join(dir, "missing.json")
	_, err := ReadFileInto(missing, buf, 10)
	_, osErr := os.Open(missing)
	if err == nil || err.Error() != osErr.Error() {
		t.Errorf("a missing file: %v, want %v", err, osErr)
	}
	_, err = ReadFileInto(dir, buf, 0)
	f, _ := os.Open(dir)
	_, osErr = f.Read(make([]byte, 10))
	f.Close()
	if err == nil || err.Error() != osErr.Error() {
		t.Errorf("a folder: %v, want %v", err, osErr)
	}
}

// A Loader reading from the disk reads every byte of a file whatever size
// the walk saw (readListed sizes its buffer from it): the file may have
// changed since the walk, or the walk did not stat it (a link, size 0).
func TestLoaderReadsTheWholeFileWhateverTheWalksSize(t *testing.T) {
	dir := t.TempDir()
	config := filepath.Join(dir, ".s3policy.json")
	path := filepath.Join(dir, "p.iam-policy.json")
	policy := []byte(`{"Version": "2012-10-17", "Statement": {"Sid": "Read", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}}`)
	for _, f := range []struct {
		path string
		text []byte
	}{{config, []byte("{}")}, {path, policy}} {
		if err := os.WriteFile(f.path, f.text, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	n := int64(len(policy))
	for _, size := range []int64{n, 0, n / 2, n - 1, n + 1, 2 * n} {
		l := NewLoader(dir, Disk{})
		f := Listed{Path: path, Root: dir, Config: config, Size: size}
		l.Expect(f)
		text, _ := l.Read(f)
		if !bytes.Equal(text, policy) {
			t.Errorf("size %d: read %q", size, text)
		}
		c := l.Done(dir)
		if c == nil || len(c.Sets) != 1 {
			t.Fatalf("size %d: the set did not complete: %+v", size, c)
		}
		if _, src := SetOf(c.Sets, path); src == nil || len(src.Docs) != 1 || src.Docs[0].Policy.Statements[0].SidText() != "Read" {
			t.Errorf("size %d: the set's file was not parsed from its whole text: %+v", size, src)
		}
	}
}
