package main

import (
	"fmt"
	"io"
)

// runServe is being written; see the open issue.
func runServe(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "s3policy-lsp: serve is not built yet")
	return exitUsage
}
