package iamdata_test

import (
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
)

// decodedAtStart is the number of services decoded before any test ran:
// importing the package (the program's init) must decode none.
var decodedAtStart int

func TestMain(m *testing.M) {
	decodedAtStart = iamdata.Decoded()
	os.Exit(m.Run())
}

func TestInitDecodesNothing(t *testing.T) {
	if decodedAtStart != 0 {
		t.Fatalf("%d services decoded at init, want 0", decodedAtStart)
	}
}

func TestVersion(t *testing.T) {
	v, date := iamdata.Version()
	if v == "" || len(date) < 10 {
		t.Fatalf("Version() = %q, %q", v, date)
	}
}

func TestEveryServiceDecodes(t *testing.T) {
	prefixes := iamdata.Prefixes()
	if len(prefixes) < 400 {
		t.Fatalf("%d services, want about 450", len(prefixes))
	}
	for _, p := range prefixes {
		s := iamdata.Lookup(p)
		if s == nil || s.Prefix != p || s.Name == "" {
			t.Fatalf("Lookup(%q) = %+v", p, s)
		}
	}
}

func TestLookupAction(t *testing.T) {
	s, a := iamdata.LookupAction("S3:getobject")
	if s == nil || a == nil || a.Name() != "GetObject" || a.Access() != "Read" || s.Name != "Amazon S3" {
		t.Fatalf("LookupAction = %+v, %+v", s, a)
	}
	if !a.Supports("s3:ExistingObjectTag/Project") || a.Supports("s3:prefix") {
		t.Errorf("GetObject keys: %v", a.Keys())
	}
	if _, a := iamdata.LookupAction("s3:GetObjects"); a != nil {
		t.Errorf("s3:GetObjects found")
	}
	if got := len(s.MatchActions("Get*")); got < 50 {
		t.Errorf("s3:Get* matches %d actions", got)
	}
	if got := iamdata.DocURL("s3"); got != "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html" {
		t.Errorf("DocURL(s3) = %s", got)
	}
	if rt := s.ResourceType("object"); rt == nil || rt.ARN != "arn:${Partition}:s3:::${BucketName}/${ObjectName}" {
		t.Errorf("object resource type: %+v", rt)
	}
}

func TestResolveKey(t *testing.T) {
	for _, c := range []struct {
		name string
		kind iamdata.KeyKind
		typ  string
	}{
		{"aws:SourceVpce", iamdata.KeyGlobal, "String"},
		{"AWS:sourcevpce", iamdata.KeyGlobal, "String"},
		{"aws:PrincipalTag/team", iamdata.KeyGlobal, "String"},
		{"aws:PrincipalTag/", iamdata.KeyUnknown, ""},
		{"aws:SourceVpcee", iamdata.KeyUnknown, ""},
		{"s3:prefix", iamdata.KeyService, "String"},
		{"s3:ExistingObjectTag/Project", iamdata.KeyService, "String"},
		{"s3:prefixes", iamdata.KeyUnknown, ""},
		{"saml:aud", iamdata.KeyProvider, "String"},
		{"token.actions.githubusercontent.com:sub", iamdata.KeyProvider, "String"},
		{"s33:prefix", iamdata.KeyUnknown, ""},
	} {
		k, _, kind := iamdata.ResolveKey(c.name)
		if kind != c.kind || (k != nil) != (c.typ != "") || k != nil && k.Type != c.typ {
			t.Errorf("ResolveKey(%q) = %+v, %v; want kind %v type %q", c.name, k, kind, c.kind, c.typ)
		}
	}
}

func TestParseOperator(t *testing.T) {
	for name, want := range map[string]string{
		"StringEquals":                   "|StringEquals|false",
		"ForAnyValue:StringLikeIfExists": "ForAnyValue:|StringLike|true",
		"ForAllValues:ArnLike":           "ForAllValues:|ArnLike|false",
		"NumericLessThanEqualsIfExists":  "|NumericLessThanEquals|true",
		"StringEqual":                    "invalid",
		"NullIfExists":                   "invalid",
		"ForAnyValues:StringEquals":      "invalid",
		// Case is ignored, in each part (the exact spelling is looked up first).
		"stringequals":                   "|StringEquals|false",
		"forAnyValue:stringLikeifexists": "ForAnyValue:|StringLike|true",
		"FORALLVALUES:ARNLIKE":           "ForAllValues:|ArnLike|false",
		"ForAllValues:ForAnyValue:Bool":  "ForAnyValue:|Bool|false",
	} {
		p, ok := iamdata.ParseOperator(name)
		got := "invalid"
		if ok {
			got = fmt.Sprintf("%s|%s|%v", p.Set, p.Base.Name, p.IfExists)
		}
		if got != want {
			t.Errorf("ParseOperator(%q) = %s, want %s", name, got, want)
		}
	}
}

// BenchmarkFirstLookup measures decoding a service the first time a
// policy names it (the s3 service, by a fresh decode each iteration).
func BenchmarkFirstLookup(b *testing.B) {
	for _, prefix := range []string{"s3", "ec2"} {
		b.Run(prefix, func(b *testing.B) {
			for b.Loop() {
				iamdata.DecodeForBenchmark(prefix)
			}
		})
	}
}

// BenchmarkWarmLookup measures an action lookup once its service is decoded.
func BenchmarkWarmLookup(b *testing.B) {
	iamdata.Lookup("s3")
	for b.Loop() {
		if _, a := iamdata.LookupAction("s3:GetObject"); a == nil {
			b.Fatal("not found")
		}
	}
}

// BenchmarkIndex measures parsing the index, done once on the first use.
func BenchmarkIndex(b *testing.B) {
	for b.Loop() {
		iamdata.ParseIndexForBenchmark()
	}
}

// TestEveryListedKeyResolves resolves every condition key that some
// service lists, and every key an action lists, with its template parts
// filled in: none may be taken for unknown.
func TestEveryListedKeyResolves(t *testing.T) {
	fill := strings.NewReplacer("${TagKey}", "team", "<key>", "team")
	for _, p := range iamdata.Prefixes() {
		s := iamdata.Lookup(p)
		names := map[string]bool{}
		for _, k := range s.Keys {
			names[k.Name] = true
		}
		for _, a := range s.Actions {
			for _, k := range a.Keys() {
				names[k] = true
			}
		}
		for name := range names {
			if strings.Contains(fill.Replace(name), "${") {
				continue // other templates are matched as themselves below
			}
			if _, _, kind := iamdata.ResolveKey(fill.Replace(name)); kind == iamdata.KeyUnknown {
				t.Errorf("%s lists %s, which does not resolve", p, name)
			}
		}
	}
}

// TestConcurrentLookups decodes and matches from many goroutines at once,
// as the server's requests do (run with -race).
func TestConcurrentLookups(t *testing.T) {
	done := make(chan int)
	for i := range 8 {
		go func() {
			n := 0
			for _, p := range []string{"sqs", "sns", "lambda"} {
				n += len(iamdata.Lookup(p).MatchActions(fmt.Sprintf("*%c*", 'a'+i)))
			}
			done <- n
		}()
	}
	for range 8 {
		select {
		case n := <-done:
			if n == 0 {
				t.Error("a goroutine matched no action")
			}
		case <-time.After(30 * time.Second):
			t.Fatal("lookups did not finish")
		}
	}
}
