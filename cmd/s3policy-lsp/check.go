package main

import (
	"fmt"
	"io"
)

// runCheck is being written; see the open issue.
func runCheck(args []string, stdout, stderr io.Writer) int {
	fmt.Fprintln(stderr, "s3policy-lsp: check is not built yet")
	return exitUsage
}
