// Command jsonvalidate is the workspace benchmark's yardstick: a
// single-threaded Go program (GOMAXPROCS 1, so its garbage collector does
// not borrow the other core) that only walks a folder, reads every .json
// file and checks that it is valid JSON; .yaml templates and .tf files are
// parsed with the libraries the tool reads them with (go.yaml.in/yaml/v3,
// hclsyntax), so that a tree of templates has a yardstick too.
//
//	go run ./bench/jsonvalidate /tmp/tree
package main

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"go.yaml.in/yaml/v3"
)

func main() {
	runtime.GOMAXPROCS(1)
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: jsonvalidate DIR")
		os.Exit(2)
	}
	files, invalid := 0, 0
	err := filepath.WalkDir(os.Args[1], func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		valid := validator(p)
		if valid == nil {
			return nil
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		if !valid(p, src) {
			invalid++
		}
		return nil
	})
	if err != nil {
		fmt.Fprintln(os.Stderr, "jsonvalidate:", err)
		os.Exit(1)
	}
	fmt.Printf("jsonvalidate: %d files, %d invalid\n", files, invalid)
}

// validator returns the check of a file's syntax by its name, or nil for
// a file the benchmark does not read.
func validator(path string) func(string, []byte) bool {
	switch {
	case strings.HasSuffix(path, ".json"):
		return func(_ string, src []byte) bool { return json.Valid(src) }
	case strings.HasSuffix(path, ".yaml"):
		return func(_ string, src []byte) bool {
			var n yaml.Node
			return yaml.Unmarshal(src, &n) == nil
		}
	case strings.HasSuffix(path, ".tf"):
		return func(p string, src []byte) bool {
			_, diags := hclsyntax.ParseConfig(src, p, hcl.InitialPos)
			return !diags.HasErrors()
		}
	}
	return nil
}
