package eval

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/bench/governed"
)

// walkScenario is Workspace.Scenario as it was before its cache and the
// statement indexes (issue 16): a walk over the workspace's files for each
// request, a fresh Doc for each policy. The cached scenario must decide
// every request exactly as this one does.
func walkScenario(w *Workspace, req Request) *Scenario {
	p := parsePrincipal(req.Principal)
	bucket := analysis.BucketOfARN(req.Resource)
	s := &Scenario{Request: req, Bucket: w.Buckets[bucket], BucketSource: w.bucketConfig[bucket]}
	account := s.resourceAccount(p)
	vpces := newContext(&req, p, account, "").get("aws:SourceVpce")
	var scpTargets []string // of each level of s.SCPs
	for _, f := range slices.Concat(w.ownedBy(p), w.inScenarios) {
		facts := factsOf(f)
		d := func() *Doc { return &Doc{Name: w.DocName(f), Src: f.Src, Policy: f.Policy, Host: f.Host} }
		switch f.Kind {
		case analysis.KindIdentity:
			if belongsTo(facts, p) {
				s.IdentityPolicies = append(s.IdentityPolicies, d())
			}
		case analysis.KindBoundary:
			if belongsTo(facts, p) {
				s.Boundaries = append(s.Boundaries, d())
			}
		case analysis.KindSession:
			if belongsTo(facts, p) {
				s.SessionPolicy = d()
			}
		case analysis.KindBucket:
			if facts.Bucket == bucket || facts.Bucket == "" && w.bucketNames.base[f][bucket] {
				s.ResourcePolicy = d()
			}
		case analysis.KindKey:
			if s.Bucket != nil && facts.Key != "" && facts.Key == s.Bucket.KMSKeyARN {
				s.KeyPolicy = d()
			}
		case analysis.KindEndpoint:
			if facts.Endpoint == "" || slices.Contains(vpces, facts.Endpoint) {
				s.EndpointPolicies = append(s.EndpointPolicies, d())
			}
		case analysis.KindSCP:
			if facts.Account == "" || facts.Account == p.account {
				// The SCPs of one target are one level.
				if i := slices.IndexFunc(scpTargets, func(t string) bool { return t != "" && t == facts.Target }); i >= 0 {
					s.SCPs[i] = append(s.SCPs[i], d())
				} else {
					s.SCPs, scpTargets = append(s.SCPs, []*Doc{d()}), append(scpTargets, facts.Target)
				}
			}
		case analysis.KindRCP:
			if facts.Account == "" || facts.Account == account {
				s.RCPs = append(s.RCPs, []*Doc{d()})
			}
		}
	}
	for i, level := range s.SCPs {
		s.SCPs[i] = scpLevel(level)
	}
	return s
}

// indexedWorkspace exercises what the statement index must get right:
// NotAction and NotResource, action wildcards and case, template
// placeholders and policy variables in resources and actions, the 2008
// version, conditions on keys the tool cannot know, Deny statements in
// identity policies and SCPs, allow-list and deny-list SCPs, two SCPs of
// one target (one level), SCPs of every account, endpoint policies of one endpoint and of all, a bucket policy
// placed by its Resource, a role's policies used by its sessions.
var indexedWorkspace = map[string]string{
	".s3policy.json": `{"buckets": {"data": {"account": "444455556666", "encryption": "aws:kms", "kmsKeyArn": "arn:aws:kms:us-east-1:444455556666:key/k"},
    "logs": {"account": "444455556666"}, "home": {"account": "111122223333"}},
  "files": {
    "iam/a1.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:role/team/app"},
    "iam/a2.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:role/app"},
    "iam/a3.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:role/team/app"},
    "iam/a4.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:role/team/app"},
    "iam/u.json": {"kind": "identity", "principal": "arn:aws:iam::111122223333:user/alice"},
    "iam/b.json": {"kind": "boundary", "principal": "arn:aws:iam::111122223333:role/team/app"},
    "org/allow-list.json": {"kind": "scp", "account": "111122223333", "target": "111122223333"},
    "org/allow-deletes.json": {"kind": "scp", "target": "111122223333"},
    "org/deny-list.json": {"kind": "scp", "account": "111122223333"},
    "org/every.json": {"kind": "scp"},
    "org/rcp.json": {"kind": "rcp", "account": "444455556666"},
    "net/e1.json": {"kind": "endpoint", "endpoint": "vpce-1"},
    "net/all.json": {"kind": "endpoint"},
    "key.json": {"kind": "key", "key": "arn:aws:kms:us-east-1:444455556666:key/k"},
    "data.json": {"kind": "bucket", "bucket": "data"}, "logs.json": {"kind": "bucket"}}}`,
	"iam/a1.json": `{"Version": "2012-10-17", "Statement": [
    {"Sid": "Listed", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::logs"},
    {"Sid": "Home", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::data/${aws:username}/*"},
    {"Sid": "NotDelete", "Effect": "Allow", "NotAction": ["s3:Delete*", "kms:*"], "Resource": "arn:aws:s3:::logs/*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}},
    {"Sid": "NoPolicy", "Effect": "Deny", "Action": "S3:PUTBUCKETPOLICY", "NotResource": "arn:aws:s3:::home"}]}`,
	"iam/a2.json": `{"Version": "2008-10-17", "Statement": [
    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:Get?bjectVersion"], "Resource": "arn:aws:s3:::data/${aws:username}/*"},
    {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": "arn:aws:kms:us-east-1:444455556666:key/*"}]}`,
	"iam/a3.json": `{"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:PutObject", "Resource": ["${bucket_arn}/*", "arn:aws:s3:::{{ bucket }}/in/*"]},
    {"Effect": "Allow", "Action": "${action}", "Resource": "arn:aws:s3:::data/*"},
    {"Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::data/secret/*"},
    {"Effect": "Allow", "Action": "kms:GenerateDataKey", "Resource": "*", "Condition": {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}}]}`,
	"iam/a4.json": `{"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:GetObject", "NotResource": ["arn:aws:s3:::data/secret/*", "arn:aws:s3:::logs/*"]},
    {"Effect": "Allow", "Action": [], "Resource": "*"},
    {"Effect": "Allow", "Action": "s3:ListBucket"}]}`,
	"iam/u.json":             `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::home/${aws:username}/*"}]}`,
	"iam/b.json":             `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": ["s3:*", "kms:*"], "Resource": "*"}]}`,
	"org/allow-list.json":    `{"Statement": [{"Effect": "Allow", "Action": ["s3:Get*", "s3:List*", "s3:PutObject", "kms:*"], "Resource": "*"}]}`,
	"org/allow-deletes.json": `{"Statement": [{"Effect": "Allow", "Action": "s3:DeleteObject", "Resource": "arn:aws:s3:::home/*"}]}`,
	"org/deny-list.json": `{"Statement": [{"Effect": "Deny", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::data/*",
    "Condition": {"StringNotEquals": {"s3:x-amz-server-side-encryption": "aws:kms"}}}]}`,
	"org/every.json": `{"Statement": [{"Effect": "Deny", "NotAction": ["s3:*", "kms:*"], "Resource": "*"}]}`,
	"org/rcp.json":   `{"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::logs/private/*"}]}`,
	"net/e1.json":    `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]}]}`,
	"net/all.json":   `{"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}`,
	"key.json": `{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, "Action": "kms:Decrypt", "Resource": "*"},
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "kms:*", "Resource": "*"}]}`,
	"data.json": `{"Statement": [{"Effect": "Allow", "Principal": {"AWS": ["arn:aws:iam::111122223333:role/app", "arn:aws:iam::111122223333:user/alice"]},
    "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"], "Resource": ["arn:aws:s3:::data", "arn:aws:s3:::data/*"]}]}`,
	"logs.json": `{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "s3:*", "Resource": ["arn:aws:s3:::logs", "arn:aws:s3:::logs/*"]}]}`,
}

// Every request a workspace's scenario decides is decided exactly as the
// walk over the files decides it, causes and their messages included:
// over the example folders, a generated governed folder, and a workspace
// of the cases the statement index must get right.
func TestIndexedScenariosDecideAsTheWalk(t *testing.T) {
	dirs := map[string]string{"indexed": writeFiles(t, indexedWorkspace)}
	examples, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*"))
	for _, dir := range examples {
		if _, err := os.Stat(filepath.Join(dir, analysis.ConfigName)); err == nil {
			dirs[filepath.Base(dir)] = dir
		}
	}
	gov := t.TempDir()
	if _, err := governed.Write(gov, 40); err != nil {
		t.Fatal(err)
	}
	dirs["governed-40"] = gov
	for name, dir := range dirs {
		w, err := loadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		n, decisions := 0, map[Decision]int{}
		for _, req := range requestsOf(w) {
			got, want := w.Scenario(req), walkScenario(w, req)
			for _, pair := range [][2][]*Doc{{got.IdentityPolicies, want.IdentityPolicies}, {got.Boundaries, want.Boundaries},
				{got.EndpointPolicies, want.EndpointPolicies}, {flatten(got.SCPs), flatten(want.SCPs)}, {flatten(got.RCPs), flatten(want.RCPs)},
				{docs(got.ResourcePolicy), docs(want.ResourcePolicy)}, {docs(got.KeyPolicy), docs(want.KeyPolicy)}, {docs(got.SessionPolicy), docs(want.SessionPolicy)}} {
				if !slices.Equal(names(pair[0]), names(pair[1])) {
					t.Fatalf("%s: %+v: the scenario holds %v, the walk %v", name, req, names(pair[0]), names(pair[1]))
				}
			}
			// A workspace's scenario keeps words without the request
			// (sharedCauses): the causes compare as they render.
			r, walked := said(Evaluate(got)), said(Evaluate(want))
			if !reflect.DeepEqual(r, walked) {
				t.Fatalf("%s: %+v:\nindexed %+v\nwalk    %+v", name, req, r, walked)
			}
			n++
			decisions[r.Decision]++
		}
		t.Logf("%s: %d requests, %v", name, n, decisions)
		if n > 0 && len(decisions) < 2 {
			t.Errorf("%s: every request got the same decision: the comparison proves little", name)
		}
	}
}

// requestsOf lists requests over a workspace: what its bucket policies
// grant, and each caller (its sessions, its account root, a user) asking
// S3 and KMS actions on each bucket, its objects and keys, directly and
// through each endpoint, with and without a user name.
func requestsOf(w *Workspace) []Request {
	var out []Request
	for _, f := range w.Files {
		for _, g := range w.Grants(f) {
			out = append(out, g.Request)
		}
	}
	var callers []string
	for _, c := range w.callers {
		a, _ := analysis.ParseARN(c)
		callers = append(callers, c, "arn:aws:iam::"+a.Account+":root", "arn:aws:iam::"+a.Account+":user/alice",
			"arn:aws:sts::"+a.Account+":assumed-role/"+roleName(a.Resource)+"/s1")
	}
	var buckets []string
	for b := range w.Buckets {
		buckets = append(buckets, b)
	}
	slices.Sort(buckets)
	if len(buckets) > 8 {
		buckets = buckets[:8]
	}
	buckets = append(buckets, "elsewhere")
	contexts := []map[string][]string{nil, {"aws:SourceIp": {"10.1.2.3"}}}
	var endpoints []string
	for _, e := range w.endpoints {
		endpoints = append(endpoints, e)
	}
	slices.Sort(endpoints)
	for _, e := range endpoints[:min(2, len(endpoints))] {
		contexts = append(contexts, map[string][]string{"aws:SourceVpce": {e}})
	}
	contexts = append(contexts, map[string][]string{"aws:SourceVpce": {"vpce-1", "vpce-1"}})
	callers = slices.Compact(callers)
	for _, c := range callers[:min(12, len(callers))] {
		for _, b := range buckets {
			for _, res := range []string{"arn:aws:s3:::" + b, "arn:aws:s3:::" + b + "/*", "arn:aws:s3:::" + b + "/alice/x.txt", "arn:aws:s3:::" + b + "/secret/k"} {
				for _, act := range []string{"s3:GetObject", "S3:PUTOBJECT", "s3:ListBucket", "s3:DeleteObject", "s3:PutBucketPolicy", "s3:GetObjectVersion"} {
					for _, ctx := range contexts {
						out = append(out, Request{Principal: c, Action: act, Resource: res, Context: ctx})
					}
				}
			}
		}
		out = append(out, Request{Principal: c, Action: "kms:Decrypt", Resource: "arn:aws:kms:us-east-1:444455556666:key/k"},
			Request{Principal: c, Action: "iam:PassRole", Resource: "*"})
	}
	return out
}
