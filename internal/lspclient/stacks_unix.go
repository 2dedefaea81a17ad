//go:build unix

package lspclient

import (
	"syscall"
	"time"
)

// Stacks has the server, a Go program, print the stack of each of its
// goroutines and exit (SIGQUIT), waiting at most wait for it, and returns
// its whole log then: what a server that stopped answering waits on.
func (c *Client) Stacks(wait time.Duration) string {
	select {
	case <-c.exited:
	default:
		_ = c.cmd.Process.Signal(syscall.SIGQUIT)
		select {
		case <-c.exited:
		case <-time.After(wait):
		}
	}
	return c.Log()
}
