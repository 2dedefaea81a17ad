package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/internal/tree"
	"github.com/s3policy-lsp/s3policy-lsp/lsp/mapper"
)

// listed is one policy that list prints: where its document starts in
// the host file (1-based line, 1-based UTF-16 column), its kind and how
// it was decided, and where it sits in the host.
type listed struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	Kind   string `json:"kind"`
	// Reason is how the kind was decided: the use that gives it
	// ("aws_s3_bucket_policy.b.policy", "... in main.tf" for a file a
	// Terraform module reads), else ".s3policy.json", "file name" or
	// "content".
	Reason string `json:"reason,omitempty"`
	Name   string `json:"name"`
	// fromUse is set when the kind comes from the host's use of the
	// document.
	fromUse bool
}

// runList prints every policy the readers find in the paths: how a user
// sees what the tool recognised, and how tests see it.
func runList(args []string, stdout, stderr io.Writer) int {
	fset := flag.NewFlagSet("list", flag.ContinueOnError)
	fset.SetOutput(stderr)
	format := fset.String("format", "text", "output format: text or json")
	fset.Usage = func() {
		fmt.Fprintln(stderr, "usage: s3policy-lsp list [--format text|json] PATH...")
		fset.PrintDefaults()
	}
	if err := fset.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *format != "text" && *format != "json" {
		fmt.Fprintf(stderr, "s3policy-lsp list: unknown --format %q; use text or json\n", *format)
		return exitUsage
	}
	if fset.NArg() == 0 {
		fset.Usage()
		return exitUsage
	}
	l := &lister{configs: map[string]*analysis.Config{}, stderr: stderr, out: []listed{}}
	l.cwd, _ = os.Getwd()
	for _, p := range fset.Args() {
		l.listPath(p)
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(l.out); err != nil {
			return exitUsage
		}
	} else {
		for _, e := range l.out {
			fmt.Fprintln(stdout, textLine(e))
		}
	}
	if l.ioErrors > 0 {
		return exitUsage
	}
	return exitOK
}

// textLine is how the text format prints a policy. A whole file whose
// kind comes from its use elsewhere (a Terraform module's file()) says
// which use: nothing in the file itself does.
func textLine(e listed) string {
	line := strings.TrimSuffix(fmt.Sprintf("%s:%d:%d: %s %s", e.File, e.Line, e.Column, kindName(e.Kind), e.Name), " ")
	if e.Name == "" && e.fromUse {
		line += " (" + e.Reason + ")"
	}
	return line
}

func kindName(k string) string {
	if k == "" {
		return "unknown"
	}
	return k
}

type lister struct {
	cwd      string
	stderr   io.Writer
	configs  map[string]*analysis.Config // by config path
	out      []listed
	ioErrors int
}

func (l *lister) ioError(path string, err error) {
	fmt.Fprintf(l.stderr, "s3policy-lsp list: %s: %v\n", displayPath(l.cwd, path), err)
	l.ioErrors++
}

// listPath lists a file, or every file of a folder that tree.Scan reads.
func (l *lister) listPath(arg string) {
	abs, err := filepath.Abs(arg)
	if err != nil {
		l.ioError(arg, err)
		return
	}
	info, err := os.Stat(abs)
	if err != nil {
		l.ioError(abs, err)
		return
	}
	if !info.IsDir() {
		l.listFile(abs, filepath.Dir(abs), nil)
		return
	}
	paths, skipped, err := tree.Scan(abs)
	if err != nil {
		l.ioError(abs, err)
	}
	// A Terraform module (and what a .s3policy.json governs) is read as a
	// whole: a policy's kind may come from a resource in another file.
	sets := tree.GovernedOf(abs, paths, tree.Disk{})
	for _, sk := range skipped {
		if sk.Err != nil {
			l.ioError(sk.Path, sk.Err)
		}
	}
	for _, p := range paths {
		if !tree.IsConfig(p) {
			l.listFile(p, abs, sets)
		}
	}
}

func (l *lister) listFile(abs, stop string, sets []*tree.Set) {
	_, src := tree.SetOf(sets, abs)
	if src == nil {
		text, err := os.ReadFile(abs)
		if err != nil {
			l.ioError(abs, err)
			return
		}
		src = tree.Read(filepath.ToSlash(abs), text, l.config(abs, stop))
	}
	text := src.Text
	docs := slices.Clone(src.Docs)
	slices.SortStableFunc(docs, func(a, b *analysis.File) int { return a.Start() - b.Start() })
	var m *mapper.Mapper
	for _, d := range docs {
		if !d.IsPolicyFile() {
			continue
		}
		if m == nil {
			m = mapper.New(text)
		}
		line, col := m.LineCol(d.Start())
		l.out = append(l.out, listed{File: displayPath(l.cwd, abs), Line: line, Column: col, Kind: string(d.Kind), Reason: kindReason(d), Name: d.DocName, fromUse: d.KindSource == analysis.FromHost})
	}
}

// config is the parsed .s3policy.json that governs a file, or nil.
func (l *lister) config(abs, stop string) *analysis.Config {
	p := tree.FindConfig(tree.Disk{}, abs, stop)
	if p == "" {
		return nil
	}
	if cfg, ok := l.configs[p]; ok {
		return cfg
	}
	var cfg *analysis.Config
	if text, err := os.ReadFile(p); err == nil {
		cfg, _ = analysis.ParseConfig(filepath.ToSlash(filepath.Dir(p)), text)
	}
	l.configs[p] = cfg
	return cfg
}

// kindReason says how a document's kind was decided.
func kindReason(d *analysis.File) string {
	if d.KindSource == analysis.FromHost {
		return d.KindReason
	}
	return string(d.KindSource)
}
