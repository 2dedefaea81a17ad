//go:build unix

package tree

import (
	"io/fs"
	"syscall"
)

// ReadFileInto reads a whole file into buf, grown as needed, and returns
// it, with three system calls: open, one read, close. os.Open offers each
// file to the runtime's poller (four fcntl and an epoll_ctl that fails
// for a regular file) and os.ReadFile stats it; a read into room for one
// byte more than size (the walk's lstat) that returns size bytes has
// reached the end. Without a size, or when the file changed since, it
// reads to a read of 0 bytes, as os.ReadFile does. Errors are
// os.Open's and os.File.Read's.
func ReadFileInto(path string, buf []byte, size int64) ([]byte, error) {
	fd, err := openReadOnly(path)
	if err != nil {
		return buf[:0], &fs.PathError{Op: "open", Path: path, Err: err}
	}
	defer syscall.Close(fd)
	buf = readRoom(buf, size)
	for {
		if len(buf) == cap(buf) {
			buf = growRead(buf)
		}
		n, err := syscall.Read(fd, buf[len(buf):cap(buf)])
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return buf, &fs.PathError{Op: "read", Path: path, Err: err}
		}
		buf = buf[:len(buf)+n]
		if n == 0 || size > 0 && int64(len(buf)) == size && len(buf) < cap(buf) {
			return buf, nil
		}
	}
}

// openReadOnly opens a file as os.Open does, without its poller.
func openReadOnly(path string) (int, error) {
	for {
		fd, err := syscall.Open(path, syscall.O_RDONLY|syscall.O_CLOEXEC, 0)
		if err != syscall.EINTR {
			return fd, err
		}
	}
}
