package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/awsimport"
)

// runImport builds a workspace from saved AWS CLI output. It writes the
// whole workspace to a new folder beside --out and then puts it in
// place, so that a failure leaves --out as it was.
func runImport(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "aws-workspace", "the workspace folder to write (replaced if an earlier import wrote it)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: s3policy-lsp import [--out DIR] FILE|FOLDER...")
		fmt.Fprintln(stderr, "Reads the saved output of read-only AWS CLI commands (see the README) and writes policy files and .s3policy.json.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	fail := func(err error) int {
		fmt.Fprintf(stderr, "s3policy-lsp import: %v\n", err)
		return exitUsage
	}
	if fs.NArg() == 0 {
		return fail(errors.New("give the files (or folders) of saved AWS CLI output"))
	}
	inputs, err := readInputs(fs.Args())
	if err != nil {
		return fail(err)
	}
	res, err := awsimport.Build(inputs)
	if err != nil {
		return fail(err)
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(stderr, "s3policy-lsp import: %s\n", w)
	}
	if err := replaceFolder(*out, res.Files); err != nil {
		return fail(err)
	}
	fmt.Fprintf(stdout, "%s: %d files from %d outputs\n", *out, len(res.Files), len(inputs))
	return exitOK
}

// readInputs reads the named files, and the .json files under the named
// folders, in order.
func readInputs(paths []string) ([]awsimport.Input, error) {
	var inputs []awsimport.Input
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, err
		}
		files := []string{p}
		if info.IsDir() {
			files = nil
			err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() && strings.HasSuffix(path, ".json") {
					files = append(files, path)
				}
				return err
			})
			if err != nil {
				return nil, err
			}
			sort.Strings(files)
		}
		for _, f := range files {
			src, err := os.ReadFile(f)
			if err != nil {
				return nil, err
			}
			inputs = append(inputs, awsimport.Input{Path: f, Src: src})
		}
	}
	return inputs, nil
}

// replaceFolder writes files into a fresh folder beside dir, then swaps
// it in. An existing dir is replaced only when an earlier import wrote
// it (it holds .s3policy.json) or it is empty: nothing else is deleted.
func replaceFolder(dir string, files map[string][]byte) error {
	dir = filepath.Clean(dir)
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		if _, err := os.Stat(filepath.Join(dir, analysis.ConfigName)); err != nil {
			return fmt.Errorf("%s exists and holds no %s: not replacing a folder an import did not write", dir, analysis.ConfigName)
		}
	}
	parent := filepath.Dir(dir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return err
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(dir)+".import-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp) // gone once renamed; removes a half-written folder
	for rel, src := range files {
		path := filepath.Join(tmp, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, src, 0o644); err != nil {
			return err
		}
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	old := tmp + ".old"
	if err := os.Rename(dir, old); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.Rename(old, dir) // put the earlier import back
		return err
	}
	return os.RemoveAll(old)
}
