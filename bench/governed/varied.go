package governed

// A varied governed folder: where Write's folder has deny-list SCPs only,
// one principal name per account and few conditions, this one varies what
// a memo or an index of the cross-file evaluation could key too little on,
// so that comparing check's output before and after a change of the engine
// shows a fault that the plain folder hides (the s21 review: two mutants
// left check on a plain folder of 1,000 byte-identical; a varied one
// differed at once). It follows the reviewer's gen_rich.py.

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// Varied says what WriteVaried writes beside the policies.
type Varied struct {
	Seed uint64 // the same n and seed give the same folder
	// Nested moves team-001's files under a .s3policy.json of their own
	// with other facts (fewer accounts and buckets, data-00001 moved to a
	// caller's account and Requester Pays).
	Nested bool
	// Escapes writes 15 % of the bucket policies with a grantee's account
	// or the bucket's name behind a JSON \u escape, which the engine reads
	// decoded.
	Escapes bool
}

// Twelve principals in six caller accounts: roles and users whose names
// (app-0 … app-4) recur in several accounts.
var (
	variedCallers   = []string{"111122220000", "111122220001", "111122220002", "111122220003", "111122220004", "111122220005"}
	variedResources = []string{"444455556666", "777788889999"}
)

const (
	variedOrg       = "o-abc123"
	nearMissGrantee = "arn:aws:iam::111122220010:root" // one digit off a caller account
)

func variedPrincipal(p int) string {
	kind := "role"
	if p%3 == 0 {
		kind = "user"
	}
	return fmt.Sprintf("arn:aws:iam::%s:%s/app-%d", variedCallers[p%6], kind, p%5)
}

const variedPrincipals = 12

// accountOf is the account of an IAM ARN.
func accountOf(arn string) string { return strings.Split(arn, ":")[4] }

// statement is one policy statement; json.Marshal writes its keys sorted.
type stmt = map[string]any

// varied draws a folder's policies from one generator.
type varied struct {
	r             *rand.Rand
	buckets, keys int
}

func (v *varied) bucketAccount(b int) string {
	if b%11 == 0 {
		return variedCallers[b%6] // a bucket in a caller's own account
	}
	return variedResources[b%2]
}

func (v *varied) keyARN(k int) string {
	return fmt.Sprintf("arn:aws:kms:us-east-1:%s:key/%08d-0000-4000-8000-000000000000", variedResources[k%2], k)
}

func bucketARN(b int) string  { return "arn:aws:s3:::" + bucketName(b) }
func objectsARN(b int) string { return "arn:aws:s3:::" + bucketName(b) + "/*" }

func pick[T any](v *varied, items []T) T { return items[v.r.IntN(len(items))] }

// between draws an int in [lo, hi].
func (v *varied) between(lo, hi int) int { return lo + v.r.IntN(hi-lo+1) }

// document is a policy; 3 % of them lack the Version.
func (v *varied) document(statements ...stmt) []byte {
	d := map[string]any{"Version": "2012-10-17", "Statement": statements}
	if v.r.Float64() < 0.03 {
		delete(d, "Version")
	}
	src, _ := json.MarshalIndent(d, "", "  ")
	return append(src, '\n')
}

var variedActions = [][]string{
	{"s3:GetObject"}, {"s3:PutObject"}, {"s3:GetObject", "s3:PutObject"}, {"s3:Get*"}, {"s3:*"}, {"s3:List*"},
	{"s3:ListBucket"}, {"s3:DeleteObject"}, {"s3:PutObjectAcl"}, {"s3:GetObjectVersion", "s3:GetObject"},
}

// variedConditions: one statement in three has none.
var variedConditions = []map[string]any{
	nil, nil, nil,
	{"Bool": map[string]any{"aws:SecureTransport": "true"}},
	{"StringEquals": map[string]any{"s3:prefix": []string{"home/"}}},
	{"StringEquals": map[string]any{"aws:PrincipalAccount": variedCallers[0]}},
	{"IpAddress": map[string]any{"aws:SourceIp": "203.0.113.0/24"}},
	{"StringEquals": map[string]any{"s3:x-amz-server-side-encryption": "aws:kms"}},
	{"StringNotEquals": map[string]any{"aws:PrincipalOrgID": variedOrg}},
}

// identityStatement is an Allow by Action and Resource, or one of the
// rarer shapes: NotAction, NotResource, a Deny, a wildcard resource.
func (v *varied) identityStatement(j int) stmt {
	st := stmt{"Sid": fmt.Sprintf("S%d", j), "Effect": "Allow"}
	b := v.r.IntN(v.buckets)
	switch r := v.r.Float64(); {
	case r < 0.08:
		st["NotAction"] = []string{"s3:DeleteObject", "s3:DeleteBucket"}
		if v.r.Float64() < 0.5 {
			st["Resource"] = "*"
		} else {
			st["Resource"] = []string{objectsARN(b), bucketARN(b)}
		}
	case r < 0.14:
		st["Action"] = pick(v, variedActions)
		st["NotResource"] = []string{objectsARN(v.r.IntN(v.buckets))}
	case r < 0.24:
		st["Effect"] = "Deny"
		st["Action"] = pick(v, variedActions)
		if v.r.Float64() < 0.7 {
			st["Resource"] = []string{objectsARN(b)}
		} else {
			st["Resource"] = []string{"arn:aws:s3:::data-0*/*"}
		}
	default:
		st["Action"] = pick(v, variedActions)
		st["Resource"] = v.identityResources()
	}
	if c := pick(v, variedConditions); c != nil {
		st["Condition"] = c
	}
	return st
}

func (v *varied) identityResources() []string {
	var res []string
	for range v.between(1, 3) {
		b := v.r.IntN(v.buckets)
		if v.r.Float64() < 0.6 {
			res = append(res, objectsARN(b))
		} else {
			res = append(res, objectsARN(b), bucketARN(b))
		}
	}
	if v.r.Float64() < 0.05 {
		res = []string{"arn:aws:s3:::data-00*/*"}
	}
	if v.r.Float64() < 0.03 {
		res = []string{"*"}
	}
	return res
}

// identity is one to four statements, and in three policies of ten a
// statement on a KMS key.
func (v *varied) identity() []byte {
	var sts []stmt
	for j := range v.between(1, 4) {
		sts = append(sts, v.identityStatement(j))
	}
	if v.r.Float64() < 0.3 {
		sts = append(sts, stmt{"Sid": "Keys", "Effect": "Allow",
			"Action":   pick(v, [][]string{{"kms:Decrypt"}, {"kms:Decrypt", "kms:GenerateDataKey"}, {"kms:*"}}),
			"Resource": []string{v.keyARN(v.r.IntN(v.keys))}})
	}
	return v.document(sts...)
}

// grantee is a bucket policy's Principal, and the condition that narrows
// "*" when it is one: a principal, an account's root or number, "*" with
// an account or the organisation, a near miss of a caller, two principals.
func (v *varied) grantee() (any, map[string]any) {
	r, p := v.r.Float64(), variedPrincipal(v.r.IntN(variedPrincipals))
	switch {
	case r < 0.45:
		return map[string]any{"AWS": p}, nil
	case r < 0.6:
		return map[string]any{"AWS": "arn:aws:iam::" + accountOf(p) + ":root"}, nil
	case r < 0.7:
		return map[string]any{"AWS": accountOf(p)}, nil
	case r < 0.8:
		return "*", map[string]any{"StringEquals": map[string]any{"aws:PrincipalAccount": pick(v, variedCallers)}}
	case r < 0.86:
		return map[string]any{"AWS": nearMissGrantee}, nil
	case r < 0.93:
		two := []string{variedPrincipal(v.r.IntN(variedPrincipals)), variedPrincipal(v.r.IntN(variedPrincipals))}
		return map[string]any{"AWS": two}, nil
	}
	return "*", map[string]any{"StringEquals": map[string]any{"aws:PrincipalOrgID": variedOrg}}
}

// bucket is one to three grants and, in half the policies, a Deny: TLS
// only, callers only, NotPrincipal, KMS only, or one principal.
func (v *varied) bucket(b int) []byte {
	var sts []stmt
	for j := range v.between(1, 3) {
		principal, cond := v.grantee()
		st := stmt{"Sid": fmt.Sprintf("Grant%d", j), "Effect": "Allow", "Principal": principal,
			"Action":   pick(v, append(slices.Clip(variedActions), []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket"})),
			"Resource": pick(v, [][]string{{bucketARN(b), objectsARN(b)}, {objectsARN(b)}, {bucketARN(b)}})}
		if cond != nil {
			st["Condition"] = cond
		}
		sts = append(sts, st)
	}
	deny := func(sid string, principal any, action string, resources []string, cond map[string]any) stmt {
		st := stmt{"Sid": sid, "Effect": "Deny", "Principal": principal, "Action": action, "Resource": resources}
		if cond != nil {
			st["Condition"] = cond
		}
		return st
	}
	switch r := v.r.Float64(); {
	case r < 0.2:
		sts = append(sts, deny("TLS", "*", "s3:*", []string{bucketARN(b), objectsARN(b)},
			map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}}))
	case r < 0.3:
		sts = append(sts, deny("OnlyCallers", "*", "s3:*", []string{objectsARN(b)},
			map[string]any{"StringNotEquals": map[string]any{"aws:PrincipalAccount": variedCallers[:3]}}))
	case r < 0.36:
		st := deny("NotP", nil, "s3:PutObject", []string{objectsARN(b)}, nil)
		delete(st, "Principal")
		st["NotPrincipal"] = map[string]any{"AWS": variedPrincipal(v.r.IntN(variedPrincipals))}
		sts = append(sts, st)
	case r < 0.44:
		sts = append(sts, deny("KMSOnly", "*", "s3:PutObject", []string{objectsARN(b)},
			map[string]any{"StringNotEquals": map[string]any{"s3:x-amz-server-side-encryption": "aws:kms"}}))
	case r < 0.5:
		sts = append(sts, deny("DenyDelete", map[string]any{"AWS": variedPrincipal(v.r.IntN(variedPrincipals))}, "s3:*", []string{objectsARN(b)}, nil))
	}
	return v.document(sts...)
}

// escaped writes a grantee's account or the bucket's name with a JSON \u
// escape (the engine reads the decoded string).
func (v *varied) escaped(src []byte) []byte {
	if v.r.Float64() < 0.5 {
		return []byte(strings.Replace(string(src), "111122220", `1111\u00322220`, 1))
	}
	return []byte(strings.Replace(string(src), "data-", `data\u002d`, 1))
}

// key lets its account administer it and one to four callers use it.
func (v *varied) key(k int) []byte {
	use := pick(v, [][]string{{"kms:Decrypt", "kms:GenerateDataKey"}, {"kms:Decrypt"}, {"kms:*"}, {"kms:GenerateDataKey*", "kms:Decrypt"}})
	callers := slices.Clone(variedCallers)
	v.r.Shuffle(len(callers), func(i, j int) { callers[i], callers[j] = callers[j], callers[i] })
	var roots []string
	for _, a := range callers[:v.between(1, 4)] {
		roots = append(roots, "arn:aws:iam::"+a+":root")
	}
	return v.document(
		stmt{"Sid": "Admin", "Effect": "Allow", "Principal": map[string]any{"AWS": "arn:aws:iam::" + variedResources[k%2] + ":root"}, "Action": "kms:*", "Resource": "*"},
		stmt{"Sid": "Use", "Effect": "Allow", "Principal": map[string]any{"AWS": roots}, "Action": use, "Resource": "*"})
}

// endpoint allows every data-* bucket, three buckets, one principal, or
// everything but DeleteObject to one caller account.
func (v *varied) endpoint() []byte {
	st := stmt{"Sid": "E", "Effect": "Allow", "Principal": "*"}
	switch r := v.r.Float64(); {
	case r < 0.4:
		st["Action"] = []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket"}
		st["Resource"] = []string{"arn:aws:s3:::data-*", "arn:aws:s3:::data-*/*"}
	case r < 0.7:
		var res []string
		for range 3 {
			b := v.r.IntN(v.buckets)
			res = append(res, bucketARN(b), objectsARN(b))
		}
		st["Action"], st["Resource"] = "s3:*", res
	case r < 0.85:
		st["Principal"] = map[string]any{"AWS": variedPrincipal(v.r.IntN(variedPrincipals))}
		st["Action"], st["Resource"] = "s3:*", "*"
	default:
		st["NotAction"], st["Resource"] = "s3:DeleteObject", "*"
		st["Condition"] = map[string]any{"StringEquals": map[string]any{"aws:PrincipalAccount": pick(v, variedCallers)}}
	}
	return v.document(st)
}

// scp is a deny list (by Action, by NotAction, by condition), an allow
// list of everything with a Deny, or an allow list of s3:Get*/Put*/List*.
func (v *varied) scp() []byte {
	switch r := v.r.Float64(); {
	case r < 0.35:
		return v.document(stmt{"Sid": "Protect", "Effect": "Deny", "Action": []string{"s3:DeleteBucket", "s3:PutBucketPolicy"}, "Resource": "*"})
	case r < 0.55:
		return v.document(stmt{"Sid": "ReadOnly", "Effect": "Deny", "NotAction": []string{"s3:Get*", "s3:List*"}, "Resource": "*"})
	case r < 0.75:
		return v.document(stmt{"Sid": "KMS", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*",
			"Condition": map[string]any{"StringNotEquals": map[string]any{"s3:x-amz-server-side-encryption": "aws:kms"}}})
	case r < 0.85:
		return v.document(stmt{"Sid": "AllowAll", "Effect": "Allow", "Action": "*", "Resource": "*"},
			stmt{"Sid": "NoBucket", "Effect": "Deny", "Action": "s3:*", "Resource": []string{objectsARN(v.r.IntN(v.buckets))}})
	}
	return v.document(stmt{"Sid": "AllowS3", "Effect": "Allow", "Action": []string{"s3:Get*", "s3:Put*", "s3:List*"}, "Resource": "*"})
}

// rcp denies every principal outside the organisation.
func (v *varied) rcp() []byte {
	return v.document(stmt{"Sid": "OrgOnly", "Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*",
		"Condition": map[string]any{"StringNotEqualsIfExists": map[string]any{"aws:PrincipalOrgID": variedOrg},
			"BoolIfExists": map[string]any{"aws:PrincipalIsAWSService": "false"}}})
}

func (v *varied) boundary() []byte {
	return v.document(stmt{"Sid": "B", "Effect": "Allow",
		"Action":   pick(v, [][]string{{"s3:GetObject", "s3:ListBucket"}, {"s3:*"}, {"s3:Get*"}}),
		"Resource": pick(v, [][]string{{"*"}, {"arn:aws:s3:::data-0*", "arn:aws:s3:::data-0*/*"}})})
}

func (v *varied) session() []byte {
	return v.document(stmt{"Sid": "Sess", "Effect": "Allow", "Action": pick(v, [][]string{{"s3:GetObject"}, {"s3:*"}}),
		"Resource": []string{"arn:aws:s3:::data-*/*"}})
}

type variedBucket struct {
	Account         string `json:"account"`
	ObjectOwnership string `json:"objectOwnership"`
	Encryption      string `json:"encryption,omitempty"`
	KMSKeyARN       string `json:"kmsKeyArn,omitempty"`
	RequesterPays   bool   `json:"requesterPays,omitempty"`
}

type variedConfig struct {
	Accounts []string                `json:"accounts"`
	Buckets  map[string]variedBucket `json:"buckets"`
	Files    map[string]configFile   `json:"files"`
}

// WriteVaried writes n varied policies, a few boundaries and session
// policies, and the .s3policy.json (one entry a file: keep n at 5,000 or
// below for the config's 1 MB) into dir. Of every ten policies four are
// identity policies, three bucket policies, one a key, one an endpoint
// policy and one an SCP or, every fourth time, an RCP; 100 to a subfolder.
func WriteVaried(dir string, n int, opt Varied) (Layout, error) {
	v := &varied{r: rand.New(rand.NewPCG(opt.Seed, 21)), buckets: max(4, n/8), keys: max(2, n/40)}
	files := map[string][]byte{}
	cfg := variedConfig{Accounts: variedCallers, Buckets: map[string]variedBucket{}, Files: map[string]configFile{}}
	l := Layout{}
	var buckets, keys, endpoints, orgs int
	for i := range n {
		team := fmt.Sprintf("team-%03d/p%05d", i/100, i)
		switch kindOf[i%10] {
		case "identity":
			p := variedPrincipal(v.r.IntN(variedPrincipals))
			name := team + ".iam-policy.json"
			files[name] = v.identity()
			cfg.Files[name] = configFile{Kind: "identity", Account: accountOf(p), Principal: p}
			if l.Identity == "" {
				l.Identity = name
			}
		case "bucket":
			b := buckets % v.buckets
			buckets++
			name := team + ".bucket-policy.json"
			files[name] = v.bucket(b)
			if opt.Escapes && v.r.Float64() < 0.15 {
				files[name] = v.escaped(files[name])
			}
			cfg.Files[name] = configFile{Kind: "bucket", Account: v.bucketAccount(b), Bucket: bucketName(b)}
			if l.Bucket == "" {
				l.Bucket = name
			}
		case "key":
			name := team + ".key-policy.json"
			files[name] = v.key(keys)
			cfg.Files[name] = configFile{Kind: "key", Account: variedResources[keys%2], Key: v.keyARN(keys)}
			keys++
		case "endpoint":
			name := team + ".endpoint-policy.json"
			files[name] = v.endpoint()
			cfg.Files[name] = configFile{Kind: "endpoint", Account: variedCallers[endpoints%6], Endpoint: endpointID(endpoints)}
			endpoints++
		case "scp":
			if orgs%4 == 3 {
				name := team + ".rcp.json"
				files[name] = v.rcp()
				cfg.Files[name] = configFile{Kind: "rcp", Account: variedResources[orgs%2]}
			} else {
				name := team + ".scp.json"
				files[name] = v.scp()
				cfg.Files[name] = configFile{Kind: "scp", Account: variedCallers[orgs%6]}
			}
			orgs++
		}
	}
	v.principalPolicies(files, cfg.Files)
	for b := range v.buckets {
		cfg.Buckets[bucketName(b)] = v.bucketFacts(b)
	}
	written := map[string]variedConfig{".s3policy.json": cfg}
	if opt.Nested {
		written["team-001/.s3policy.json"] = nest(cfg, v.buckets, "team-001/")
	}
	return l, writeVaried(dir, files, written, &l)
}

// principalPolicies adds a permissions boundary for every third principal
// and a session policy for every fourth.
func (v *varied) principalPolicies(files map[string][]byte, cfg map[string]configFile) {
	for p := range variedPrincipals {
		arn := variedPrincipal(p)
		if p%3 == 0 {
			name := fmt.Sprintf("boundaries/b%02d.boundary.json", p)
			files[name] = v.boundary()
			cfg[name] = configFile{Kind: "boundary", Account: accountOf(arn), Principal: arn}
		}
		if p%4 == 1 {
			name := fmt.Sprintf("sessions/s%02d.session-policy.json", p)
			files[name] = v.session()
			cfg[name] = configFile{Kind: "session", Account: accountOf(arn), Principal: arn}
		}
	}
}

// bucketFacts: one of the three object-ownership settings, SSE-KMS with a
// key, AES256 or none, and Requester Pays on one bucket in ten.
func (v *varied) bucketFacts(b int) variedBucket {
	f := variedBucket{Account: v.bucketAccount(b), ObjectOwnership: pick(v, []string{"BucketOwnerEnforced", "BucketOwnerPreferred", "ObjectWriter"})}
	switch r := v.r.Float64(); {
	case r < 0.5:
		f.Encryption, f.KMSKeyARN = "aws:kms", v.keyARN(v.r.IntN(v.keys))
	case r < 0.9:
		f.Encryption = "AES256"
	}
	f.RequesterPays = v.r.Float64() < 0.1
	return f
}

// nest moves the files under prefix out of cfg into a config of their
// own, with other facts: three caller accounts, the first half of the
// buckets, and data-00001 in a caller's account with Requester Pays.
func nest(cfg variedConfig, buckets int, prefix string) variedConfig {
	sub := variedConfig{Accounts: variedCallers[:3], Buckets: map[string]variedBucket{}, Files: map[string]configFile{}}
	for name, f := range cfg.Files {
		if rest, ok := strings.CutPrefix(name, prefix); ok {
			sub.Files[rest] = f
			delete(cfg.Files, name)
		}
	}
	for b := range buckets / 2 {
		sub.Buckets[bucketName(b)] = cfg.Buckets[bucketName(b)]
	}
	moved := cfg.Buckets[bucketName(1)]
	moved.Account, moved.RequesterPays = variedCallers[1], true
	sub.Buckets[bucketName(1)] = moved
	return sub
}

// writeVaried writes the policies and the configs, counting the policies
// in l.
func writeVaried(dir string, files map[string][]byte, configs map[string]variedConfig, l *Layout) error {
	write := func(name string, src []byte) error {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		return os.WriteFile(p, src, 0o644)
	}
	for name, src := range files {
		if err := write(name, src); err != nil {
			return err
		}
		l.Files++
		l.Bytes += int64(len(src))
	}
	for name, cfg := range configs {
		src, err := json.MarshalIndent(cfg, "", " ")
		if err != nil {
			return err
		}
		if err := write(path.Clean(name), append(src, '\n')); err != nil {
			return err
		}
	}
	return nil
}
