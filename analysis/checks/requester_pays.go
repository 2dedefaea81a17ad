package checks

import "github.com/s3policy-lsp/s3policy-lsp/analysis"

// RequesterPays reports, for a Requester Pays bucket, each bucket-policy
// statement that grants another account: its requests must say they pay.
var RequesterPays = &analysis.Check{
	Code:     analysis.CodeRequesterPays,
	Category: "access",
	Severity: analysis.Information,
	DocURL:   "https://docs.aws.amazon.com/AmazonS3/latest/userguide/RequesterPaysBuckets.html",
	Title:    analysis.T("Requests of other accounts must accept the charges of a Requester Pays bucket", "リクエスタ支払いバケットでは他アカウントのリクエストが料金負担を示す必要がある"),
	Explain: analysis.T(
		"The bucket has Requester Pays on: a request from another account must carry the header `x-amz-request-payer: requester` to accept the charges, or S3 answers 403 Access Denied even though this policy allows it. With the AWS CLI add `--request-payer requester`; in a presigned URL include `x-amz-request-payer=requester`; SDKs take a RequestPayer parameter. Anonymous requests are refused.",
		"このバケットはリクエスタ支払いが有効です。他アカウントからのリクエストは料金負担を示すヘッダー `x-amz-request-payer: requester` を付けなければ、このポリシーが許可していても S3 は 403 Access Denied を返します。AWS CLI では `--request-payer requester` を、署名付き URL では `x-amz-request-payer=requester` を付けてください。SDK では RequestPayer パラメータを使います。匿名リクエストは拒否されます。"),
	Kinds:        []analysis.Kind{analysis.KindBucket},
	Run:          runRequesterPays,
	RunWorkspace: reportWorkspaceCauses,
}

func runRequesterPays(pass *analysis.Pass) {
	for _, s := range pass.Policy.Statements {
		if !s.IsAllow() {
			continue
		}
		b := statementBucket(pass, s)
		if b == nil || !b.RequesterPays {
			continue
		}
		if p := foreignPrincipal(pass, s, b); p != nil {
			pass.Reportf(p.Span, analysis.Tf(
				"%s is a Requester Pays bucket: requests from %s are allowed when they carry x-amz-request-payer: requester (CLI --request-payer requester); without it S3 answers 403",
				"%s はリクエスタ支払いバケットです。%s からのリクエストは x-amz-request-payer: requester (CLI では --request-payer requester) を付ければ許可されます。付けないと S3 は 403 を返します",
				b.Name, p.Str))
		}
	}
}

// statementBucket returns the facts of the bucket a bucket-policy
// statement governs: the file's bucket in .s3policy.json, else the first
// bucket its Resource names that the config knows.
func statementBucket(pass *analysis.Pass, s *analysis.Statement) *analysis.BucketFacts {
	if pass.Facts != nil && pass.Facts.Bucket != "" {
		return pass.Bucket(pass.Facts.Bucket)
	}
	entries := pass.Policy.ResourceARNs().Of(s)
	for i := range entries {
		if name, _, ok := entries[i].BucketOrObject(); ok {
			if b := pass.Bucket(name); b != nil {
				return b
			}
		}
	}
	return nil
}

// foreignPrincipal returns the first AWS principal of the statement that
// is not of the bucket's own account ("*" included). When the bucket's
// account is not known, every account principal counts.
func foreignPrincipal(pass *analysis.Pass, s *analysis.Statement, b *analysis.BucketFacts) *analysis.Value {
	own := ""
	if b != nil {
		own = b.Account
	}
	if own == "" && pass.Facts != nil {
		own = pass.Facts.Account
	}
	for _, p := range analysis.Principals(s.Principal) {
		if p.IsEveryone() {
			return p.Value
		}
		if p.Type == "AWS" && (own == "" || principalAccount(p.Value.Str) != own) {
			return p.Value
		}
	}
	return nil
}
