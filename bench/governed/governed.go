// Package governed writes a governed folder for the benchmarks: policies
// with one .s3policy.json at the root that names every file's kind and
// owner, as a team keeps them in one repository.
//
// Of every ten files four are identity policies, three bucket policies,
// one a KMS key policy, one a VPC endpoint policy and one an SCP. The
// identity policies belong to a few principals (Principals, round robin,
// in four caller accounts), so a principal's policies grow with the
// folder; each bucket policy grants two of those principals by role ARN
// and every third also a caller account's root, in the resource account.
// Some of what the buckets grant is not allowed on the caller's side
// (each identity policy names three buckets), some buckets need a KMS key
// whose policy lacks kms:GenerateDataKey, some SCPs deny unencrypted
// uploads and some endpoint policies name only a few buckets: the
// cross-file findings of issue 16, whose related locations grow with the
// folder. The same n gives the same folder.
package governed

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Principals is how many principals own the identity policies.
const Principals = 8

// ResourceAccount owns every bucket and key.
const ResourceAccount = "444455556666"

// Layout names the files of a written folder that the benchmarks edit,
// relative to its root, with forward slashes.
type Layout struct {
	Identity string // the first identity policy
	Bucket   string // the first bucket policy
	Files    int    // policies written, the config not counted
	Bytes    int64  // their size
}

// kinds of the files, by index modulo 10.
var kindOf = [10]string{"identity", "bucket", "identity", "bucket", "identity", "bucket", "identity", "key", "endpoint", "scp"}

var suffixOf = map[string]string{
	"identity": ".iam-policy.json", "bucket": ".bucket-policy.json", "key": ".key-policy.json",
	"endpoint": ".endpoint-policy.json", "scp": ".scp.json",
}

// folder counts the files of each kind and numbers each file within its kind.
type folder struct {
	n     int
	count map[string]int
}

func newFolder(n int) *folder {
	f := &folder{n: n, count: map[string]int{}}
	for i := range n {
		f.count[kindOf[i%10]]++
	}
	return f
}

// ordinal is the number of file i among the files of its kind.
func ordinal(i int) int {
	k := kindOf[i%10]
	n := 0
	for j := range i % 10 {
		if kindOf[j] == k {
			n++
		}
	}
	per := 0
	for _, kk := range kindOf {
		if kk == k {
			per++
		}
	}
	return i/10*per + n
}

// Path is where file i lies: 100 files to a subfolder. An identity
// policy's name says its principal and an SCP's its account, so that the
// config names them by pattern: one entry a file would take the config
// over the 1 MB that the tools read at 5,000 policies.
func Path(i int) string {
	owner := ""
	switch kindOf[i%10] {
	case "identity":
		owner = fmt.Sprintf(".app-%d", ordinal(i)%Principals)
	case "scp":
		owner = fmt.Sprintf(".acct-%d", ordinal(i)%4)
	}
	return fmt.Sprintf("team-%03d/policy-%05d%s%s", i/100, i, owner, suffixOf[kindOf[i%10]])
}

func callerAccount(a int) string { return fmt.Sprintf("1111222200%02d", a%4) }
func principalARN(p int) string {
	return fmt.Sprintf("arn:aws:iam::%s:role/app-%d", callerAccount(p), p)
}
func bucketName(b int) string { return fmt.Sprintf("data-%05d", b) }
func keyARN(k int) string {
	return fmt.Sprintf("arn:aws:kms:us-east-1:%s:key/%08d-0000-4000-8000-000000000000", ResourceAccount, k)
}
func endpointID(e int) string          { return fmt.Sprintf("vpce-%08x", e+0x0abc0000) }
func (f *folder) keyOf(b int) int      { return b % max(1, f.count["key"]) }
func (f *folder) encrypted(b int) bool { return b%3 != 0 && f.count["key"] > 0 }

// Write writes n policies and the .s3policy.json into dir (created).
func Write(dir string, n int) (Layout, error) {
	f := newFolder(n)
	l := Layout{Files: n}
	for i := range n {
		k, ord := kindOf[i%10], ordinal(i)
		var src []byte
		switch k {
		case "identity":
			src = f.identity(ord)
			if l.Identity == "" {
				l.Identity = Path(i)
			}
		case "bucket":
			src = f.bucket(ord)
			if l.Bucket == "" {
				l.Bucket = Path(i)
			}
		case "key":
			src = f.key(ord)
		case "endpoint":
			src = f.endpoint(ord)
		case "scp":
			src = f.scp(ord)
		}
		path := filepath.Join(dir, filepath.FromSlash(Path(i)))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return l, err
		}
		if err := os.WriteFile(path, src, 0o644); err != nil {
			return l, err
		}
		l.Bytes += int64(len(src))
	}
	cfg, err := f.config()
	if err != nil {
		return l, err
	}
	return l, os.WriteFile(filepath.Join(dir, ".s3policy.json"), cfg, 0o644)
}

// configFile is a file's entry in a .s3policy.json.
type configFile struct {
	Kind      string `json:"kind"`
	Account   string `json:"account"`
	Bucket    string `json:"bucket,omitempty"`
	Principal string `json:"principal,omitempty"`
	Key       string `json:"key,omitempty"`
	Endpoint  string `json:"endpoint,omitempty"`
}

// config is the .s3policy.json: the caller accounts, every bucket with
// its encryption, and every file's kind and owner: by pattern for
// identity policies (their principal), SCPs (their account) and bucket
// policies (the bucket named in them), one entry a file for key and
// endpoint policies (their key and endpoint).
func (f *folder) config() ([]byte, error) {
	type bucket struct {
		Account         string `json:"account"`
		Encryption      string `json:"encryption"`
		KMSKeyARN       string `json:"kmsKeyArn,omitempty"`
		ObjectOwnership string `json:"objectOwnership"`
	}
	var accounts []string
	for a := range 4 {
		accounts = append(accounts, callerAccount(a))
	}
	buckets := map[string]bucket{}
	for b := range f.count["bucket"] {
		bk := bucket{Account: ResourceAccount, Encryption: "AES256", ObjectOwnership: "BucketOwnerEnforced"}
		if f.encrypted(b) {
			bk.Encryption, bk.KMSKeyARN = "aws:kms", keyARN(f.keyOf(b))
		}
		buckets[bucketName(b)] = bk
	}
	files := map[string]configFile{"**/*.bucket-policy.json": {Kind: "bucket", Account: ResourceAccount}} // the bucket from its Resource
	for p := range Principals {
		files[fmt.Sprintf("**/*.app-%d.iam-policy.json", p)] = configFile{Kind: "identity", Account: callerAccount(p), Principal: principalARN(p)}
	}
	for a := range 4 {
		files[fmt.Sprintf("**/*.acct-%d.scp.json", a)] = configFile{Kind: "scp", Account: callerAccount(a)}
	}
	for i := range f.n {
		switch k, ord := kindOf[i%10], ordinal(i); k {
		case "key":
			files[Path(i)] = configFile{Kind: k, Account: ResourceAccount, Key: keyARN(ord)}
		case "endpoint":
			files[Path(i)] = configFile{Kind: k, Account: callerAccount(ord), Endpoint: endpointID(ord)}
		}
	}
	// Written compact, as a generator would: at 10,000 policies it names
	// 3,000 buckets and 2,000 keys and endpoints.
	return json.Marshal(map[string]any{"accounts": accounts, "buckets": buckets, "files": files})
}

// doc lays out a policy's statements as people write them.
func doc(statements ...string) []byte {
	return []byte("{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [\n" + strings.Join(statements, ",\n") + "\n  ]\n}\n")
}

func quoted(items []string) string {
	q := make([]string, len(items))
	for i, s := range items {
		q[i] = fmt.Sprintf("%q", s)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

func statement(sid, effect, principal string, actions, resources []string, condition string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "    {\n      \"Sid\": %q,\n      \"Effect\": %q,\n", sid, effect)
	if principal != "" {
		fmt.Fprintf(&b, "      \"Principal\": %s,\n", principal)
	}
	fmt.Fprintf(&b, "      \"Action\": %s,\n      \"Resource\": %s", quoted(actions), quoted(resources))
	if condition != "" {
		fmt.Fprintf(&b, ",\n      \"Condition\": %s", condition)
	}
	b.WriteString("\n    }")
	return b.String()
}

// identity is identity policy q of principal q mod Principals: objects
// of three buckets, their listing and their keys.
func (f *folder) identity(q int) []byte {
	nb := max(1, f.count["bucket"])
	var objects, buckets, keys []string
	for j := range 3 {
		b := (q*3 + j*7) % nb
		if bucket := "arn:aws:s3:::" + bucketName(b); !slices.Contains(buckets, bucket) {
			objects = append(objects, bucket+"/*")
			buckets = append(buckets, bucket)
		}
		if key := keyARN(f.keyOf(b)); f.encrypted(b) && !slices.Contains(keys, key) {
			keys = append(keys, key)
		}
	}
	sts := []string{
		statement("ReadWriteObjects", "Allow", "", []string{"s3:GetObject", "s3:PutObject"}, objects, ""),
		statement("ListBuckets", "Allow", "", []string{"s3:ListBucket"}, buckets, ""),
	}
	if len(keys) > 0 {
		sts = append(sts, statement("UseBucketKeys", "Allow", "", []string{"kms:Decrypt", "kms:GenerateDataKey"}, keys, ""))
	}
	return doc(sts...)
}

// bucket is the policy of bucket b: two principals by role ARN, every
// third bucket a caller account's root too; TLS required on every
// fourth, SSE-KMS uploads on every seventh.
func (f *folder) bucket(b int) []byte {
	name := bucketName(b)
	objects, bucketARN := "arn:aws:s3:::"+name+"/*", "arn:aws:s3:::"+name
	p1, p2 := b%Principals, (b+3)%Principals
	sts := []string{statement("AppAccess", "Allow",
		fmt.Sprintf("{\"AWS\": %s}", quoted([]string{principalARN(p1), principalARN(p2)})),
		[]string{"s3:GetObject", "s3:PutObject", "s3:ListBucket"}, []string{bucketARN, objects}, "")}
	if b%3 == 0 {
		sts = append(sts, statement("PartnerRead", "Allow",
			fmt.Sprintf("{\"AWS\": \"arn:aws:iam::%s:root\"}", callerAccount(b/3)),
			[]string{"s3:GetObject"}, []string{objects}, ""))
	}
	if b%4 == 0 {
		sts = append(sts, statement("RequireTLS", "Deny", `"*"`, []string{"s3:*"}, []string{bucketARN, objects},
			`{"Bool": {"aws:SecureTransport": "false"}}`))
	}
	if b%7 == 0 {
		sts = append(sts, statement("RequireKMS", "Deny", `"*"`, []string{"s3:PutObject"}, []string{objects},
			`{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}`))
	}
	return doc(sts...)
}

// key is the policy of key k: the owner administers it, the caller
// accounts use it; every fourth key lacks kms:GenerateDataKey.
func (f *folder) key(k int) []byte {
	use := []string{"kms:Decrypt", "kms:GenerateDataKey"}
	if k%4 == 0 {
		use = use[:1]
	}
	var callers []string
	for a := range 4 {
		callers = append(callers, fmt.Sprintf("arn:aws:iam::%s:root", callerAccount(a)))
	}
	return doc(
		statement("EnableIAMPolicies", "Allow", fmt.Sprintf("{\"AWS\": \"arn:aws:iam::%s:root\"}", ResourceAccount), []string{"kms:*"}, []string{"*"}, ""),
		statement("CallersUseKey", "Allow", fmt.Sprintf("{\"AWS\": %s}", quoted(callers)), use, []string{"*"}, ""))
}

// endpoint is the policy of endpoint e: every bucket, or on every fourth
// endpoint a few.
func (f *folder) endpoint(e int) []byte {
	resources := []string{"arn:aws:s3:::data-*", "arn:aws:s3:::data-*/*"}
	if e%4 == 0 {
		resources = nil
		for j := range 3 {
			b := (e + j) % max(1, f.count["bucket"])
			resources = append(resources, "arn:aws:s3:::"+bucketName(b), "arn:aws:s3:::"+bucketName(b)+"/*")
		}
	}
	return doc(statement("ReachDataBuckets", "Allow", `"*"`, []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket"}, resources, ""))
}

// scp is SCP s, a deny list: no bucket deletion or policy change, and on
// every fifth no upload without SSE-KMS.
func (f *folder) scp(s int) []byte {
	sts := []string{statement("ProtectBuckets", "Deny", "", []string{"s3:DeleteBucket", "s3:PutBucketPolicy"}, []string{"*"}, "")}
	if s%5 == 0 {
		sts = append(sts, statement("RequireKMSUploads", "Deny", "", []string{"s3:PutObject"}, []string{"*"},
			`{"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}`))
	}
	return doc(sts...)
}
