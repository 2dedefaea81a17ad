package iamdata

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"io"
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
	e := ix.byPrefix[prefix]
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
	for name, types := range sharedPrefixActions[prefix] {
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
