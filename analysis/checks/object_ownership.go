package checks

import "github.com/s3policy-lsp/s3policy-lsp/analysis"

// ObjectOwnership reports a bucket policy that lets another account
// upload while the bucket's Object Ownership leaves uploaded objects owned
// by the uploader.
var ObjectOwnership = &analysis.Check{
	Code:     "object-ownership",
	Category: "access",
	Severity: analysis.Warning,
	DocURL:   "https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html",
	Title:    analysis.T("Objects uploaded by another account stay owned by it", "他アカウントがアップロードしたオブジェクトがそのアカウントの所有になる"),
	Explain: analysis.T(
		"Unless the bucket's Object Ownership is BucketOwnerEnforced (the default for buckets created since April 2023), an object uploaded by another account belongs to that account: the bucket owner and the principals its bucket policy grants get AccessDenied on it. With BucketOwnerPreferred the bucket owner takes ownership when the upload carries the `bucket-owner-full-control` ACL, which a condition on `s3:x-amz-acl` can require. To repair objects already uploaded, the uploading account runs `aws s3api put-object-acl --bucket BUCKET --key KEY --acl bucket-owner-full-control`; better, set Object Ownership to BucketOwnerEnforced, which disables ACLs and makes the bucket owner own every object.",
		"バケットのオブジェクト所有者が BucketOwnerEnforced (2023 年 4 月以降に作成されたバケットの既定) でない限り、他アカウントがアップロードしたオブジェクトはそのアカウントの所有になり、バケット所有者やバケットポリシーで許可されたプリンシパルはそれに AccessDenied となります。BucketOwnerPreferred では、アップロードに `bucket-owner-full-control` ACL が付いていればバケット所有者が所有者になり、`s3:x-amz-acl` の条件でそれを必須にできます。アップロード済みのオブジェクトは、アップロードしたアカウントが `aws s3api put-object-acl --bucket BUCKET --key KEY --acl bucket-owner-full-control` を実行して直します。より良いのは、オブジェクト所有者を BucketOwnerEnforced にすることです。ACL が無効になり、すべてのオブジェクトをバケット所有者が所有します。"),
	Kinds:        []analysis.Kind{analysis.KindBucket},
	Run:          runObjectOwnership,
	RunWorkspace: reportWorkspaceCauses,
}

const ownerFullControl = "bucket-owner-full-control"

func runObjectOwnership(pass *analysis.Pass) {
	for _, s := range pass.Policy.Statements {
		if !s.IsAllow() || !anyMatch(s.Actions(), "s3:PutObject") ||
			s.HasConditionKey("s3:x-amz-acl") || s.HasConditionKey("s3:x-amz-grant-full-control") {
			continue
		}
		b := statementBucket(pass, s)
		ownership := ""
		if b != nil {
			ownership = b.ObjectOwnership
		}
		if ownership == "BucketOwnerEnforced" {
			continue
		}
		p := foreignPrincipal(pass, s, b)
		if p == nil {
			continue
		}
		sev, msg := analysis.Warning, analysis.Tf(
			"%s may upload, and Object Ownership is %s: its objects stay owned by it and this bucket policy does not apply to them",
			"%s はアップロードでき、オブジェクト所有者は %s です。そのオブジェクトはアップロードしたアカウントの所有のままとなり、このバケットポリシーは適用されません",
			p.Str, ownership)
		if ownership == "" {
			sev, msg = analysis.Information, analysis.Tf(
				"%s may upload; unless the bucket's Object Ownership is BucketOwnerEnforced, its objects stay owned by it and this bucket policy does not apply to them",
				"%s はアップロードできます。バケットのオブジェクト所有者が BucketOwnerEnforced でない限り、そのオブジェクトはアップロードしたアカウントの所有のままとなり、このバケットポリシーは適用されません",
				p.Str)
		}
		pass.Report(analysis.Finding{Span: p.Span, Severity: sev, Message: msg, Fixes: []analysis.Fix{{
			Title: analysis.T("Require the bucket-owner-full-control ACL on uploads", "アップロードに bucket-owner-full-control ACL を必須にする"),
			Edits: addCondition(pass.Src, s, "StringEquals", "s3:x-amz-acl", []string{ownerFullControl}),
		}}})
	}
}
