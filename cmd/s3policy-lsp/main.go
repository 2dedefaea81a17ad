// Command s3policy-lsp is a language server and a checker for S3 bucket,
// IAM, KMS key, VPC endpoint, SCP, RCP, session and boundary policies: it
// says why a request across accounts is denied, while the policy is typed.
//
//	s3policy-lsp [serve]              speak LSP on stdin/stdout
//	s3policy-lsp check [flags] PATH...
//	s3policy-lsp explain [flags] [DIR]
//	s3policy-lsp list [--format text|json] PATH...
//	s3policy-lsp import [--out DIR] FILE...
//	s3policy-lsp version
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit codes of every subcommand.
const (
	exitOK       = 0
	exitFindings = 1 // check: a finding reached --fail-on; explain: denied
	exitUsage    = 2 // bad flags, unreadable files
)

type command struct {
	summary string
	run     func(args []string, stdout, stderr io.Writer) int
}

var commands = map[string]command{
	"serve":   {"run the language server on stdin/stdout (the default)", runServe},
	"check":   {"analyse policy files and folders, for CI", runCheck},
	"explain": {"say why a request is allowed or denied across a workspace's policies", runExplain},
	"list":    {"print every policy found in files and folders, with its kind and place", runList},
	"import":  {"build a workspace from saved AWS CLI output", runImport},
	"version": {"print the version", runVersion},
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		return runServe(nil, stdout, stderr)
	}
	name := args[0]
	if name == "-h" || name == "--help" || name == "help" {
		usage(stdout)
		return exitOK
	}
	if name == "--stdio" { // what some clients add by habit
		return runServe(args[1:], stdout, stderr)
	}
	cmd, ok := commands[name]
	if !ok {
		fmt.Fprintf(stderr, "s3policy-lsp: unknown command %q\n\n", name)
		usage(stderr)
		return exitUsage
	}
	return cmd.run(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: s3policy-lsp [command] [flags]")
	fmt.Fprintln(w)
	for _, name := range []string{"serve", "check", "explain", "import", "list", "version"} {
		fmt.Fprintf(w, "  %-8s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nRun 's3policy-lsp COMMAND -h' for the flags of a command.")
}
