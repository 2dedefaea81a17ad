package eval

import (
	"fmt"
	"maps"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"unique"
	"unsafe"
)

// A workspace keeps its evaluations for later edits: their causes as
// pointers to its one copy of each, in a list of their size, and the
// statements they read in arrays of their size, not with the room
// appending left (nine causes had room for sixteen).
func TestAKeptEvaluationHasNoSpareRoom(t *testing.T) {
	w := nineDeniesWorkspace(t)
	e := w.evaluate(Request{Principal: "arn:aws:iam::111122223333:role/app", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/a.txt"})
	r := e.result
	if r.Decision != ExplicitlyDenied || len(e.causes) != 9 || r.Causes != nil || len(r.BlockedBy) != 1 || r.BlockedBy[0] != LayerSCP {
		t.Fatalf("got %s blocked by %v with %d kept causes and %d in the result, want ExplicitlyDenied by [scp] with 9 kept, none in the result",
			r.Decision, r.BlockedBy, len(e.causes), len(r.Causes))
	}
	if cap(e.causes) != 9 {
		t.Errorf("kept with room for %d causes, want 9", cap(e.causes))
	}
	// What it read: the bucket policy whole (its Deny statements are
	// looked for); the SCP's Deny statements are not recorded
	// (unrecordedLayers).
	if reads := e.reads.reads; len(reads) != 1 || cap(reads) != 1 || reads[0].statement != wholeDoc {
		t.Errorf("kept %d reads with room for %d, want the bucket policy whole: %+v", len(reads), cap(reads), reads)
	}
	// The same nine Deny statements in the caller's identity policy are
	// recorded, each named by a cause, beside the bucket policy (the
	// Allow is not judged: an explicit Deny decides).
	e = nineIdentityDeniesWorkspace(t).evaluate(Request{Principal: "arn:aws:iam::111122223333:role/app", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/a.txt"})
	named := 0
	for _, x := range e.reads.reads {
		if x.named {
			named++
		}
	}
	if reads := e.reads.reads; len(reads) != 10 || cap(reads) != 10 || named != 9 {
		t.Errorf("kept %d reads (%d named by a cause) with room for %d, want 10 (9 named) with room for 10: %+v", len(reads), named, cap(reads), reads)
	}
}

// nineIdentityDeniesWorkspace is nineDeniesWorkspace with the nine Deny
// statements in the role's identity policy, after its Allow, and no SCP.
func nineIdentityDeniesWorkspace(t *testing.T) *Workspace {
	t.Helper()
	dir := writeFiles(t, map[string]string{
		".s3policy.json": `{"buckets": {"data": {"account": "444455556666"}},
  "files": {"iam/app.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:role/app"}}}`,
		"iam/app.json":            strings.Replace(nineDenies(), "[", `[{"Effect": "Allow", "Action": "*", "Resource": "*"}, `, 1),
		"data.bucket-policy.json": `{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`,
	})
	w, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// nineDeniesWorkspace is a governed folder in which a role that may do
// anything is granted s3:GetObject on data/* by the bucket's policy and
// denied it by nine Deny statements of its account's SCP.
func nineDeniesWorkspace(t *testing.T) *Workspace {
	t.Helper()
	dir := writeFiles(t, map[string]string{
		".s3policy.json": `{"buckets": {"data": {"account": "444455556666"}},
  "files": {"iam/app.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:role/app"},
    "org/a.json": {"kind": "scp", "account": "111122223333"}}}`,
		"iam/app.json":            allowAll,
		"org/a.json":              nineDenies(),
		"data.bucket-policy.json": `{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`,
	})
	w, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// nineDenies is an SCP of nine Deny statements that each deny s3:GetObject.
func nineDenies() string {
	var st []string
	for i := range 9 {
		st = append(st, fmt.Sprintf(`{"Sid": "D%d", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}`, i))
	}
	return `{"Statement": [` + strings.Join(st, ",\n  ") + `]}`
}

// An evaluation that blocks a request by many Deny statements of one
// layer appends their causes into one array, with room made once for the
// Deny statements the layer's index lists (roomForDenies): check keeps
// no evaluation, and appending one by one made an array at 1, 2, 4, 8
// and 16 causes for nine.
func TestDeniesOfALayerAreAppendedIntoOneArray(t *testing.T) {
	w := nineDeniesWorkspace(t)
	w.ForBatch()
	r := w.evaluate(Request{Principal: "arn:aws:iam::111122223333:role/app", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/a.txt"}).result
	if r.Decision != ExplicitlyDenied || len(r.Causes) != 9 {
		t.Fatalf("got %s with %d causes, want ExplicitlyDenied with 9", r.Decision, len(r.Causes))
	}
	// One array made for nine: nine causes' room, as the allocator rounds it.
	if want := cap(slices.Grow([]Cause(nil), 9)); cap(r.Causes) != want {
		t.Errorf("nine causes appended with room for %d, want %d", cap(r.Causes), want)
	}
}

// A statement a kept evaluation read is 16 bytes: the document's name is
// a handle, not a string (at 10,000 governed policies the kept
// evaluations read 437,288 statements), and a Doc of the workspace holds
// its name's handle, which a Doc made elsewhere (a scenario's) makes when
// it is read.
func TestAStatementReadIsSixteenBytes(t *testing.T) {
	if n := unsafe.Sizeof(docRead{}); n != 16 {
		t.Errorf("a docRead is %d bytes, want 16", n)
	}
	w := nineIdentityDeniesWorkspace(t)
	e := w.evaluate(Request{Principal: "arn:aws:iam::111122223333:role/app", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/a.txt"})
	names := map[string]bool{}
	for _, x := range e.reads.reads {
		names[x.name.Value()] = true
	}
	want := []string{"data.bucket-policy.json", filepath.Join("iam", "app.json")} // the workspace names its documents relative to its folder
	if got := slices.Sorted(maps.Keys(names)); !slices.Equal(got, want) {
		t.Errorf("read %v, want %v", got, want)
	}
	if d := (&Doc{Name: "identityPolicies[0]"}); nameOf(d) != unique.Make("identityPolicies[0]") {
		t.Errorf("a scenario's Doc read as %q", nameOf(d).Value())
	}
}

// StillGranted keeps the requests a grant makes and drops one a grant
// made before an edit (another bucket, another endpoint's context): an
// answer asks for the first only, so only it is worth deciding again.
func TestStillGrantedKeepsWhatAGrantMakes(t *testing.T) {
	w := nineDeniesWorkspace(t)
	grants := w.grantsTo("arn:aws:iam::111122223333:role/app")
	if len(grants) != 1 {
		t.Fatalf("%d grants to the role, want 1", len(grants))
	}
	granted := grants[0].Request
	otherBucket := granted
	otherBucket.Resource = "arn:aws:s3:::olddata/*"
	otherContext := granted
	otherContext.Context = map[string][]string{"aws:SourceVpce": {"vpce-1a2b3c4d"}}
	got := w.StillGranted([]Request{otherBucket, granted, otherContext})
	if len(got) != 1 || got[0].Resource != granted.Resource || len(got[0].Context) != len(granted.Context) {
		t.Errorf("StillGranted kept %+v, want only %+v", got, granted)
	}
}

// A kept evaluation's reads are recorded in a ReadSet used again
// (readRooms): each evaluation keeps what it read, and nothing of the
// one before it.
func TestAReadSetUsedAgainKeepsNothingOfTheEvaluationBefore(t *testing.T) {
	denied := Request{Principal: "arn:aws:iam::111122223333:role/app", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/a.txt"}
	listed := Request{Principal: "arn:aws:iam::111122223333:role/app", Action: "s3:ListBucket", Resource: "arn:aws:s3:::data"}
	alone := nineIdentityDeniesWorkspace(t).evaluate(listed).reads
	w := nineIdentityDeniesWorkspace(t)
	if first := w.evaluate(denied).reads; len(first.reads) != 10 {
		t.Fatalf("the denied request read %d statements, want 10: %+v", len(first.reads), first.reads)
	}
	after := w.evaluate(listed).reads
	if !reflect.DeepEqual(after, alone) {
		t.Errorf("evaluated after another request, read %+v, want %+v as evaluated alone", *after, *alone)
	}
	if slices.ContainsFunc(after.reads, func(x docRead) bool { return x.statement > 0 }) {
		t.Errorf("reads the Deny statements, which do not match s3:ListBucket: %+v", after.reads)
	}
}

// The same nine Deny statements in an SCP and in the caller's identity
// policy: the SCP's are judged first and not recorded (unrecordedLayers),
// and the identity policy's, whose judgement the SCP's left in the memo
// of texts judged (judgedTexts), are still recorded, each named by a
// cause, so that an edit of one of them in place evaluates the request
// again (ReadSet.MayRead).
func TestAnIdentityDenyJudgedLikeAnSCPsIsRecorded(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		".s3policy.json": `{"buckets": {"data": {"account": "444455556666"}},
  "files": {"iam/app.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:role/app"},
    "org/a.json": {"kind": "scp", "account": "111122223333"}}}`,
		"iam/app.json":            strings.Replace(nineDenies(), "[", `[{"Effect": "Allow", "Action": "*", "Resource": "*"}, `, 1),
		"org/a.json":              strings.Replace(nineDenies(), "[", `[{"Effect": "Allow", "Action": "*", "Resource": "*"}, `, 1),
		"data.bucket-policy.json": `{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/*"}]}`,
	})
	w, err := loadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := w.evaluate(Request{Principal: "arn:aws:iam::111122223333:role/app", Action: "s3:GetObject", Resource: "arn:aws:s3:::data/a.txt"})
	if e.result.Decision != ExplicitlyDenied {
		t.Fatalf("decided %s, want ExplicitlyDenied", e.result.Decision)
	}
	identity := filepath.Join("iam", "app.json")
	var named []int32
	for _, x := range e.reads.reads {
		switch name := x.name.Value(); {
		case name == filepath.Join("org", "a.json") && x.statement > 0:
			t.Errorf("recorded the SCP's Deny statement %d", x.statement)
		case name == identity && x.named:
			named = append(named, x.statement)
		}
	}
	if want := []int32{1, 2, 3, 4, 5, 6, 7, 8, 9}; !slices.Equal(named, want) {
		t.Errorf("recorded the identity policy's statements %v named by a cause, want %v: %+v", named, want, e.reads.reads)
	}
}
