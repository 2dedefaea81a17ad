package lsp

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
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
	e, err := c.open(k)
	if err != nil {
		return nil, err
	}
	defer e.close()
	var files []cachedFile
	for {
		f, _, err := e.next()
		if err == io.EOF {
			return files, nil
		}
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
}

// entryReader reads an entry's files one at a time, as encodeEntry laid
// them out, without holding the entry whole: the loose entry of a large
// ungoverned tree is tens of megabytes. The entry's checksum is known
// only at its end, after the files were used: whoever uses one checks it
// by itself first (its params' hash).
type entryReader struct {
	f    *os.File
	r    *bufio.Reader // the entry up to its checksum, hashed as it is read
	sum  hash.Hash
	at   int64  // offset in the file of what r reads next
	end  int64  // where the checksum begins
	left uint64 // files not read yet
}

// open opens the entry with key k and reads its head; any error is a
// miss (errNoEntry when there is none), and an entry of another format
// or key is removed, as read does.
func (c *diskCache) open(k cacheKey) (*entryReader, error) {
	f, err := os.Open(c.entryPath(k))
	if errors.Is(err, os.ErrNotExist) {
		return nil, errNoEntry
	}
	if err != nil {
		return nil, err
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	e := &entryReader{f: f, sum: sha256.New(), end: info.Size() - sha256.Size}
	e.r = bufio.NewReaderSize(io.TeeReader(io.LimitReader(f, max(e.end, 0)), e.sum), 64<<10)
	why := ""
	head, err := e.bytes(uint64(len(cacheFormat) + len(k)))
	switch {
	case err != nil || string(head[:len(cacheFormat)]) != cacheFormat:
		why = "not an entry of this format"
	case !bytes.Equal(head[len(cacheFormat):], k[:]):
		why = "holds another key"
	default:
		if e.left, err = binary.ReadUvarint(e); err != nil || e.left > uint64(e.end) {
			why = "bad file count"
		}
	}
	if why != "" {
		defer e.close()
		return nil, e.corrupt(errors.New(why))
	}
	return e, nil
}

// next returns the entry's next file and the offset of its params in the
// entry's file; io.EOF once every file is read and the checksum matches.
// Any other error is a corrupt entry, which is removed.
func (e *entryReader) next() (cachedFile, int64, error) {
	if e.left == 0 {
		if e.at != e.end {
			return cachedFile{}, 0, e.corrupt(errors.New("trailing bytes"))
		}
		got := make([]byte, sha256.Size)
		if _, err := e.f.ReadAt(got, e.end); err != nil || !bytes.Equal(got, e.sum.Sum(nil)) {
			return cachedFile{}, 0, e.corrupt(errors.New("checksum mismatch (truncated or corrupt)"))
		}
		return cachedFile{}, 0, io.EOF
	}
	e.left--
	n, err := binary.ReadUvarint(e)
	path, perr := e.bytes(n)
	hash, herr := e.bytes(8)
	if err != nil || perr != nil || herr != nil {
		return cachedFile{}, 0, e.corrupt(errors.New("bad path (truncated or corrupt)"))
	}
	n, err = binary.ReadUvarint(e)
	at := e.at
	params, perr := e.bytes(n)
	if err != nil || perr != nil {
		return cachedFile{}, 0, e.corrupt(errors.New("bad diagnostics (truncated or corrupt)"))
	}
	return cachedFile{string(path), binary.LittleEndian.Uint64(hash), params}, at, nil
}

// ReadByte reads one byte of the entry (a varint's), for
// binary.ReadUvarint.
func (e *entryReader) ReadByte() (byte, error) {
	b, err := e.r.ReadByte()
	if err == nil {
		e.at++
	}
	return b, err
}

// bytes reads the next n bytes of the entry; a length past its end is an
// error, not an allocation.
func (e *entryReader) bytes(n uint64) ([]byte, error) {
	if n > uint64(max(e.end-e.at, 0)) {
		return nil, io.ErrUnexpectedEOF
	}
	b := make([]byte, n)
	if _, err := io.ReadFull(e.r, b); err != nil {
		return nil, err
	}
	e.at += int64(n)
	return b, nil
}

// corrupt removes the entry and returns why it is a miss. The file stays
// open: the files read before were checked one by one, and may be copied
// from it into the next entry.
func (e *entryReader) corrupt(why error) error {
	_ = os.Remove(e.f.Name())
	return fmt.Errorf("%s: %w", e.f.Name(), why)
}

// close closes the entry's file: what was read from it is not read again.
func (e *entryReader) close() { _ = e.f.Close() }

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
