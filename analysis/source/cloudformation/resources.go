package cloudformation

import (
	"fmt"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/source"
)

// policyProperty is a property of a resource type that holds a policy,
// with the kind the resource makes it.
type policyProperty struct {
	prop string
	kind analysis.Kind
}

// policyProperties lists, per resource type, where its policies are.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-template-resource-type-ref.html
var policyProperties = map[string][]policyProperty{
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

// maxNesting bounds templates inside templates (stack sets).
const maxNesting = 5

// inlinePolicies are the types whose Policies list holds
// {PolicyName, PolicyDocument} entries: identity policies.
var inlinePolicies = map[string]bool{"AWS::IAM::Role": true, "AWS::IAM::User": true, "AWS::IAM::Group": true}

// samPolicies are the SAM types whose Policies may hold policy
// documents (beside managed policy names and SAM policy templates).
var samPolicies = map[string]bool{"AWS::Serverless::Function": true, "AWS::Serverless::StateMachine": true}

// readTemplate finds the policies of the resources of a template.
// prefix names the Resources mapping in the file ("Resources", or
// "resources.Resources" in serverless.yml).
func readTemplate(src []byte, root, resources *node, prefix string, depth int) source.Result {
	if resources == nil || resources.kind != mappingNode {
		return source.Result{}
	}
	t := newTemplate(src, root, resources)
	t.boundaries = t.findBoundaries()
	var res source.Result
	for i, key := range resources.keys {
		id, r := key.value(), resources.vals[i]
		typ := r.get("Type").value()
		props := r.get("Properties")
		if props == nil {
			continue
		}
		for _, pp := range policyProperties[typ] {
			if doc := props.get(pp.prop); doc != nil {
				name := prefix + "." + id
				if typ == "AWS::IAM::Role" {
					name += "." + pp.prop
				}
				res.Docs = append(res.Docs, t.document(doc, name, t.kindOf(id, typ, pp.kind), typ+" "+id, t.facts(typ, props)))
			}
		}
		if inlinePolicies[typ] {
			for j, p := range props.get("Policies").list() {
				if doc := t.chosen(p).get("PolicyDocument"); doc != nil {
					res.Docs = append(res.Docs, t.document(doc, fmt.Sprintf("%s.%s.Policies[%d]", prefix, id, j), analysis.KindIdentity, typ+" "+id, nil))
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
		if samPolicies[typ] {
			res.Docs = append(res.Docs, t.samDocuments(prefix+"."+id, typ+" "+id, props.get("Policies"))...)
		}
		if body := props.get("TemplateBody"); typ == "AWS::CloudFormation::StackSet" && body.isMapping() && depth < maxNesting {
			// A stack set's template written in place is a template.
			nested := readTemplate(src, body, body.get("Resources"), prefix+"."+id+".TemplateBody.Resources", depth+1)
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
// bucket policy, when the template writes its name.
func (t *template) facts(typ string, props *node) *analysis.FileFacts {
	if typ != "AWS::S3::BucketPolicy" {
		return nil
	}
	if name, ok := t.literal(props.get("Bucket")); ok {
		return &analysis.FileFacts{Bucket: name}
	}
	return nil
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
