package analysis

import "testing"

// greeting is a check's words for the tests: it counts how often it is
// asked, so that a test sees a message written only when read.
func greeting(ja bool, a *Args) string {
	greetingsWritten++
	if ja {
		return a.S[0] + " さん、" + [2]string{"こんにちは", "さようなら"}[a.N[0]]
	}
	return [2]string{"hello", "goodbye"}[a.N[0]] + ", " + a.S[0]
}

var greetingsWritten int

func TestSayWritesWhenRead(t *testing.T) {
	greetingsWritten = 0
	m := Say(greeting, Args{S: [3]string{"Kim"}, N: [2]int32{1}})
	if greetingsWritten != 0 {
		t.Fatalf("Say wrote the message %d times before it was read", greetingsWritten)
	}
	if got := m.In("en-US"); got != "goodbye, Kim" {
		t.Errorf("In(en-US) = %q", got)
	}
	if got := m.In("ja_JP.UTF-8"); got != "Kim さん、さようなら" {
		t.Errorf("In(ja_JP.UTF-8) = %q", got)
	}
	if got := m.Text(); got != T("goodbye, Kim", "Kim さん、さようなら") {
		t.Errorf("Text() = %+v", got)
	}
	if greetingsWritten != 4 { // one language for each In, both for Text
		t.Errorf("written %d times, want 4", greetingsWritten)
	}
}

func TestSayTextFallsBackToEnglish(t *testing.T) {
	m := SayText(T("only English", ""))
	if got := m.In("ja"); got != "only English" {
		t.Errorf("In(ja) = %q, want the English text", got)
	}
	if got := SayText(T("a", "あ")).In("ja-JP"); got != "あ" {
		t.Errorf("In(ja-JP) = %q", got)
	}
	if got := SayText(T("a", "あ")).Text(); got != T("a", "あ") {
		t.Errorf("Text() = %+v", got)
	}
}

// TestReportingASayingAllocatesNothing: a finding whose message is the
// check's words and arguments costs no memory of its own until read.
func TestReportingASayingAllocatesNothing(t *testing.T) {
	var fs []Finding
	p := &Pass{Check: &Check{Code: "c", Severity: Warning}, findings: &fs}
	fs = make([]Finding, 0, 1)
	allocs := testing.AllocsPerRun(100, func() {
		fs = fs[:0]
		p.Report(Finding{Span: Span{1, 2}, Message: Say(greeting, Args{S: [3]string{"Kim"}})})
	})
	if allocs != 0 {
		t.Errorf("%v allocations to report a finding, want 0", allocs)
	}
}
