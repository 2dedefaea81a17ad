package main

import (
	"fmt"
	"io"
)

// runExplain is being written; see the open issue.
func runExplain(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "s3policy-lsp: explain is not built yet")
	return exitUsage
}
