package iamdata

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
	"maps"
	"slices"
	"strings"
	"testing"
)

// The decoder before compact: every service of the bundle decoded by
// encoding/json into plain structs, the shared prefixes merged as they
// were merged then.
type (
	oldService struct {
		Actions   []oldAction   `json:"a"`
		Resources []oldResource `json:"r"`
		Keys      []oldKey      `json:"k"`
	}
	oldAction struct {
		Name        string `json:"n"`
		Description string `json:"d"`
		Access      string `json:"l"`
		Resources   []struct {
			Name     string `json:"n"`
			Required bool   `json:"q,omitempty"`
		} `json:"r,omitempty"`
		Keys      []string `json:"k,omitempty"`
		Dependent []string `json:"p,omitempty"`
	}
	oldResource struct {
		Name string   `json:"n"`
		ARN  string   `json:"a"`
		Keys []string `json:"k,omitempty"`
	}
	oldKey struct {
		Name        string `json:"n"`
		Type        string `json:"t"`
		Description string `json:"d"`
	}
)

func oldDecode(t *testing.T, prefix string) oldService {
	ix := loadIndex()
	e := ix.service(prefix)
	zr, err := gzip.NewReader(bytes.NewReader(ix.blobs[e.off : e.off+e.size]))
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	var s oldService
	if err := json.Unmarshal(body, &s); err != nil {
		t.Fatal(err)
	}
	oldMerge(prefix, &s)
	return s
}

// oldMerge is mergeSharedPrefix as it was written for the plain structs.
func oldMerge(prefix string, s *oldService) {
	action := func(name string) *oldAction {
		for i := range s.Actions {
			if strings.ToLower(s.Actions[i].Name) == name {
				return &s.Actions[i]
			}
		}
		return nil
	}
	hasType := func(name string) bool {
		return slices.ContainsFunc(s.Resources, func(r oldResource) bool { return r.Name == name })
	}
	addType := func(a *oldAction, name string) {
		for _, r := range a.Resources {
			if r.Name == name {
				return
			}
		}
		a.Resources = append(a.Resources, struct {
			Name     string `json:"n"`
			Required bool   `json:"q,omitempty"`
		}{Name: name})
	}
	for _, d := range documentedResources[prefix] {
		if !hasType(d.Name) {
			s.Resources = append(s.Resources, oldResource{Name: d.Name, ARN: d.ARN})
			slices.SortFunc(s.Resources, func(a, b oldResource) int { return strings.Compare(a.Name, b.Name) })
		}
		for _, name := range d.actions {
			if a := action(name); a != nil {
				addType(a, d.Name)
			}
		}
	}
	for name, types := range sharedPrefixActions()[prefix] {
		if a := action(name); a != nil {
			for _, ty := range types {
				if hasType(ty) {
					addType(a, ty)
				}
			}
		}
	}
}

// TestCompactSaysWhatJSONSaid decodes every service of the bundle both
// ways and compares every action, resource type and condition key, and
// finds each by its name in three spellings.
func TestCompactSaysWhatJSONSaid(t *testing.T) {
	for _, p := range Prefixes() {
		old, s := oldDecode(t, p), Lookup(p)
		if len(s.Actions) != len(old.Actions) || len(s.Resources) != len(old.Resources) || len(s.Keys) != len(old.Keys) {
			t.Fatalf("%s: %d actions, %d resource types, %d keys; want %d, %d, %d", p,
				len(s.Actions), len(s.Resources), len(s.Keys), len(old.Actions), len(old.Resources), len(old.Keys))
		}
		for i, want := range old.Actions {
			a := &s.Actions[i]
			if got := actionText(a); got != oldActionText(want) {
				t.Errorf("%s action %d:\n got %s\nwant %s", p, i, got, oldActionText(want))
			}
			for _, name := range []string{want.Name, strings.ToLower(want.Name), strings.ToUpper(want.Name)} {
				if s.Action(name) != a || len(s.ActionMatches(name)) != 1 || s.ActionMatches(name)[0] != a {
					t.Errorf("%s: Action(%q) is not action %d", p, name, i)
				}
			}
		}
		for i, want := range old.Resources {
			r := &s.Resources[i]
			if r.Name != want.Name || r.ARN != want.ARN || !slices.Equal(r.Keys, want.Keys) {
				t.Errorf("%s resource type %d: %+v, want %+v", p, i, *r, want)
			}
			if s.ResourceType(want.Name) != r {
				t.Errorf("%s: ResourceType(%q) is not resource type %d", p, want.Name, i)
			}
		}
		for i, want := range old.Keys {
			k := &s.Keys[i]
			if k.Name != want.Name || k.Type != want.Type || k.Description != want.Description {
				t.Errorf("%s key %d: %+v, want %+v", p, i, *k, want)
			}
			for _, name := range []string{want.Name, strings.ToLower(want.Name), strings.ToUpper(want.Name)} {
				if s.Key(name) != k {
					t.Errorf("%s: Key(%q) is not key %d", p, name, i)
				}
			}
		}
		if s.Action(p+"-none") != nil || s.ActionMatches("") != nil {
			t.Errorf("%s: an action found that it does not have", p)
		}
	}
}

// actionText writes out everything an action says.
func actionText(a *Action) string {
	var types []string
	for _, r := range a.Resources() {
		types = append(types, typeText(r.Name, r.Required))
	}
	return joinAction(a.Name(), a.Description(), a.Access(), types, a.Keys(), a.Dependent())
}

func oldActionText(a oldAction) string {
	var types []string
	for _, r := range a.Resources {
		types = append(types, typeText(r.Name, r.Required))
	}
	return joinAction(a.Name, a.Description, a.Access, types, a.Keys, a.Dependent)
}

func typeText(name string, required bool) string {
	if required {
		return name + " (required)"
	}
	return name
}

func joinAction(name, description, access string, types, keys, dependent []string) string {
	return strings.Join([]string{name, description, access, strings.Join(types, ","), strings.Join(keys, ","), strings.Join(dependent, ",")}, "|")
}

// TestIndexSaysWhatItsLinesSay reads the bundle's index lines as the
// index was read before its entries became one array, and finds every
// service by its prefix in three spellings.
func TestIndexSaysWhatItsLinesSay(t *testing.T) {
	lines := strings.Split(string(bundle[:bytes.Index(bundle, []byte("\x1f\x8b"))]), "\n")
	head := strings.Split(lines[0], "\t")
	if head[0] != Magic || len(Prefixes()) != len(loadIndex().entries) {
		t.Fatalf("head %q, %d prefixes, %d entries", head, len(Prefixes()), len(loadIndex().entries))
	}
	for i, p := range Prefixes() {
		f := strings.Split(lines[1+i], "\t")
		if f[0] != p {
			t.Fatalf("prefix %d is %q, the line says %q", i, p, f[0])
		}
		for _, spelt := range []string{p, strings.ToUpper(p), strings.ToUpper(p[:1]) + p[1:]} {
			if s := Lookup(spelt); s == nil || s.Prefix != p || s.Name != f[1] || ServiceName(spelt) != f[1] {
				t.Errorf("Lookup(%q) = %+v, ServiceName %q; the line says %q", spelt, s, ServiceName(spelt), lines[1+i])
			}
		}
	}
	// A key two services list (identitystore:groupid: q and qbusiness)
	// has a line each; the last is the owner.
	owners := map[string]string{}
	for _, l := range lines[1+len(Prefixes()):] {
		if name, owner, ok := strings.Cut(l, "\t"); ok {
			owners[name] = owner
		}
	}
	if !maps.Equal(owners, loadIndex().owners) {
		t.Errorf("owners %v, the lines say %v", loadIndex().owners, owners)
	}
	// The Kelvin sign lower-cases to k, as strings.ToLower does it.
	if s := Lookup("\u212ams"); s == nil || s.Prefix != "kms" {
		t.Errorf("Lookup(Kelvin sign + ms) = %+v, want kms", s)
	}
	for _, p := range []string{"", "a", "zzzz", "s3 ", "s", Prefixes()[0] + "x"} {
		if Lookup(p) != nil || ServiceName(p) != "" {
			t.Errorf("Lookup(%q) found a service", p)
		}
	}
}
