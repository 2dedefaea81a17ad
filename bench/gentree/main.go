// Command gentree writes a tree of generated policy files for the
// workspace benchmark: mixed kinds (by file-name suffix), sizes spread
// evenly between 1 and 20 KB, 100 files a folder, the same tree for the
// same seed. With -governed it writes a governed folder instead (package
// bench/governed: one .s3policy.json at the root naming every file's kind
// and owner); with -varied, a governed folder varied where the cross-file
// evaluation could key too little (bench/governed.WriteVaried: Not*,
// conditions, allow-list SCPs, RCPs, boundaries, ...; -nested, -escapes),
// to compare check's output on before and after a change of the engine;
// with -hosts, CloudFormation templates and Terraform modules; with
// -buckets, Terraform modules of buckets and no policy.
//
//	go run ./bench/gentree -dir /tmp/tree -n 10000
//	go run ./bench/gentree -dir /tmp/gov -n 1000 -governed
//	go run ./bench/gentree -dir /tmp/var -n 1000 -varied -seed 21 -nested -escapes
//	go run ./bench/gentree -dir /tmp/hosts -n 2000 -hosts
//	go run ./bench/gentree -dir /tmp/buckets -n 1000 -buckets
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/policygen"
	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

func main() {
	dir := flag.String("dir", "", "folder to write into (created)")
	n := flag.Int("n", 10_000, "number of files")
	seed := flag.Uint64("seed", 1, "seed")
	isGoverned := flag.Bool("governed", false, "write a governed folder (bench/governed)")
	isVaried := flag.Bool("varied", false, "write a varied governed folder (bench/governed.WriteVaried): compare check's outputs on it too, the plain governed folder hides evaluation faults")
	isNested := flag.Bool("nested", false, "with -varied: team-001 under a .s3policy.json of its own with other facts")
	hasEscapes := flag.Bool("escapes", false, "with -varied: 15 % of the bucket policies name a grantee or the bucket with a JSON \\u escape")
	isHosts := flag.Bool("hosts", false, "write CloudFormation templates and Terraform modules instead of .json policies")
	isBuckets := flag.Bool("buckets", false, "write Terraform modules of buckets and no policy, as -n modules")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "usage: gentree -dir DIR [-n 10000] [-seed 1] [-governed | -varied [-nested] [-escapes] | -hosts | -buckets]")
		os.Exit(2)
	}
	if *isGoverned {
		l, err := governed.Write(*dir, *n)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gentree:", err)
			os.Exit(1)
		}
		fmt.Printf("gentree: %d governed files, %.1f MB in %s; edited: %s, %s\n", l.Files, float64(l.Bytes)/1e6, *dir, l.Identity, l.Bucket)
		return
	}
	if *isVaried {
		l, err := governed.WriteVaried(*dir, *n, governed.Varied{Seed: *seed, Nested: *isNested, Escapes: *hasEscapes})
		if err != nil {
			fmt.Fprintln(os.Stderr, "gentree:", err)
			os.Exit(1)
		}
		fmt.Printf("gentree: %d varied governed files, %.1f MB in %s\n", l.Files, float64(l.Bytes)/1e6, *dir)
		return
	}
	gen := write
	switch {
	case *isHosts:
		gen = writeHosts
	case *isBuckets:
		gen = writeBucketModules
	}
	if err := gen(*dir, *n, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gentree:", err)
		os.Exit(1)
	}
}

func write(dir string, n int, seed uint64) error {
	r := rand.New(rand.NewPCG(seed, 2))
	var total int64
	for i := range n {
		kind := policygen.Kinds[i%len(policygen.Kinds)]
		size := 1<<10 + r.IntN(19<<10)
		sub := filepath.Join(dir, fmt.Sprintf("team-%03d", i/100))
		if err := os.MkdirAll(sub, 0o755); err != nil {
			return err
		}
		src := policygen.Generate(kind.Name, size, seed+uint64(i))
		total += int64(len(src))
		if err := os.WriteFile(filepath.Join(sub, fmt.Sprintf("policy-%05d%s", i, kind.Suffix)), src, 0o644); err != nil {
			return err
		}
	}
	fmt.Printf("gentree: %d files, %.1f MB in %s\n", n, float64(total)/1e6, dir)
	return nil
}
