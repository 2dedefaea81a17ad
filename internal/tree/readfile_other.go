//go:build !unix

package tree

import (
	"io"
	"os"
)

// ReadFileInto reads a whole file into buf, grown as needed, and returns
// it: os.ReadFile without a new buffer (nor its stat) for each file; size
// (the walk's, 0 for unknown) sizes the buffer.
func ReadFileInto(path string, buf []byte, size int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return buf[:0], err
	}
	defer f.Close()
	buf = readRoom(buf, size)
	for {
		if len(buf) == cap(buf) {
			buf = growRead(buf)
		}
		n, err := f.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}
