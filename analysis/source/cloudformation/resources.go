package cloudformation

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// policyProperty is a property of a resource type that holds a policy,
// with the kind the resource makes it.
type policyProperty struct {
	prop string
	kind analysis.Kind
}

// policyProperties lists, per resource type, where its policies are;
// built when the first template is read, not when the program starts.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html
var policyProperties = sync.OnceValue(func() map[string][]policyProperty {
	return map[string][]policyProperty{
		"AWS::S3::BucketPolicy":                 {{"PolicyDocument", analysis.KindBucket}},
		"AWS::S3::AccessPoint":                  {{"Policy", analysis.KindBucket}},
		"AWS::S3::AccessPointPolicy":            {{"PolicyDocument", analysis.KindBucket}},
		"AWS::S3::MultiRegionAccessPointPolicy": {{"Policy", analysis.KindBucket}},
		"AWS::IAM::Policy":                      {{"PolicyDocument", analysis.KindIdentity}},
		"AWS::IAM::ManagedPolicy":               {{"PolicyDocument", analysis.KindIdentity}},
		"AWS::IAM::RolePolicy":                  {{"PolicyDocument", analysis.KindIdentity}},
		"AWS::IAM::UserPolicy":                  {{"PolicyDocument", analysis.KindIdentity}},
		"AWS::IAM::GroupPolicy":                 {{"PolicyDocument", analysis.KindIdentity}},
		"AWS::IAM::Role":                        {{"AssumeRolePolicyDocument", analysis.KindTrust}},
		"AWS::KMS::Key":                         {{"KeyPolicy", analysis.KindKey}},
		"AWS::KMS::ReplicaKey":                  {{"KeyPolicy", analysis.KindKey}},
		"AWS::EC2::VPCEndpoint":                 {{"PolicyDocument", analysis.KindEndpoint}},
		"AWS::SQS::QueuePolicy":                 {{"PolicyDocument", analysis.KindResource}},
		"AWS::SNS::TopicPolicy":                 {{"PolicyDocument", analysis.KindResource}},
		"AWS::SecretsManager::ResourcePolicy":   {{"ResourcePolicy", analysis.KindResource}},
		"AWS::ECR::Repository":                  {{"RepositoryPolicyText", analysis.KindResource}},
		"AWS::Logs::ResourcePolicy":             {{"PolicyDocument", analysis.KindResource}},
		"AWS::OpenSearchService::Domain":        {{"AccessPolicies", analysis.KindResource}},
		"AWS::Elasticsearch::Domain":            {{"AccessPolicies", analysis.KindResource}},
		"AWS::Backup::BackupVault":              {{"AccessPolicy", analysis.KindResource}},
		"AWS::EFS::FileSystem":                  {{"FileSystemPolicy", analysis.KindResource}},
	}
})

// maxNesting bounds templates inside templates (stack sets).
const maxNesting = 5

// inlinePolicies says whether the type's Policies list holds
// {PolicyName, PolicyDocument} entries: identity policies.
func inlinePolicies(typ string) bool {
	switch typ {
	case "AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group":
		return true
	}
	return false
}

// samPolicies says whether the type is a SAM type whose Policies may hold
// policy documents (beside managed policy names and SAM policy templates).
func samPolicies(typ string) bool {
	switch typ {
	case "AWS::Serverless::Function", "AWS::Serverless::StateMachine":
		return true
	}
	return false
}

// readTemplate finds the policies of the resources of a template.
// prefix names the Resources mapping in the file ("Resources", or
// "resources.Resources" in serverless.yml); stack is the account its
// stack is made in (the zero value: the file's own).
func readTemplate(src []byte, root, resources *node, prefix string, depth int, stack stackAccount) source.Result {
	if resources == nil || resources.kind != mappingNode {
		return source.Result{}
	}
	t := newTemplate(src, root, resources)
	t.stack = stack
	t.boundaries = t.findBoundaries()
	var res source.Result
	for i, key := range resources.keys {
		id, r := key.value(), resources.vals[i]
		typ := r.get("Type").value()
		props := r.get("Properties")
		if props == nil {
			continue
		}
		for _, pp := range policyProperties()[typ] {
			if doc := props.get(pp.prop); doc != nil {
				name := prefix + "." + id
				if typ == "AWS::IAM::Role" {
					name += "." + pp.prop
				}
				res.Docs = append(res.Docs, t.document(doc, name, t.kindOf(id, typ, pp.kind), typ+" "+id, t.facts(typ, props)))
			}
		}
		if inlinePolicies(typ) {
			facts := t.principalFacts(typ, props)
			for j, p := range props.get("Policies").list() {
				if doc := t.chosen(p).get("PolicyDocument"); doc != nil {
					res.Docs = append(res.Docs, t.document(doc, fmt.Sprintf("%s.%s.Policies[%d]", prefix, id, j), analysis.KindIdentity, typ+" "+id, facts))
				}
			}
		}
		if typ == "AWS::Organizations::Policy" {
			if kind := orgPolicyKind(props.get("Type").value()); kind != analysis.KindUnknown {
				if doc := props.get("Content"); doc != nil {
					res.Docs = append(res.Docs, t.document(doc, prefix+"."+id, kind, typ+" "+id, nil))
				}
			}
		}
		if samPolicies(typ) {
			res.Docs = append(res.Docs, t.samDocuments(prefix+"."+id, typ+" "+id, props.get("Policies"))...)
		}
		if body := props.get("TemplateBody"); typ == "AWS::CloudFormation::StackSet" && body.isMapping() && depth < maxNesting {
			// A stack set's template written in place is a template, whose
			// stacks are made in the stack set's target accounts.
			nested := readTemplate(src, body, body.get("Resources"), prefix+"."+id+".TemplateBody.Resources", depth+1, t.stackSetTargets(props))
			res.Docs = append(res.Docs, nested.Docs...)
			res.Buckets = append(res.Buckets, nested.Buckets...)
		}
		if typ == "AWS::S3::Bucket" {
			if b := t.bucketFacts(props); b != nil {
				res.Buckets = append(res.Buckets, b)
			}
		}
	}
	return res
}

// document writes one policy of the template.
func (t *template) document(n *node, name string, kind analysis.Kind, reason string, facts *analysis.FileFacts) analysis.Document {
	w := newWriter(t)
	text, m := w.document(n)
	return analysis.Document{Name: name, Text: text, Host: m, Kind: kind, KindReason: reason, Facts: facts}
}

// kindOf is the kind of a policy, except that a managed policy a
// PermissionsBoundary names is a boundary.
func (t *template) kindOf(id, typ string, kind analysis.Kind) analysis.Kind {
	if typ == "AWS::IAM::ManagedPolicy" && t.boundaries[id] != "" {
		return analysis.KindBoundary
	}
	return kind
}

// findBoundaries maps each managed policy of the template that a role's
// or user's PermissionsBoundary refers to (!Ref, or ${Id} in !Sub) to
// the role or user.
func (t *template) findBoundaries() map[string]string {
	out := map[string]string{}
	for i, key := range t.resources.keys {
		r := t.resources.vals[i]
		pb := r.path("Properties", "PermissionsBoundary")
		if pb == nil {
			continue
		}
		fn, arg, isFn := pb.intrinsic()
		switch {
		case isFn && fn == "Ref":
			out[arg.value()] = key.value()
		case isFn && fn == "Sub" && arg.kind == scalarNode:
			v := arg.value()
			if strings.HasPrefix(v, "${") && strings.HasSuffix(v, "}") {
				out[v[2:len(v)-1]] = key.value()
			}
		}
	}
	return out
}

// facts are what a resource says of its policy's owner: the bucket of a
// bucket policy, when the template writes its name; the role or user a
// policy is attached to, when it is the only one and its name is written.
func (t *template) facts(typ string, props *node) *analysis.FileFacts {
	switch typ {
	case "AWS::S3::BucketPolicy":
		if name, ok := t.literal(props.get("Bucket")); ok {
			return &analysis.FileFacts{Bucket: name}
		}
	case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy":
		var owners []*analysis.FileFacts
		for _, list := range []struct{ key, typ string }{{"Roles", "AWS::IAM::Role"}, {"Users", "AWS::IAM::User"}} {
			for _, ref := range props.get(list.key).list() {
				owners = append(owners, t.attachedTo(ref, list.typ))
			}
		}
		if len(owners) == 1 {
			return owners[0]
		}
	case "AWS::EC2::VPCEndpoint":
		// VpcEndpointType defaults to Gateway; a value the template does
		// not write as a literal leaves the type unknown.
		// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ec2-vpcendpoint.html
		et := props.get("VpcEndpointType")
		if et == nil {
			return &analysis.FileFacts{EndpointType: analysis.EndpointGateway}
		}
		if t, ok := t.literal(et); ok && (t == analysis.EndpointGateway || t == analysis.EndpointInterface) {
			return &analysis.FileFacts{EndpointType: t}
		}
	case "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy":
		key, owner := "RoleName", "AWS::IAM::Role"
		if typ == "AWS::IAM::UserPolicy" {
			key, owner = "UserName", "AWS::IAM::User"
		}
		return t.attachedTo(props.get(key), owner)
	}
	return nil
}

// attachedTo is the principal named by a role or user reference: !Ref of
// a role or user of the template whose name is written.
func (t *template) attachedTo(ref *node, typ string) *analysis.FileFacts {
	if fn, arg, isFn := ref.intrinsic(); isFn && fn == "Ref" {
		if r := t.resource(arg.value(), typ); r != nil {
			return t.principalFacts(typ, r.get("Properties"))
		}
		return nil
	}
	return nil // a role of another stack: its path is not known here
}

// stackAccount is the account a stack set's body is made in: each of
// the stack set's target accounts, never the administrator's, whose
// account .s3policy.json gives the template. set marks a stack set's
// body; account is its one target account when the stack set lists its
// targets' accounts literally and they are one, else "" (unknown: an
// organizational unit's accounts, several accounts, a parameter).
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudformation-stackset.html
type stackAccount struct {
	set     bool
	account string
}

// stackSetTargets is the account the stack set's body is made in: the
// one account its StackInstancesGroup's DeploymentTargets list, when
// they list Accounts only, and the same one.
func (t *template) stackSetTargets(props *node) stackAccount {
	out := stackAccount{set: true}
	var accounts []string
	for _, g := range props.get("StackInstancesGroup").list() {
		targets := t.chosen(g).get("DeploymentTargets")
		if targets == nil || targets.get("OrganizationalUnitIds") != nil || targets.get("AccountsUrl") != nil {
			return out
		}
		list := targets.get("Accounts").list()
		if len(list) == 0 {
			return out
		}
		for _, a := range list {
			id, ok := t.literal(a)
			if !ok || len(id) != 12 || strings.Trim(id, "0123456789") != "" { // not an account ID
				return out
			}
			if !slices.Contains(accounts, id) {
				accounts = append(accounts, id)
			}
		}
	}
	if len(accounts) == 1 {
		out.account = accounts[0]
	}
	return out
}

// principalFacts name a role or user of the template as the principal of
// its policies, when the template writes its name. Its account is the
// stack's: ${AWS::AccountId}, which the account .s3policy.json gives the
// template fills in (analysis.Document.Facts); in a stack set's body, the
// stack set's one target account, and none when that is not known.
func (t *template) principalFacts(typ string, props *node) *analysis.FileFacts {
	key := "RoleName"
	if typ == "AWS::IAM::User" {
		key = "UserName"
	} else if typ != "AWS::IAM::Role" {
		return nil
	}
	name, ok := t.literal(props.get(key))
	if !ok {
		return nil
	}
	path := "/"
	if p := props.get("Path"); p != nil {
		if path, ok = t.literal(p); !ok {
			return nil
		}
	}
	arn := principalARN(typ, path, name)
	if t.stack.set {
		if t.stack.account == "" {
			return nil // a role in each target account: not the template's
		}
		arn = strings.NewReplacer("${AWS::Partition}", "aws", "${AWS::AccountId}", t.stack.account).Replace(arn)
		return &analysis.FileFacts{Principal: arn, Account: t.stack.account}
	}
	return &analysis.FileFacts{Principal: arn}
}

// principalARN is a role's or user's ARN in the stack's account.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html#identifiers-arns
func principalARN(typ, path, name string) string {
	kind := "role"
	if typ == "AWS::IAM::User" {
		kind = "user"
	}
	return "arn:${AWS::Partition}:iam::${AWS::AccountId}:" + kind + path + name
}

func orgPolicyKind(typ string) analysis.Kind {
	switch typ {
	case "SERVICE_CONTROL_POLICY":
		return analysis.KindSCP
	case "RESOURCE_CONTROL_POLICY":
		return analysis.KindRCP
	}
	return analysis.KindUnknown
}

// samDocuments reads a SAM function's Policies: a policy document, or a
// list whose mappings with a Statement are documents (managed policy
// names and SAM policy templates are not).
// https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-resource-function.html#sam-function-policies
func (t *template) samDocuments(name, reason string, policies *node) []analysis.Document {
	if policies == nil {
		return nil
	}
	if policies.get("Statement") != nil {
		return []analysis.Document{t.document(policies, name+".Policies", analysis.KindIdentity, reason, nil)}
	}
	var out []analysis.Document
	for i, p := range policies.list() {
		if p = t.chosen(p); p.get("Statement") != nil {
			out = append(out, t.document(p, fmt.Sprintf("%s.Policies[%d]", name, i), analysis.KindIdentity, reason, nil))
		}
	}
	return out
}

// bucketFacts are the settings of a bucket with a written name that the
// workspace's checks use: its default encryption and object ownership.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-s3-bucket.html
func (t *template) bucketFacts(props *node) *analysis.BucketFacts {
	name, ok := t.literal(props.get("BucketName"))
	if !ok {
		return nil
	}
	b := &analysis.BucketFacts{Name: name}
	for _, rule := range props.path("BucketEncryption", "ServerSideEncryptionConfiguration").list() {
		def := rule.get("ServerSideEncryptionByDefault")
		if alg, ok := t.literal(def.get("SSEAlgorithm")); ok {
			b.Encryption = alg
		}
		if key, ok := t.literal(def.get("KMSMasterKeyID")); ok {
			b.KMSKeyARN = key
		}
	}
	for _, rule := range props.path("OwnershipControls", "Rules").list() {
		if own, ok := t.literal(rule.get("ObjectOwnership")); ok {
			b.ObjectOwnership = own
		}
	}
	if b.Encryption == "" && b.ObjectOwnership == "" {
		return nil
	}
	return b
}
