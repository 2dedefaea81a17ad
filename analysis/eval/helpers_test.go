package eval

import (
	"bytes"
	"slices"
	"testing"
)

// want is the expected answer: the decision, the blocking layers, and the
// first cause's code, layer, policy and statement, with its line given as
// the text that starts the line (at).
type want struct {
	decision  Decision
	blocked   []Layer
	code      string
	layer     Layer
	policy    string
	statement int
	at        string // text on the cause's line; "" for line 0
}

type scenarioCase struct {
	name     string
	scenario string
	want     want
}

func runCases(t *testing.T, cases []scenarioCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := evaluateJSON(t, c.scenario)
			checkResult(t, []byte(c.scenario), got, c.want)
		})
	}
}

func evaluateJSON(t *testing.T, src string) Result {
	t.Helper()
	scenarios, err := ParseScenarios([]byte(src))
	if err != nil {
		t.Fatalf("scenario: %v", err)
	}
	if len(scenarios) != 1 {
		t.Fatalf("got %d scenarios, want 1", len(scenarios))
	}
	return Evaluate(scenarios[0])
}

func checkResult(t *testing.T, src []byte, got Result, w want) {
	t.Helper()
	if got.Decision != w.decision || !slices.Equal(got.BlockedBy, w.blocked) {
		t.Fatalf("got %s blocked by %v, want %s blocked by %v\ncauses: %+v", got.Decision, got.BlockedBy, w.decision, w.blocked, got.Causes)
	}
	if w.decision == Allowed {
		if len(got.Causes) != 0 {
			t.Fatalf("allowed with causes %+v", got.Causes)
		}
		return
	}
	if len(got.Causes) == 0 {
		t.Fatalf("denied without a cause")
	}
	c := got.Causes[0]
	wantLine := 0
	if w.at != "" {
		wantLine = lineContaining(t, src, w.at)
	}
	if c.Code != w.code || c.Layer != w.layer || c.Policy != w.policy || c.Statement != w.statement || c.Line != wantLine {
		t.Errorf("cause %s/%s in %q statement %d line %d, want %s/%s in %q statement %d line %d\nmessage: %s",
			c.Code, c.Layer, c.Policy, c.Statement, c.Line, w.code, w.layer, w.policy, w.statement, wantLine, got.Say(&c).EN)
	}
	if said := got.Say(&c); said.EN == "" || said.JA == "" {
		t.Errorf("cause without a message in both languages: %+v", c.Message)
	}
}

// lineContaining is the 1-based line of the only occurrence of text.
func lineContaining(t *testing.T, src []byte, text string) int {
	t.Helper()
	i := bytes.Index(src, []byte(text))
	if i < 0 || bytes.Count(src, []byte(text)) != 1 {
		t.Fatalf("%q must occur exactly once in the scenario", text)
	}
	return bytes.Count(src[:i], []byte("\n")) + 1
}

// docs lists d alone, or nothing.
func docs(d *Doc) []*Doc {
	if d == nil {
		return nil
	}
	return []*Doc{d}
}

// said is the result with each cause's words rendered about its request:
// results compare so whether their words name the request or take it
// (a workspace's evaluations share theirs).
func said(r Result) Result {
	r.Causes = slices.Clone(r.Causes)
	for i := range r.Causes {
		r.Causes[i].Message = r.Say(&r.Causes[i])
	}
	return r
}
