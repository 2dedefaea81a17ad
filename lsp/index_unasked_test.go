package lsp

import (
	"bytes"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// A keystroke that moves a bucket's facts (its name typed on) leaves
// unasked the principals nobody asked for whose grants it cannot change,
// as a keystroke that changes none of their inputs does
// (TestAnEditAnswersNoPrincipalNobodyAskedFor): their answers are made
// on the next analysis that needs them, of the facts after the keystroke.
// The principal a bucket policy naming the bucket grants to is answered
// (its grant's owner moved) and its identity policy is a dependant, as
// is every principal of its account;
// every principal's answer and every file's findings are a fresh set's.
func TestAFactsKeystrokeAnswersNoPrincipalNobodyAskedFor(t *testing.T) {
	dir, _, texts, _ := governedIndex(t, 40)
	folder := filepath.Join(dir, "tf")
	if err := os.Mkdir(folder, 0o755); err != nil {
		t.Fatal(err)
	}
	mainTF := filepath.Join(folder, "main.tf")
	texts[mainTF] = []byte("provider \"aws\" {\n  allowed_account_ids = [\"444455556666\"]\n}\nresource \"aws_s3_bucket\" \"b\" {\n  bucket = \"tf-b\"\n}\n")
	texts[filepath.Join(folder, "tf.bucket-policy.json")] = []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122220000:role/app-0"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::tf-b/*"}]}` + "\n")
	identity := filepath.Join(folder, "policy-tf.app-0.iam-policy.json")
	texts[identity] = []byte(`{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]}` + "\n")
	ix := newIndex()
	ix.rebuild([]string{dir}, texts)
	g := ix.setOf(mainTF)
	granted := principalOf(t, g, identity)
	// grantsMoved looks for the account in the policy's text: the
	// granted account's other principals are answered too.
	others := slices.DeleteFunc(principalsOf(g.ws), func(p string) bool { return accountOf(p) == accountOf(granted) })
	if len(others) < 2 {
		t.Fatalf("principals %v: want several besides %s", principalsOf(g.ws), granted)
	}

	now := maps.Clone(texts)
	now[mainTF] = bytes.Replace(texts[mainTF], []byte(`"tf-b"`), []byte(`"tf-bx"`), 1)
	deps := ix.update(map[string][]byte{mainTF: now[mainTF]})
	next := ix.setOf(mainTF)
	if _, answered := next.ws.Answered(granted); !answered || !deps[identity] {
		t.Errorf("%s, granted on the bucket renamed, answered %v, its policy a dependant %v", granted, answered, deps[identity])
	}
	for _, p := range others {
		if _, answered := next.ws.Answered(p); answered {
			t.Errorf("%s was answered by a keystroke that cannot concern it", p)
		}
	}
	for _, f := range next.ws.Files {
		if f.Kind == analysis.KindIdentity && f.Facts != nil && slices.Contains(others, f.Facts.Principal) && deps[f.Path] {
			t.Errorf("%s, a policy of %s, is a dependant", filepath.Base(f.Path), f.Facts.Principal)
		}
	}
	fresh := newIndex()
	fresh.rebuild([]string{dir}, now)
	want := fresh.setOf(mainTF)
	for _, p := range principalsOf(want.ws) {
		if got, want := next.ws.Blocked(p), want.ws.Blocked(p); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: after the keystroke blocked\n%+v\na fresh set's\n%+v", p, got, want)
		}
	}
	for _, p := range next.paths {
		if got, want := publishedOf(next, p), publishedOf(want, p); !slices.Equal(got, want) {
			t.Errorf("%s after the keystroke:\n%q\na fresh set's\n%q", p, got, want)
		}
	}
}
