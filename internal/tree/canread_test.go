package tree

import (
	"os"
	"path/filepath"
	"testing"
)

// Disk's CanRead, which finding a .s3policy.json asks of each candidate
// instead of reading it, answers as ReadFile succeeds or fails: a file, a
// link to one, a folder of that name, a missing file and a link to
// nothing.
func TestDiskCanReadAsReadFile(t *testing.T) {
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
		_, err := Disk{}.ReadFile(path)
		if got := (Disk{}).CanRead(path); got != readable || got != (err == nil) {
			t.Errorf("CanRead(%s) = %v; want %v (ReadFile: %v)", filepath.Base(path), got, readable, err)
		}
	}
}

// FindConfig takes the nearest .s3policy.json up to stop, on the disk or
// in an open buffer not yet saved.
func TestFindConfig(t *testing.T) {
	root := t.TempDir()
	deep := filepath.Join(root, "a", "b")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	onDisk := filepath.Join(root, "a", ".s3policy.json")
	if err := os.WriteFile(onDisk, []byte(`{}`), 0o644); err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(deep, "p.json")
	if got := FindConfig(Disk{}, file, root); got != onDisk {
		t.Errorf("FindConfig = %q, want %q", got, onDisk)
	}
	if got := FindConfig(Disk{}, file, deep); got != "" {
		t.Errorf("FindConfig must stop at %s, found %q", deep, got)
	}
	unsaved := filepath.Join(deep, ".s3policy.json")
	overlay := Overlay{Buffers: map[string][]byte{unsaved: []byte(`{}`)}, Under: Disk{}}
	if got := FindConfig(overlay, file, root); got != unsaved {
		t.Errorf("FindConfig over an open buffer = %q, want %q", got, unsaved)
	}
	if got := FindConfig(Overlay{Under: Disk{}}, file, root); got != onDisk {
		t.Errorf("FindConfig over no buffer = %q, want %q", got, onDisk)
	}
}
