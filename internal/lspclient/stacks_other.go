//go:build !unix

package lspclient

import "time"

// Stacks is the server's log: only a Unix server prints its goroutines'
// stacks on a signal.
func (c *Client) Stacks(time.Duration) string { return c.Log() }
