package awsimport

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"sort"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

type builder struct {
	files        map[string][]byte
	entries      []entry // .s3policy.json's files, in the order written
	accounts     []string
	buckets      map[string]*bucket
	keys         map[string]*keyInfo // by key ID and by ARN
	accountOfDir map[string]string   // get-caller-identity's account, by folder
	targets      map[string][]target // list-targets-for-policy, by policy ID
	parents      map[string]string   // list-parents: the parent (OU or root) of an account or OU, by its ID
	ouSCPs       bool                // an SCP on an OU was written for the accounts under it (parents)
	warnings     []string
}

// entry is one "files" entry of .s3policy.json.
type entry struct {
	Pattern                                                 string
	Kind, Account, Bucket, Principal, Key, Endpoint, Target string
	EndpointType                                            string // Gateway or Interface, of an endpoint policy
}

type bucket struct {
	account, encryption, kmsKey, ownership string
	requesterPays                          bool
	source                                 string // the input that named the account, for warnings
}

type keyInfo struct{ arn, account string }

// target is what an organization policy is attached to: the root, an OU
// or an account (list-targets-for-policy's TargetId and Type).
type target struct{ id, typ string }

func (b *builder) warn(format string, args ...any) {
	b.warnings = append(b.warnings, fmt.Sprintf(format, args...))
}

func (b *builder) account(id string) {
	if id != "" && !contains(b.accounts, id) {
		b.accounts = append(b.accounts, id)
	}
}

// write adds a policy file with its config entry: by default the file's
// own path; an entry whose pattern is already written is not repeated.
func (b *builder) write(path string, doc []byte, e entry) {
	b.files[path] = doc
	if e.Pattern == "" {
		e.Pattern = path
	}
	for _, old := range b.entries {
		if old.Pattern == e.Pattern {
			return
		}
	}
	b.entries = append(b.entries, e)
}

func (b *builder) read(p parsedInput) error {
	switch p.kind {
	case "caller-identity":
		var id struct{ Account string }
		if err := json.Unmarshal(p.Src, &id); err != nil || id.Account == "" {
			return &FieldError{p.Path, "Account", "missing"}
		}
		b.accountOfDir[filepath.Dir(p.Path)] = id.Account
		b.account(id.Account)
	case "authorization-details":
		return b.authorizationDetails(p)
	case "describe-key":
		return b.describeKey(p)
	case "list-targets":
		return b.listTargets(p)
	case "list-parents":
		return b.listParents(p)
	case "bucket-encryption", "bucket-ownership", "bucket-request-payment":
		return b.bucketSetting(p)
	case "resource-policy":
		return b.resourcePolicy(p)
	case "vpc-endpoints":
		return b.endpoints(p)
	case "describe-policy":
		return b.organizationPolicy(p)
	case "list-policies":
		// Names only: describe-policy gives each policy's content.
	}
	return nil
}

// document reads a policy as the CLI prints it (a JSON object), as the
// API returns it (URL-encoded JSON text) or as JSON text, and indents it.
func document(raw json.RawMessage, file, field string) ([]byte, error) {
	text := []byte(raw)
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if strings.HasPrefix(s, "%7B") || strings.HasPrefix(s, "%7b") {
			if u, err := url.QueryUnescape(s); err == nil {
				s = u
			}
		}
		text = []byte(s)
	}
	var out bytes.Buffer
	if len(bytes.TrimSpace(text)) == 0 {
		return nil, &FieldError{file, field, "missing"}
	}
	if err := json.Indent(&out, text, "", "  "); err != nil {
		return nil, &FieldError{file, field, "not a JSON policy: " + err.Error()}
	}
	out.WriteByte('\n')
	return out.Bytes(), nil
}

// accountOf is the account of an ARN.
func accountOf(arn string) string {
	a, _ := analysis.ParseARN(arn)
	return a.Account
}

// dirAccount is the account get-caller-identity names in the input's
// folder, or "".
func (b *builder) dirAccount(path string) string { return b.accountOfDir[filepath.Dir(path)] }

// bucketOf is the bucket a bucket-level output is about, from its name.
func (b *builder) bucketOf(p parsedInput, command string) (*bucket, error) {
	name := nameBefore(p.Path, command, strings.TrimPrefix(command, "get-"))
	if name == "" {
		return nil, &FieldError{p.Path, "", fmt.Sprintf("the output does not name its bucket: save it as BUCKET.%s.json", command)}
	}
	return b.bucketNamed(name, p.Path), nil
}

func (b *builder) bucketNamed(name, path string) *bucket {
	bk := b.buckets[name]
	if bk == nil {
		bk = &bucket{}
		b.buckets[name] = bk
	}
	if bk.account == "" {
		bk.account, bk.source = b.dirAccount(path), path
	}
	return bk
}

func (b *builder) bucketSetting(p parsedInput) error {
	switch p.kind {
	case "bucket-encryption":
		bk, err := b.bucketOf(p, "get-bucket-encryption")
		if err != nil {
			return err
		}
		var v struct {
			ServerSideEncryptionConfiguration struct {
				Rules []struct {
					ApplyServerSideEncryptionByDefault struct{ SSEAlgorithm, KMSMasterKeyID string }
				}
			}
		}
		if err := json.Unmarshal(p.Src, &v); err != nil || len(v.ServerSideEncryptionConfiguration.Rules) == 0 {
			return &FieldError{p.Path, "ServerSideEncryptionConfiguration.Rules", "missing or not a list of rules"}
		}
		rule := v.ServerSideEncryptionConfiguration.Rules[0].ApplyServerSideEncryptionByDefault
		bk.encryption, bk.kmsKey = rule.SSEAlgorithm, rule.KMSMasterKeyID
	case "bucket-ownership":
		bk, err := b.bucketOf(p, "get-bucket-ownership-controls")
		if err != nil {
			return err
		}
		var v struct {
			OwnershipControls struct {
				Rules []struct{ ObjectOwnership string }
			}
		}
		if err := json.Unmarshal(p.Src, &v); err != nil || len(v.OwnershipControls.Rules) == 0 {
			return &FieldError{p.Path, "OwnershipControls.Rules", "missing or not a list of rules"}
		}
		bk.ownership = v.OwnershipControls.Rules[0].ObjectOwnership
	case "bucket-request-payment":
		bk, err := b.bucketOf(p, "get-bucket-request-payment")
		if err != nil {
			return err
		}
		var v struct{ Payer string }
		if err := json.Unmarshal(p.Src, &v); err != nil || v.Payer == "" {
			return &FieldError{p.Path, "Payer", "missing"}
		}
		bk.requesterPays = v.Payer == "Requester"
	}
	return nil
}

// resourcePolicy is the output of s3api get-bucket-policy or kms
// get-key-policy: {"Policy": "..."}; the file's name says which.
func (b *builder) resourcePolicy(p parsedInput) error {
	doc, err := document(p.top["Policy"], p.Path, "Policy")
	if err != nil {
		return err
	}
	if key := nameBefore(p.Path, "get-key-policy", "key-policy"); key != "" || p.top["PolicyName"] != nil {
		return b.keyPolicy(p, key, doc)
	}
	name := nameBefore(p.Path, "get-bucket-policy", "bucket-policy")
	if name == "" {
		return &FieldError{p.Path, "Policy", "the output does not say whose policy it is: save it as BUCKET.get-bucket-policy.json or KEYID.get-key-policy.json"}
	}
	bk := b.bucketNamed(name, p.Path)
	b.write(bucketDir(bk.account)+"/s3/"+safe(name)+".bucket-policy.json", doc,
		entry{Kind: "bucket", Account: bk.account, Bucket: name})
	return nil
}

// aliasFile is the file name (without .describe-key.json) that says a
// describe-key output is of alias/NAME: alias-NAME, a slash in NAME as _.
func aliasFile(alias string) string {
	return "alias-" + strings.ReplaceAll(strings.TrimPrefix(alias, "alias/"), "/", "_")
}

func bucketDir(account string) string {
	if account == "" {
		return "unknown-account"
	}
	return account
}

func (b *builder) describeKey(p parsedInput) error {
	var v struct {
		KeyMetadata struct{ KeyId, Arn, AWSAccountId string }
	}
	if err := json.Unmarshal(p.Src, &v); err != nil || v.KeyMetadata.Arn == "" {
		return &FieldError{p.Path, "KeyMetadata.Arn", "missing"}
	}
	k := &keyInfo{v.KeyMetadata.Arn, first(v.KeyMetadata.AWSAccountId, accountOf(v.KeyMetadata.Arn))}
	b.keys[v.KeyMetadata.KeyId], b.keys[v.KeyMetadata.Arn] = k, k
	if stem := nameBefore(p.Path, "describe-key"); strings.HasPrefix(stem, "alias-") {
		// alias-NAME.describe-key.json: the key alias/NAME points to.
		b.keys[stem] = k
	}
	b.account(k.account)
	return nil
}

// keyPolicy pairs a key policy with the key describe-key names: by the
// file name's key ID, else the one key described.
func (b *builder) keyPolicy(p parsedInput, keyID string, doc []byte) error {
	k := b.keys[keyID]
	if k == nil {
		distinct := map[*keyInfo]bool{}
		for _, v := range b.keys {
			distinct[v] = true
		}
		if len(distinct) != 1 || keyID != "" {
			return &FieldError{p.Path, "Policy", "cannot tell which key the policy is of: save `aws kms describe-key --key-id KEYID` beside it and name this file KEYID.get-key-policy.json"}
		}
		for v := range distinct {
			k = v
		}
	}
	id := k.arn[strings.LastIndex(k.arn, "/")+1:]
	b.write(k.account+"/kms/"+safe(id)+".key-policy.json", doc, entry{Kind: "key", Account: k.account, Key: k.arn})
	return nil
}

func (b *builder) endpoints(p parsedInput) error {
	var v struct {
		VpcEndpoints []struct {
			VpcEndpointId, ServiceName, OwnerId, VpcEndpointType string
			PolicyDocument                                       json.RawMessage
		}
	}
	if err := json.Unmarshal(p.Src, &v); err != nil {
		return &FieldError{p.Path, "VpcEndpoints", err.Error()}
	}
	for i, e := range v.VpcEndpoints {
		if !strings.HasSuffix(e.ServiceName, ".s3") || len(e.PolicyDocument) == 0 {
			continue // only S3 endpoints filter S3 requests
		}
		field := fmt.Sprintf("VpcEndpoints[%d]", i)
		if e.VpcEndpointId == "" {
			return &FieldError{p.Path, field + ".VpcEndpointId", "missing"}
		}
		doc, err := document(e.PolicyDocument, p.Path, field+".PolicyDocument")
		if err != nil {
			return err
		}
		account := first(e.OwnerId, b.dirAccount(p.Path))
		b.account(account)
		b.write(bucketDir(account)+"/vpce/"+safe(e.VpcEndpointId)+".endpoint-policy.json", doc,
			entry{Kind: "endpoint", Account: account, Endpoint: e.VpcEndpointId, EndpointType: endpointType(e.VpcEndpointType)})
	}
	return nil
}

// endpointType is the type describe-vpc-endpoints gives an endpoint, as
// .s3policy.json says it; "" for another (GatewayLoadBalancer) or none.
func endpointType(t string) string {
	if t == analysis.EndpointGateway || t == analysis.EndpointInterface {
		return t
	}
	return ""
}

func (b *builder) listTargets(p parsedInput) error {
	id := nameBefore(p.Path, "list-targets-for-policy")
	if id == "" {
		return &FieldError{p.Path, "Targets", "the output does not name its policy: save it as POLICYID.list-targets-for-policy.json"}
	}
	var v struct {
		Targets []struct{ TargetId, Type string }
	}
	if err := json.Unmarshal(p.Src, &v); err != nil {
		return &FieldError{p.Path, "Targets", err.Error()}
	}
	if b.targets == nil {
		b.targets = map[string][]target{}
	}
	for i, t := range v.Targets {
		if t.TargetId == "" {
			return &FieldError{p.Path, fmt.Sprintf("Targets[%d].TargetId", i), "missing"}
		}
		b.targets[id] = append(b.targets[id], target{t.TargetId, t.Type})
	}
	return nil
}

// organizationPolicy is the output of organizations describe-policy: an
// SCP or an RCP, written once per account it targets.
func (b *builder) organizationPolicy(p parsedInput) error {
	var v struct {
		Policy struct {
			PolicySummary struct{ Id, Name, Type string }
			Content       json.RawMessage
		}
	}
	if err := json.Unmarshal(p.Src, &v); err != nil {
		return &FieldError{p.Path, "Policy", err.Error()}
	}
	sum := v.Policy.PolicySummary
	kind := map[string]string{"SERVICE_CONTROL_POLICY": "scp", "RESOURCE_CONTROL_POLICY": "rcp"}[sum.Type]
	if kind == "" {
		if sum.Type == "" {
			return &FieldError{p.Path, "Policy.PolicySummary.Type", "missing"}
		}
		return nil // tag, backup and AI opt-out policies do not decide access
	}
	doc, err := document(v.Policy.Content, p.Path, "Policy.Content")
	if err != nil {
		return err
	}
	targets, known := b.targets[sum.Id]
	if !known {
		b.warn("%s: no %s.list-targets-for-policy.json: %s %q is taken to apply to every account", p.Path, sum.Id, strings.ToUpper(kind), sum.Name)
	}
	name := safe(first(sum.Name, sum.Id))
	if kind == "scp" && known {
		b.scpFiles(name, doc, targets)
		return nil
	}
	// An RCP only denies (AWS keeps RCPFullAWSAccess at every level):
	// written once for every account when attached to the root or an OU,
	// else once per account.
	accounts := []string{""}
	if known {
		accounts = nil
		for _, t := range targets {
			if t.typ != "ACCOUNT" {
				accounts = []string{""}
				break
			}
			accounts = append(accounts, t.id)
		}
	}
	for _, account := range accounts {
		file := name
		if account != "" {
			file += "." + account
		}
		b.write("organizations/"+kind+"/"+file+"."+kind+".json", doc, entry{Kind: kind, Account: account})
	}
	return nil
}

// scpFiles writes an SCP once per target it is attached to, with the
// target in its entry: at each level of the organization (the root, each
// OU on the way, the account) one of the SCPs attached there must allow,
// so the engine reads the SCPs of one target as one level. An SCP on the
// root is NAME.scp.json, on an account NAME.ACCOUNT.scp.json (that
// account's only), on an OU NAME.OU.ACCOUNT.scp.json for each account
// the saved list-parents outputs put under the OU; without them (the
// other outputs do not say which accounts an OU holds), NAME.OU.scp.json
// for every account, as the root's.
// https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps_evaluation.html
func (b *builder) scpFiles(name string, doc []byte, targets []target) {
	for _, t := range targets {
		file := "organizations/scp/" + name
		switch t.typ {
		case "ROOT":
			b.write(file+".scp.json", doc, entry{Kind: "scp", Target: t.id})
		case "ACCOUNT":
			b.write(file+"."+safe(t.id)+".scp.json", doc, entry{Kind: "scp", Account: t.id, Target: t.id})
		default:
			accounts, known := b.accountsUnder(t.id)
			if !known {
				b.write(file+"."+safe(t.id)+".scp.json", doc, entry{Kind: "scp", Target: t.id})
			}
			b.ouSCPs = b.ouSCPs || known
			for _, a := range accounts {
				b.write(file+"."+safe(t.id)+"."+safe(a)+".scp.json", doc, entry{Kind: "scp", Account: a, Target: t.id})
			}
		}
	}
}

// listParents is the output of organizations list-parents for an account
// or an OU, saved as CHILDID.list-parents.json: its one parent.
func (b *builder) listParents(p parsedInput) error {
	child := nameBefore(p.Path, "list-parents")
	if child == "" {
		return &FieldError{p.Path, "Parents", "the output does not name its child: save it as ACCOUNTID.list-parents.json or OUID.list-parents.json"}
	}
	var v struct {
		Parents []struct{ Id, Type string }
	}
	if err := json.Unmarshal(p.Src, &v); err != nil || len(v.Parents) == 0 || v.Parents[0].Id == "" {
		return &FieldError{p.Path, "Parents", "missing or not a list of parents"}
	}
	if b.parents == nil {
		b.parents = map[string]string{}
	}
	b.parents[child] = v.Parents[0].Id
	return nil
}

// accountsUnder lists, sorted, the accounts whose saved parents lead up to
// the OU; known is false when no account's parents were saved.
func (b *builder) accountsUnder(ou string) (accounts []string, known bool) {
	for child := range b.parents {
		if strings.HasPrefix(child, "ou-") {
			continue // list-parents' children are accounts and OUs
		}
		known = true
		seen := map[string]bool{}
		for at := b.parents[child]; at != "" && !seen[at]; at = b.parents[at] {
			if at == ou {
				accounts = append(accounts, child)
				break
			}
			seen[at] = true
		}
	}
	sort.Strings(accounts)
	return accounts, known
}

func first(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// finish resolves the buckets' keys and writes .s3policy.json.
func (b *builder) finish() error {
	names := make([]string, 0, len(b.buckets))
	for name := range b.buckets {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		bk := b.buckets[name]
		b.account(bk.account)
		if bk.account == "" {
			b.warn("bucket %s: its account is unknown: save `aws sts get-caller-identity` as get-caller-identity.json beside %s", name, bk.source)
		}
		if alias, ok := analysis.KMSAlias(bk.kmsKey); ok {
			// An alias is not a key: only a describe-key of the alias
			// says which key it points to.
			if k := b.keys[aliasFile(alias)]; k != nil {
				bk.kmsKey = k.arn
			} else {
				b.warn("bucket %s: its key %s is an alias: KMS left out; save `aws kms describe-key --key-id %s` as %s.describe-key.json and import again", name, bk.kmsKey, alias, aliasFile(alias))
				bk.encryption, bk.kmsKey = "", ""
			}
		} else if bk.kmsKey != "" && !strings.HasPrefix(bk.kmsKey, "arn:") {
			if k := b.keys[bk.kmsKey]; k != nil {
				bk.kmsKey = k.arn
			} else {
				b.warn("bucket %s: key %s is not an ARN and no describe-key names it: save `aws kms describe-key --key-id %s`", name, bk.kmsKey, bk.kmsKey)
			}
		}
	}
	sort.Strings(b.accounts)
	for _, a := range b.accounts {
		if _, ok := b.parents[a]; b.ouSCPs && !ok {
			b.warn("account %s: no %s.list-parents.json: the SCPs attached to OUs are left out of its requests", a, a)
		}
	}
	b.files[analysis.ConfigName] = b.config(names)
	return nil
}
