package checks

import (
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// ObjectOwnership reports a bucket policy that lets another account
// upload while the bucket's Object Ownership leaves uploaded objects owned
// by the uploader.
var ObjectOwnership = &analysis.Check{
	Code:     analysis.CodeObjectOwnership,
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
	if deniesUploadsWithoutACL(pass.Policy) {
		return
	}
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
		sev := analysis.Information
		if ownership != "" {
			sev = analysis.Warning
		}
		var fix analysis.LaterFix
		if onlyUploads(s) || resourceOf(s) != nil { // else an incomplete statement: its own finding comes first
			fix = analysis.FixOf(requireACL, s.Obj)
		}
		pass.Report(analysis.Finding{Span: p.Span, Severity: sev, Message: analysis.Say(uploaderKeepsObjects, analysis.Args{S: [3]string{p.Str, ownership}}), FixLater: fix})
	}
}

// uploaderKeepsObjects writes object-ownership's message from the
// principal that may upload (S[0]) and the bucket's Object Ownership
// (S[1], "" when the config does not say), concatenated, not formatted,
// and only in the language read: a finding for most grants of uploads to
// another account, whose two languages were written for each before.
func uploaderKeepsObjects(ja bool, a *analysis.Args) string {
	principal, ownership := a.S[0], a.S[1]
	switch {
	case ownership == "" && ja:
		return principal + " はアップロードできます。バケットのオブジェクト所有者が BucketOwnerEnforced でない限り、そのオブジェクトはアップロードしたアカウントの所有のままとなり、このバケットポリシーは適用されません"
	case ownership == "":
		return principal + " may upload; unless the bucket's Object Ownership is BucketOwnerEnforced, its objects stay owned by it and this bucket policy does not apply to them"
	case ja:
		return principal + " はアップロードでき、オブジェクト所有者は " + ownership + " です。そのオブジェクトはアップロードしたアカウントの所有のままとなり、このバケットポリシーは適用されません"
	}
	return principal + " may upload, and Object Ownership is " + ownership + ": its objects stay owned by it and this bucket policy does not apply to them"
}

// resourceOf is the statement's Resource, else its NotResource.
func resourceOf(s *analysis.Statement) *analysis.Field {
	if s.Resource != nil {
		return s.Resource
	}
	return s.NotResource
}

// requireACL is the fix that requires the bucket-owner-full-control ACL
// on uploads of statement stmt, written when asked for (most bucket
// policies of a tree that grant uploads get this finding, and check
// prints no fix). Only on uploads: a condition on s3:x-amz-acl in a
// statement that allows more than s3:PutObject would deny its reads and
// lists too (only uploads carry the header), so such a statement keeps
// its grants and a Deny statement of its own refuses uploads without the
// ACL.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html
func requireACL(doc *analysis.FixDoc, stmt *analysis.Value, _ *analysis.Args) []analysis.Fix {
	pass := passOf(doc)
	s := statementOf(pass.Policy, stmt)
	if onlyUploads(s) {
		return []analysis.Fix{{
			Title: analysis.T("Require the bucket-owner-full-control ACL on uploads", "アップロードに bucket-owner-full-control ACL を必須にする"),
			Edits: addCondition(pass.Src, s, "StringEquals", "s3:x-amz-acl", []string{ownerFullControl}),
		}}
	}
	copied := func(f *analysis.Field) member {
		return member{f.Key, rawJSON(pass.Src[f.Value.Span.Start:f.Value.Span.End])}
	}
	stmtText := newStatement(pass,
		member{"Sid", sidFor(pass.Policy, "RequireBucketOwnerFullControl")},
		member{"Effect", "Deny"},
		copied(s.Principal),
		member{"Action", "s3:PutObject"},
		copied(resourceOf(s)),
		member{"Condition", []member{{"StringNotEquals", []member{{"s3:x-amz-acl", ownerFullControl}}}}},
	)
	return []analysis.Fix{{
		Title: analysis.T("Deny uploads without the bucket-owner-full-control ACL, in a statement of its own",
			"bucket-owner-full-control ACL のないアップロードを拒否する (別のステートメントで)"),
		Edits: analysis.AppendRaw(pass.Src, pass.Policy.Statement.Value, stmtText),
	}}
}

// onlyUploads reports whether every action of the statement is
// s3:PutObject.
func onlyUploads(s *analysis.Statement) bool {
	for _, a := range s.Actions() {
		if !strings.EqualFold(a.Str, "s3:PutObject") {
			return false
		}
	}
	return s.NotAction == nil
}

// usedSids are the Sids of the policy's statements, gathered once per
// policy: every fix that adds a statement asks, once per finding. Callers
// must not modify the map.
func usedSids(p *analysis.Policy) map[string]bool {
	return p.Derived(usedSidsKey{}, func(p *analysis.Policy) any {
		used := make(map[string]bool, len(p.Statements))
		for _, st := range p.Statements {
			used[st.SidText()] = true
		}
		return used
	}).(map[string]bool)
}

// usedSidsKey keys usedSids in analysis.Policy.Derived.
type usedSidsKey struct{}

// deniesUploadsWithoutACL reports whether a Deny statement of the policy
// refuses uploads on a condition on the ACL header, as the fix writes.
func deniesUploadsWithoutACL(p *analysis.Policy) bool {
	for _, st := range p.Statements {
		if st.IsDeny() && anyMatch(st.Actions(), "s3:PutObject") && st.HasConditionKey("s3:x-amz-acl") {
			return true
		}
	}
	return false
}
