package checks

import (
	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
)

// conditionKeys are the condition keys a policy names, each resolved in
// the service data once (iamdata.ResolveKey): three checks resolve every
// key of every statement, and a policy repeats its few keys from
// statement to statement. Resolving them was a ninth of the checks'
// instructions on a 20 KB identity policy of 45 statements with three
// keys each. The few names of most policies are looked through in turn
// (a map's hash of each name was 3 % of that policy's analysis), those
// of a policy with more than fewKeys in a map.
type conditionKeys struct {
	names    []string
	resolved []resolvedKey  // by names' index
	byName   map[string]int // when more than fewKeys
}

const fewKeys = 8

// resolvedKey is what iamdata.ResolveKey answers for a key's name.
type resolvedKey struct {
	key  *iamdata.ConditionKey
	svc  *iamdata.Service
	kind iamdata.KeyKind
}

type conditionKeysKey struct{}

// conditionKeysOf resolves the policy's condition keys, once per policy.
func conditionKeysOf(p *analysis.Policy) *conditionKeys {
	return p.Derived(conditionKeysKey{}, func(p *analysis.Policy) any {
		keys := &conditionKeys{}
		for _, s := range p.Statements {
			for _, c := range s.Conditions() {
				if _, seen := keys.find(c.Key.Key); !seen {
					k, svc, kind := iamdata.ResolveKey(c.Key.Key)
					keys.add(c.Key.Key, resolvedKey{k, svc, kind})
				}
			}
		}
		return keys
	}).(*conditionKeys)
}

// find returns the resolved key of a name the policy names.
func (keys *conditionKeys) find(name string) (resolvedKey, bool) {
	if keys.byName != nil {
		i, ok := keys.byName[name]
		if !ok {
			return resolvedKey{}, false
		}
		return keys.resolved[i], true
	}
	for i, n := range keys.names {
		if n == name {
			return keys.resolved[i], true
		}
	}
	return resolvedKey{}, false
}

// add keeps a name find did not find.
func (keys *conditionKeys) add(name string, r resolvedKey) {
	keys.names = append(keys.names, name)
	keys.resolved = append(keys.resolved, r)
	if keys.byName == nil && len(keys.names) <= fewKeys {
		return
	}
	if keys.byName == nil {
		keys.byName = make(map[string]int, 2*fewKeys)
		for i, n := range keys.names {
			keys.byName[n] = i
		}
	}
	keys.byName[name] = len(keys.names) - 1
}

// resolve is iamdata.ResolveKey(name), as resolved already for a key of
// the policy.
func (keys *conditionKeys) resolve(name string) (*iamdata.ConditionKey, *iamdata.Service, iamdata.KeyKind) {
	if r, ok := keys.find(name); ok {
		return r.key, r.svc, r.kind
	}
	return iamdata.ResolveKey(name)
}
