package lsp

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The diagnostics cache on disk, as gopls keeps its file cache across
// runs (content-addressed, in the user's cache folder): what the first
// scan published for the closed files of each set root, in a file named
// by the hash of everything those bytes were made of (cacheKey). A server
// started again on a workspace it has seen unchanged publishes them as
// soon as the scan has read a root's files, before analysing them. An
// entry is the exact bytes or nothing: any doubt (a key that differs, a
// file that does not read back whole) is a miss.

// cacheFormat starts every entry; a change of the format changes it.
const cacheFormat = "s3policy-lsp diagnostics cache 2\n"

// cacheWorkspaces is how many workspaces keep their entries: the least
// recently scanned beyond it are removed.
const cacheWorkspaces = 5

// cacheEntryExt ends the name of an entry file.
const cacheEntryExt = ".diags"

// cacheKey is the hash of every input of a root's published diagnostics.
type cacheKey [sha256.Size]byte

func (k cacheKey) String() string { return hex.EncodeToString(k[:]) }

// cachedFile is one closed file's published diagnostics: the params of
// its textDocument/publishDiagnostics, byte for byte, and their hash
// (paramsHash), kept so that a warm start does not hash every file's
// params again as it publishes them.
type cachedFile struct {
	path   string
	hash   uint64
	params []byte
}

// diskCache is the folder of one workspace's entries under the cache's
// base folder.
type diskCache struct {
	base string // the cache's folder: every workspace's
	dir  string // this workspace's: base/v1/<hash of its folders>
}

// newDiskCache returns the cache of the workspace with the folders under
// base.
func newDiskCache(base string, folders []string) *diskCache {
	h := sha256.New()
	for _, f := range folders {
		writeField(h, []byte(f))
	}
	return &diskCache{base: base, dir: filepath.Join(base, "v1", hex.EncodeToString(h.Sum(nil)[:16]))}
}

// writeField writes a length-prefixed field to a hash, so that no two
// lists of fields hash alike.
func writeField(h interface{ Write([]byte) (int, error) }, b []byte) {
	var n [binary.MaxVarintLen64]byte
	_, _ = h.Write(n[:binary.PutUvarint(n[:], uint64(len(b)))])
	_, _ = h.Write(b)
}

func (c *diskCache) entryPath(k cacheKey) string {
	return filepath.Join(c.dir, k.String()+cacheEntryExt)
}

// errNoEntry is a miss: no entry has the key.
var errNoEntry = errors.New("no entry")

// read returns the files of the entry with key k; any error is a miss
// (errNoEntry when there is none). An entry that does not read back
// whole, or holds another key, is removed.
func (c *diskCache) read(k cacheKey) ([]cachedFile, error) {
	path := c.entryPath(k)
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNoEntry
	}
	if err != nil {
		return nil, err
	}
	files, err := decodeEntry(data, k)
	if err != nil {
		_ = os.Remove(path)
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return files, nil
}

// entryFile is a file to write into an entry: its path, the hash of its
// params, and its params, size bytes read from body.
type entryFile struct {
	path string
	hash uint64
	size int64
	body io.Reader
}

// encodeEntry writes an entry to w: the format, the key, the number of
// files, each file's path (length-prefixed), params' hash (8 bytes, little
// endian) and params (length-prefixed), and the SHA-256 of all that. It streams: the params are copied from their readers.
func encodeEntry(w io.Writer, k cacheKey, files []entryFile) error {
	sum := sha256.New()
	out := io.MultiWriter(w, sum)
	var n [binary.MaxVarintLen64]byte
	put := func(v uint64) error {
		_, err := out.Write(n[:binary.PutUvarint(n[:], v)])
		return err
	}
	if _, err := io.WriteString(out, cacheFormat); err != nil {
		return err
	}
	if _, err := out.Write(k[:]); err != nil {
		return err
	}
	if err := put(uint64(len(files))); err != nil {
		return err
	}
	for _, f := range files {
		if err := put(uint64(len(f.path))); err != nil {
			return err
		}
		if _, err := io.WriteString(out, f.path); err != nil {
			return err
		}
		if _, err := out.Write(binary.LittleEndian.AppendUint64(n[:0], f.hash)); err != nil {
			return err
		}
		if err := put(uint64(f.size)); err != nil {
			return err
		}
		if copied, err := io.Copy(out, io.LimitReader(f.body, f.size)); err != nil || copied != f.size {
			return fmt.Errorf("%s: %d of %d bytes: %v", f.path, copied, f.size, err)
		}
	}
	_, err := w.Write(sum.Sum(nil))
	return err
}

// decodeEntry reads an entry encodeEntry laid out, checking its format,
// its key and its checksum; the files' params are data's.
func decodeEntry(data []byte, k cacheKey) ([]cachedFile, error) {
	if len(data) < len(cacheFormat)+len(k)+sha256.Size || !bytes.HasPrefix(data, []byte(cacheFormat)) {
		return nil, errors.New("not an entry of this format")
	}
	body, sum := data[:len(data)-sha256.Size], data[len(data)-sha256.Size:]
	if got := sha256.Sum256(body); !bytes.Equal(got[:], sum) {
		return nil, errors.New("checksum mismatch (truncated or corrupt)")
	}
	rest := body[len(cacheFormat):]
	if !bytes.Equal(rest[:len(k)], k[:]) {
		return nil, errors.New("holds another key")
	}
	rest = rest[len(k):]
	n, rest, ok := uvarint(rest)
	if !ok || n > uint64(len(rest)) {
		return nil, errors.New("bad file count")
	}
	files := make([]cachedFile, 0, n)
	for range n {
		var path, params []byte
		if path, rest, ok = field(rest); !ok || len(rest) < 8 {
			return nil, errors.New("bad path")
		}
		hash := binary.LittleEndian.Uint64(rest)
		if params, rest, ok = field(rest[8:]); !ok {
			return nil, errors.New("bad diagnostics")
		}
		files = append(files, cachedFile{string(path), hash, params})
	}
	if len(rest) != 0 {
		return nil, errors.New("trailing bytes")
	}
	return files, nil
}

func uvarint(b []byte) (uint64, []byte, bool) {
	n, size := binary.Uvarint(b)
	if size <= 0 {
		return 0, b, false
	}
	return n, b[size:], true
}

// field reads a length-prefixed field.
func field(b []byte) (value, rest []byte, ok bool) {
	n, rest, ok := uvarint(b)
	if !ok || n > uint64(len(rest)) {
		return nil, b, false
	}
	return rest[:n], rest[n:], true
}

// write stores an entry atomically: a reader sees the whole entry or
// none (a temporary file renamed).
func (c *diskCache) write(k cacheKey, files []entryFile) error {
	if err := os.MkdirAll(c.dir, 0o700); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(c.dir, "entry-*.tmp")
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(tmp, 256<<10)
	err = encodeEntry(w, k, files)
	if err == nil {
		err = w.Flush()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), c.entryPath(k))
	}
	if err != nil {
		_ = os.Remove(tmp.Name())
	}
	return err
}

// keepOnly removes this workspace's entries other than keep (those of
// an earlier scan: a file changed since), and temporary files a server
// left a day ago or more; then marks the workspace used now and removes
// the least recently used workspaces beyond cacheWorkspaces.
func (c *diskCache) keepOnly(keep map[cacheKey]bool) error {
	entries, err := os.ReadDir(c.dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		name := e.Name()
		switch {
		case strings.HasSuffix(name, cacheEntryExt):
			k, err := hex.DecodeString(strings.TrimSuffix(name, cacheEntryExt))
			if err != nil || len(k) != len(cacheKey{}) || !keep[cacheKey(k)] {
				_ = os.Remove(filepath.Join(c.dir, name))
			}
		case strings.HasSuffix(name, ".tmp"):
			if info, err := e.Info(); err == nil && time.Since(info.ModTime()) > 24*time.Hour {
				_ = os.Remove(filepath.Join(c.dir, name))
			}
		}
	}
	now := time.Now()
	_ = os.Chtimes(c.dir, now, now)
	return evictWorkspaces(filepath.Dir(c.dir), cacheWorkspaces)
}

// evictWorkspaces removes the workspaces' folders under dir beyond the
// keep most recently used.
func evictWorkspaces(dir string, keep int) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	type used struct {
		name string
		at   time.Time
	}
	var all []used
	for _, e := range entries {
		if info, err := e.Info(); err == nil && e.IsDir() {
			all = append(all, used{e.Name(), info.ModTime()})
		}
	}
	slices.SortFunc(all, func(a, b used) int { return b.at.Compare(a.at) })
	for _, u := range all[min(keep, len(all)):] {
		_ = os.RemoveAll(filepath.Join(dir, u.name))
	}
	return nil
}
