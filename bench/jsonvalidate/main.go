// Command jsonvalidate is the workspace benchmark's yardstick: a
// single-threaded Go program (GOMAXPROCS 1, so its garbage collector does
// not borrow the other core) that only walks a folder, reads every .json
// file and checks that it is valid JSON.
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
)

func main() {
	runtime.GOMAXPROCS(1)
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: jsonvalidate DIR")
		os.Exit(2)
	}
	files, invalid := 0, 0
	err := filepath.WalkDir(os.Args[1], func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		src, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files++
		if !json.Valid(src) {
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
