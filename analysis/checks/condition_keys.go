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
// keys each.
type conditionKeys map[string]resolvedKey

// resolvedKey is what iamdata.ResolveKey answers for a key's name.
type resolvedKey struct {
	key  *iamdata.ConditionKey
	svc  *iamdata.Service
	kind iamdata.KeyKind
}

type conditionKeysKey struct{}

// conditionKeysOf resolves the policy's condition keys, once per policy.
func conditionKeysOf(p *analysis.Policy) conditionKeys {
	return p.Derived(conditionKeysKey{}, func(p *analysis.Policy) any {
		keys := conditionKeys{}
		for _, s := range p.Statements {
			for _, c := range s.Conditions() {
				if _, seen := keys[c.Key.Key]; !seen {
					k, svc, kind := iamdata.ResolveKey(c.Key.Key)
					keys[c.Key.Key] = resolvedKey{k, svc, kind}
				}
			}
		}
		return keys
	}).(conditionKeys)
}

// resolve is iamdata.ResolveKey(name), as resolved already for a key of
// the policy.
func (keys conditionKeys) resolve(name string) (*iamdata.ConditionKey, *iamdata.Service, iamdata.KeyKind) {
	if r, ok := keys[name]; ok {
		return r.key, r.svc, r.kind
	}
	return iamdata.ResolveKey(name)
}
