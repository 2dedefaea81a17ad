package tree

import "slices"

// readListed reads a file the walk listed. From the disk, it reads with
// ReadFileInto into a buffer of the size the walk saw and one byte more
// (three system calls, where os.ReadFile makes nine: the first scan and
// check read every file of a governed tree here); the buffer is the
// file's text, kept with its set, so it is not reused. Without a size
// (a link), or from other Files, it reads as ReadFile does.
func readListed(files Files, f Listed) ([]byte, error) {
	if _, ok := files.(Disk); ok && f.Size > 0 {
		return ReadFileInto(f.Path, nil, f.Size)
	}
	return files.ReadFile(f.Path)
}

// readRoom makes room in buf for a file of size bytes and one more (a
// read that returns less has reached the end), when the walk saw its size;
// growRead doubles a full buffer, to at least 16 KB.
func readRoom(buf []byte, size int64) []byte {
	if size > 0 && size < MaxFileSize && int64(cap(buf)) <= size {
		return slices.Grow(buf[:0], int(size)+1)
	}
	return buf[:0]
}

func growRead(buf []byte) []byte { return slices.Grow(buf, max(cap(buf), 16<<10)) }
