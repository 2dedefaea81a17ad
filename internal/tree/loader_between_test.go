package tree

import (
	"fmt"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/hosts"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// The deferred parse (Later) calls BetweenFiles before each file it
// parses, on every goroutine it parses on: no file is parsed before as
// many calls as files parsed so far, and a set of 300 files makes 300
// calls. A parse as each file is read (not Later) makes none: the server's
// readers yield before each file themselves.
func TestTheDeferredParseCallsBetweenFilesBeforeEachFile(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(runtime.GOMAXPROCS(0), 2)))
	dir, _ := writeIdentityPolicies(t, 300)
	var mu sync.Mutex
	between := 0
	parsed := map[string]bool{}
	var early []string // files parsed with fewer calls before them than files parsed
	all := hosts.All
	hosts.All = append([]*source.Reader{{Name: "watching", Extensions: []string{".json"},
		Claims: func(path string, _ []byte) bool {
			if strings.HasSuffix(path, ".iam-policy.json") {
				mu.Lock()
				parsed[path] = true
				if between < len(parsed) {
					early = append(early, filepath.Base(path))
				}
				mu.Unlock()
			}
			return false
		}}}, all...)
	t.Cleanup(func() { hosts.All = all })
	for _, later := range []bool{true, false} {
		t.Run(fmt.Sprintf("Later %v", later), func(t *testing.T) {
			between, parsed, early = 0, map[string]bool{}, nil
			l := NewLoader(dir, Disk{})
			l.Later = later
			l.BetweenFiles = func() { mu.Lock(); between++; mu.Unlock() }
			c := loadAll(t, l, dir)
			if c == nil || len(c.Sets) != 1 || len(c.Sets[0].Sources()) != 300 {
				t.Fatalf("completed %+v, want one set of 300 files", c)
			}
			want := 0
			if later {
				want = 300
			}
			if between != want || len(parsed) != 300 {
				t.Errorf("BetweenFiles called %d times for %d files parsed, want %d", between, len(parsed), want)
			}
			if later && len(early) > 0 {
				t.Errorf("%d files parsed before their call to BetweenFiles, the first %q", len(early), early[0])
			}
		})
	}
}
