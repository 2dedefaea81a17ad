package terraform

import (
	"os"
	"path/filepath"
	"testing"
)

func benchDir(b *testing.B, dir string) {
	paths, _ := filepath.Glob(filepath.Join("../../../examples/terraform", dir, "*.tf*"))
	files := map[string][]byte{}
	for _, p := range paths {
		t, _ := os.ReadFile(p)
		files[p] = t
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		ReadModule(files, "")
	}
}
func BenchmarkZZJSON(b *testing.B) { benchDir(b, "json-syntax") }
func BenchmarkZZHCL(b *testing.B)  { benchDir(b, "kms-missing-actions") }
