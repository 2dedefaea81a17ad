package analysis

import "testing"

// IsAllow and IsDeny answer what Effect says, exactly (case matters, as
// for IAM), whether read with the statement or asked of one built by
// hand.
func TestStatementEffect(t *testing.T) {
	src := `{"Statement": [{"Effect": "Allow"}, {"Effect": "Deny"}, {"Effect": "allow"}, {}, {"Effect": 1}, {"Effect": "Deny", "Effect": "Allow"}]}`
	f := NewFile("p.iam-policy.json", []byte(src), nil)
	want := [][2]bool{{true, false}, {false, true}, {false, false}, {false, false}, {false, false}, {true, false}}
	if len(f.Policy.Statements) != len(want) {
		t.Fatalf("%d statements, want %d", len(f.Policy.Statements), len(want))
	}
	for i, s := range f.Policy.Statements {
		if got := [2]bool{s.IsAllow(), s.IsDeny()}; got != want[i] {
			t.Errorf("statement %d: IsAllow, IsDeny = %v, want %v", i, got, want[i])
		}
		byHand := Statement{Effect: s.Effect}
		if got := [2]bool{byHand.IsAllow(), byHand.IsDeny()}; got != want[i] {
			t.Errorf("statement %d built by hand: IsAllow, IsDeny = %v, want %v", i, got, want[i])
		}
	}
}
