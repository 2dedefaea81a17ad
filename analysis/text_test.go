package analysis

import "testing"

func TestTfGivesEachLanguageItsFormOfATextArgument(t *testing.T) {
	args := []any{"key-1", AndList([]string{"kms:Decrypt", "kms:GenerateDataKey"})}
	got := Tf("Allow %[2]s on %[1]s", "%[1]s に %[2]s を許可", args...)
	want := Text{
		EN: "Allow kms:Decrypt and kms:GenerateDataKey on key-1",
		JA: "key-1 に kms:Decrypt と kms:GenerateDataKey を許可",
	}
	if got != want {
		t.Fatalf("Tf = %+v, want %+v", got, want)
	}
	if _, still := args[1].(Text); !still {
		t.Fatalf("Tf changed the caller's arguments: %v", args)
	}
}

func TestAndList(t *testing.T) {
	for _, c := range []struct {
		items []string
		want  Text
	}{
		{[]string{"a"}, Text{EN: "a", JA: "a"}},
		{[]string{"a", "b"}, Text{EN: "a and b", JA: "a と b"}},
		{[]string{"a", "b", "c"}, Text{EN: "a, b and c", JA: "a、b と c"}},
	} {
		if got := AndList(c.items); got != c.want {
			t.Errorf("AndList(%q) = %+v, want %+v", c.items, got, c.want)
		}
	}
}
