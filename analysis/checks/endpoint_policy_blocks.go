package checks

import "github.com/s3policy-lsp/s3policy-lsp/analysis"

// EndpointPolicyBlocks reports an endpoint policy that does not allow S3
// actions on a bucket named in .s3policy.json.
var EndpointPolicyBlocks = &analysis.Check{
	Code:     analysis.CodeEndpointPolicyBlocks,
	Category: "access",
	Severity: analysis.Warning,
	DocURL:   "https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html",
	Title:    analysis.T("The endpoint policy does not allow a bucket", "エンドポイントポリシーがバケットを許可していない"),
	Explain: analysis.T(
		"Requests from instances whose route to S3 goes through a VPC endpoint are filtered by the endpoint policy, on top of the identity and bucket policies. The endpoint policy never grants, but a bucket or action its Allow statements do not cover is denied to every request through the endpoint, even when the user's policy and the bucket policy allow it. Add the bucket's ARNs (`arn:aws:s3:::bucket`, `arn:aws:s3:::bucket/*`) and the actions to an Allow statement of the endpoint policy.",
		"S3 へのルートが VPC エンドポイントを通るインスタンスからのリクエストは、アイデンティティポリシーとバケットポリシーに加えて、エンドポイントポリシーで絞り込まれます。エンドポイントポリシーは権限を付与しませんが、その Allow ステートメントが対象としないバケットやアクションは、ユーザーのポリシーとバケットポリシーが許可していても、エンドポイント経由のすべてのリクエストで拒否されます。バケットの ARN (`arn:aws:s3:::bucket`、`arn:aws:s3:::bucket/*`) とアクションをエンドポイントポリシーの Allow ステートメントに追加してください。"),
	Kinds:        []analysis.Kind{analysis.KindEndpoint},
	Run:          runEndpointPolicyBlocks,
	RunWorkspace: reportWorkspaceCauses,
}

func runEndpointPolicyBlocks(pass *analysis.Pass) {
	p := pass.Policy
	if p.Statement == nil {
		return
	}
	// One finding for the buckets it leaves out, which name the first
	// and count the others, with a fix for each of the first few: at
	// 1,500 buckets a finding and a written statement for each was most
	// of the endpoint's time (issue 16).
	buckets, total := uncoveredBuckets(pass)
	switch {
	case total == 1:
		pass.Reportf(p.Statement.KeySpan, analysis.Tf(
			"no Allow statement covers bucket %s: requests to it through %s are denied",
			"バケット %s を対象とする Allow ステートメントがありません。%[2]s 経由のリクエストは拒否されます",
			buckets[0], endpointName(pass)), endpointBucketFixes(pass, buckets)...)
	case total > 1:
		pass.Reportf(p.Statement.KeySpan, analysis.Tf(
			"no Allow statement covers buckets %s: requests to them through %s are denied",
			"バケット %sを対象とする Allow ステートメントがありません。%[2]s 経由のリクエストは拒否されます",
			countedBucketList(buckets, total), endpointName(pass)), endpointBucketFixes(pass, buckets)...)
	}
}

// leftOut reports whether the endpoint policy's own finding names the
// bucket: one of .s3policy.json that no Allow statement covers.
func leftOut(pass *analysis.Pass, bucket string) bool {
	return pass.Config.Bucket(bucket) != nil && !allowsS3On(pass.Policy, bucket)
}

// endpointBucketFixes add a statement for each bucket that lets the
// user accounts' principals through ("Principal": "*", as a gateway
// endpoint requires, narrowed by aws:PrincipalAccount); none when the
// accounts are not known.
func endpointBucketFixes(pass *analysis.Pass, buckets []string) []analysis.Fix {
	accounts := userAccounts(pass)
	if len(accounts) == 0 {
		return nil
	}
	return bucketFixes(pass, buckets, member{"Principal", "*"}, member{"Condition", []member{{"StringEquals", []member{{"aws:PrincipalAccount", accounts}}}}})
}
