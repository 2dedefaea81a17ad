package eval

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
)

// roomShapes are scenarios of every shape a room is read into: lists of
// policies of several lengths, levels of SCPs and RCPs given as arrays,
// the session, boundary and key policies, a context of many keys, of
// empty lists, of none, a request without a context, a time, and a
// scenario the positioned parser reads whole (a member name with an
// escape). Each denies or allows on what it alone holds.
func roomShapes() []string {
	const allow = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}`
	const denyIP = `{"Version": "2012-10-17", "Statement": [{"Sid": "NotOffice", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
  "Condition": {"NotIpAddress": {"aws:SourceIp": "203.0.113.0/25"}}}]}`
	const needsTag = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
  "Condition": {"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}}}]}`
	const getOnly = `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}]}`
	req := func(i int, extra string) string {
		return fmt.Sprintf(`"request": {"principal": "arn:aws:iam::111122223333:user/u%d", "action": "s3:%s", "resource": "arn:aws:s3:::b/k%d"%s}`,
			i%4, []string{"GetObject", "PutObject"}[i%2], i, extra)
	}
	var many []string
	for k := range 20 {
		many = append(many, fmt.Sprintf(`"k:%d": ["v%d", "w"]`, k, k))
	}
	return []string{
		`{` + req(0, `, "context": {"aws:SourceIp": "203.0.113.200"}`) + `, "identityPolicies": [` + allow + `], "resourcePolicy": ` + denyIP + `}`,
		`{` + req(1, "") + `, "identityPolicies": [` + getOnly + `, ` + needsTag + `, ` + allow + `], "permissionBoundaries": [` + getOnly + `]}`,
		`{` + req(2, `, "context": {"aws:TagKeys": [], "aws:SourceIp": ["203.0.113.1", "198.51.100.1"], `+strings.Join(many, ", ")+`}`) + `,
  "identityPolicies": [` + needsTag + `], "serviceControlPolicies": [[` + allow + `, ` + getOnly + `], ` + allow + `, [` + getOnly + `]],
  "resourceControlPolicies": [` + denyIP + `, [` + allow + `]]}`,
		`{` + req(3, `, "context": {}, "time": "2026-12-01T10:00:00Z"`) + `, "sessionPolicy": ` + getOnly + `, "identityPolicies": [` + allow + `]}`,
		`{"resource\u0050olicy": ` + denyIP + `, ` + req(4, `, "context": {"aws:SourceIp": "198.51.100.7"}`) + `, "identityPolicies": [` + allow + `, ` + getOnly + `]}`,
		`{` + req(5, `, "context": {"aws:TagKeys": ["env"]}`) + `, "identityPolicies": [` + needsTag + `], "endpointPolicies": [` + getOnly + `, ` + allow + `],
  "keyPolicy": ` + allow + `, "bucket": {"account": "444455556666", "encryption": "aws:kms", "kmsKeyArn": "arn:aws:kms:us-east-1:444455556666:key/k1"}}`,
		`{` + req(6, "") + `}`,
	}
}

// A scenario read into a room is the scenario read alone until the room
// is read into again: over a batch of every shape, read into three rooms
// in turn, each scenario (its request, its policies' names and texts, its
// answer and the JSON of it) is, after the next two are read, what
// ParseScenarios gives; so it is when the three rooms keep one set of
// words (NewScenarioRooms), which they all then hold.
func TestScenarioRoomKeepsItsScenarioUntilReadIntoAgain(t *testing.T) {
	shapes := roomShapes()
	var batch []string
	for i := range 40 { // the seven shapes meet each room in every order
		batch = append(batch, shapes[i%len(shapes)])
	}
	src := []byte("[" + strings.Join(batch, ",\n") + "]")
	want, err := ParseScenarios(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, shared := range []bool{false, true} {
		rooms := make([]ScenarioRoom, 3)
		if shared {
			rooms = NewScenarioRooms(3)
		}
		in := NewScenarioReader(bytes.NewReader(src))
		var read []*Scenario
		decisions := map[Decision]int{}
		for i := 0; ; i++ {
			s, err := in.NextIn(&rooms[i%len(rooms)])
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			read = append(read, s)
			for j := max(0, i-len(rooms)+1); j <= i; j++ { // those still in their rooms
				if got, want := describeScenario(t, read[j]), describeScenario(t, want[j]); got != want {
					t.Fatalf("words shared %v: scenario %d, after scenario %d was read:\n%s\nwant\n%s", shared, j, i, got, want)
				}
			}
			decisions[Evaluate(s).Decision]++
		}
		if len(read) != len(batch) || decisions[Allowed] == 0 || decisions[ExplicitlyDenied] == 0 || decisions[ImplicitlyDenied] == 0 {
			t.Fatalf("words shared %v: %d scenarios read of %d, decisions %v: want all, and each decision", shared, len(read), len(batch), decisions)
		}
		if shared {
			rooms[0].said[words{sid: "a word of the first room"}] = nil
			for i := range rooms {
				if len(rooms[i].said) != len(rooms[0].said) || len(rooms[i].said) < 2 {
					t.Errorf("room %d keeps %d words, room 0 %d: want the same, and more than the one put in", i, len(rooms[i].said), len(rooms[0].said))
				}
			}
		}
	}
}

// describeScenario is what a scenario holds and how it is answered.
func describeScenario(t *testing.T, s *Scenario) string {
	t.Helper()
	var names []string
	for _, d := range allDocs(s) {
		names = append(names, d.Name)
	}
	r := Evaluate(s)
	answer, err := json.Marshal(r.Answer("en"))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%#v\n%q\n%q\nSCP levels %d, RCP levels %d, bucket %+v\n%s", s.Request, names, policyTexts(s), len(s.SCPs), len(s.RCPs), s.Bucket, answer)
}

// allDocs are the Docs of a scenario, in the order of its fields.
func allDocs(s *Scenario) []*Doc {
	out := append([]*Doc{}, s.IdentityPolicies...)
	out = append(out, s.ResourcePolicy, s.SessionPolicy, s.KeyPolicy)
	out = append(out, s.Boundaries...)
	out = append(out, s.EndpointPolicies...)
	for _, levels := range [][][]*Doc{s.SCPs, s.RCPs} {
		for _, level := range levels {
			out = append(out, level...)
		}
	}
	var docs []*Doc
	for _, d := range out {
		if d != nil {
			docs = append(docs, d)
		}
	}
	return docs
}

// Reading a scenario into a room used again, and evaluating it, allocates
// nothing of the scenario's own: not the scenario, its Docs, lists, line
// index, context, array of causes or list of layers, nor its cause's
// words, which the room keeps from the scenarios before
// (BenchmarkExplainScenarioFile measures a whole batch). What is left (1)
// is the string of its resource.
func TestScenarioRoomReadIntoAgainAllocatesLittle(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops passes under the race detector")
	}
	src := []byte("[" + strings.Repeat(roomShapes()[0]+",\n", 200) + roomShapes()[0] + "]")
	in := NewScenarioReader(bytes.NewReader(src))
	var room ScenarioRoom
	for range 10 { // the policies parsed, the room grown
		if _, err := in.NextIn(&room); err != nil {
			t.Fatal(err)
		}
	}
	allocs := testing.AllocsPerRun(100, func() {
		s, err := in.NextIn(&room)
		if err != nil {
			t.Fatal(err)
		}
		Evaluate(s)
	})
	t.Logf("%.1f allocations", allocs)
	if allocs > 1 {
		t.Errorf("%.1f allocations a scenario read into a room used again and evaluated, want 1 at most", allocs)
	}
}

// A room keeps maxSaidWords words at most: a batch whose causes each name
// another statement (here each its own Sid) is answered as the scenarios
// read alone are, and the room forgets the words it holds when full.
func TestScenarioRoomKeepsFewWords(t *testing.T) {
	var batch []string
	for i := range maxSaidWords + 10 {
		batch = append(batch, fmt.Sprintf(`{"request": {"principal": "arn:aws:iam::111122223333:user/u", "action": "s3:GetObject", "resource": "arn:aws:s3:::b/k%d"},
  "identityPolicies": [{"Version": "2012-10-17", "Statement": [{"Sid": "Deny%d", "Effect": "Deny", "Action": "s3:*", "Resource": "*"}]}]}`, i%3, i))
	}
	src := []byte("[" + strings.Join(batch, ",\n") + "]")
	want, err := ParseScenarios(src)
	if err != nil {
		t.Fatal(err)
	}
	in := NewScenarioReader(bytes.NewReader(src))
	var room ScenarioRoom
	for i := range want {
		s, err := in.NextIn(&room)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := describeScenario(t, s), describeScenario(t, want[i]); got != want {
			t.Fatalf("scenario %d:\n%s\nwant\n%s", i, got, want)
		}
		if len(room.said) > maxSaidWords {
			t.Fatalf("after scenario %d the room keeps %d words, want %d at most", i, len(room.said), maxSaidWords)
		}
	}
	if len(room.said) == 0 || len(room.said) >= maxSaidWords {
		t.Errorf("the room keeps %d words after %d scenarios: want it to have forgotten them once, and kept some since", len(room.said), len(want))
	}
}
