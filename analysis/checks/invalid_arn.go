package checks

import (
	"slices"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamref"
)

// InvalidARN reports a Resource or NotResource entry, or a principal ARN,
// that is not a well-formed ARN, and an S3 bucket or object ARN with a
// region or account in it. AWS rejects the first kind of error as a
// malformed policy; the second is accepted but matches no bucket, so the
// statement grants or denies nothing.
//
// ARN format: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html
// S3 ARNs: https://docs.aws.amazon.com/AmazonS3/latest/userguide/s3-arn-format.html
var InvalidARN = &analysis.Check{
	Code:     analysis.CodeInvalidARN,
	Category: "structure",
	Severity: analysis.Error,
	DocURL:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html",
	Title:    analysis.T("Malformed ARN, or an S3 bucket ARN with a region or account", "ARN の形式が不正、または S3 バケットの ARN にリージョンかアカウントがある"),
	Explain: analysis.T(
		"An ARN has six parts separated by colons: `arn:partition:service:region:account:resource`, with a partition such as `aws`, `aws-cn` or `aws-us-gov`. A Resource must be such an ARN or `*`. S3 bucket and object ARNs leave region and account empty (`arn:aws:s3:::bucket/key`): with them filled in, the ARN names no bucket and the statement never applies. Access point ARNs are the exception and carry both. Wildcards and policy variables such as `${aws:username}` are allowed inside an ARN.",
		"ARN は `arn:partition:service:region:account:resource` の 6 つの部分をコロンで区切ったもので、partition は `aws`、`aws-cn`、`aws-us-gov` などです。Resource はこの形式の ARN か `*` でなければなりません。S3 のバケットとオブジェクトの ARN ではリージョンとアカウントを空にします (`arn:aws:s3:::bucket/key`)。これらを書くとどのバケットにも一致せず、ステートメントは適用されません。例外はアクセスポイントの ARN で、両方を含みます。ARN の中のワイルドカードや `${aws:username}` などのポリシー変数は使えます。"),
	Run: runInvalidARN,
}

// partitions are the AWS partitions an ARN may name.
var partitions = []string{"aws", "aws-cn", "aws-us-gov", "aws-iso", "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"}

// s3TypedResources are the S3 resource types whose ARNs carry a region or
// an account (Service Authorization Reference, Amazon S3, resource types).
var s3TypedResources = []string{"accesspoint/", "job/", "storage-lens/", "storage-lens-group/", "async-request/", "access-grants/"}

func runInvalidARN(pass *analysis.Pass) {
	arns := pass.Policy.ResourceARNs()
	for _, s := range pass.Policy.Statements {
		entries := arns.Of(s)
		for i := range entries {
			checkARN(pass, &entries[i], s.Resource.Key)
		}
		for _, v := range analysis.Strings(s.NotResource) {
			r := analysis.ReadResourceARN(v)
			checkARN(pass, &r, s.NotResource.Key)
		}
		for _, f := range []*analysis.Field{s.Principal, s.NotPrincipal} {
			for _, ref := range analysis.Principals(f) {
				if strings.HasPrefix(ref.Value.Str, "arn:") {
					r := analysis.ReadResourceARN(ref.Value)
					checkARN(pass, &r, f.Key)
				}
			}
		}
	}
}

// checkARN reports what is wrong with an ARN: a Resource or NotResource
// entry, or a principal.
func checkARN(pass *analysis.Pass, r *analysis.ResourceARN, element string) {
	v := r.Value
	s := v.Str
	if s == "*" || analysis.StartsWithPlaceholder(s) {
		return // a placeholder at the start may hold a whole ARN
	}
	if trimmed := strings.TrimSpace(s); trimmed != s {
		pass.Reportf(v.InnerSpan(), analysis.Tf("%s %q has a space before or after it: AWS compares the value as written, spaces included",
			"%s %q の前後に空白があります。AWS は空白を含めて書かれた通りに値を比較します", element, s),
			analysis.Fix{
				Title: analysis.Tf("Remove the spaces: %q", "空白を削除: %q", trimmed),
				Edits: []analysis.Edit{{Span: v.Span, NewText: analysis.Quote(trimmed)}},
			})
		return
	}
	if !strings.HasPrefix(s, "arn:") {
		pass.Reportf(v.InnerSpan(), analysis.Tf("%s %q is not an ARN (arn:partition:service:region:account:resource) or \"*\"",
			"%s %q は ARN (arn:partition:service:region:account:resource) でも \"*\" でもありません", element, s))
		return
	}
	// Its parts are taken one at a time (Part), and all together only
	// for a finding: most entries are well-formed.
	if r.N() < 6 {
		if hasWildcard(s) {
			return // a "*" may stand for the missing colons
		}
		pass.Reportf(v.InnerSpan(), analysis.Tf("%q has %d of the six parts of an ARN (arn:partition:service:region:account:resource); is a colon missing?",
			"%q には ARN の 6 つの部分 (arn:partition:service:region:account:resource) のうち %d つしかありません。コロンが抜けていませんか?", s, r.N()))
		return
	}
	if p := r.Part(1); !isPattern(p) && !slices.Contains(partitions, p) {
		parts, _ := r.Parts()
		pass.Reportf(partSpan(pass.Src, v, parts[:], 1, 1), analysis.Tf("unknown partition %q; AWS partitions are %s",
			"不明なパーティション %q。AWS のパーティションは %s です", p, strings.Join(partitions, ", ")))
		return
	}
	if r.Part(2) == "" {
		pass.Reportf(v.InnerSpan(), analysis.Tf("%q names no service (arn:partition:service:...)",
			"%q にサービスがありません (arn:partition:service:...)", s))
		return
	}
	checkS3Location(pass, r)
}

// checkS3Location reports an S3 bucket or object ARN with a region or an
// account in it, which then names no bucket. A region or account of only
// "*" matches the empty part and is harmless.
func checkS3Location(pass *analysis.Pass, r *analysis.ResourceARN) {
	if !isS3BucketARN(r.Part(2), r.Part(5)) || onlyWildcards(r.Part(3)) && onlyWildcards(r.Part(4)) {
		return
	}
	v := r.Value
	all, _ := r.Parts()
	parts := all[:]
	fixed := strings.Join([]string{parts[0], parts[1], parts[2], "", "", parts[5]}, ":")
	pass.Reportf(partSpan(pass.Src, v, parts, 3, 4),
		analysis.Tf("an S3 bucket or object ARN has no region or account: write %q", "S3 のバケットやオブジェクトの ARN にはリージョンもアカウントも書きません。%q と書いてください", fixed),
		analysis.Fix{
			Title: analysis.Tf("Change to %q", "%q に変更", fixed),
			Edits: []analysis.Edit{replacePart(pass.Src, v, parts, 3, 4, ":")},
		})
}

// isS3BucketARN reports whether an ARN of the service and resource parts
// is an S3 bucket or object ARN, not one of a typed resource, nor a
// pattern that may stand for one.
func isS3BucketARN(service, resource string) bool {
	if service != "s3" || resource == "" {
		return false
	}
	switch first := resource[0]; {
	case first == '*' || first == '?' || first == '$':
		return false // a wildcard or a placeholder may stand for any resource
	case !s3TypedFirstBytes[first]:
		return true // most S3 ARNs: no typed resource starts so
	}
	for _, t := range s3TypedResources {
		if strings.HasPrefix(resource, t) {
			return false
		}
	}
	return true
}

// s3TypedFirstBytes are the first bytes of s3TypedResources: isS3BucketARN
// asks every S3 ARN of every policy, and six prefix tests for each were
// a tenth of invalid-arn.
var s3TypedFirstBytes = func() (first [256]bool) {
	for _, t := range s3TypedResources {
		first[t[0]] = true
	}
	return first
}()

func hasWildcard(s string) bool { return iamref.HasGlob(s) }

// isPattern reports whether a part holds a wildcard or a policy variable,
// which may stand for any valid value.
// isPattern reports whether an ARN's part may stand for other text: a
// wildcard, a policy variable or a template placeholder (${x}, {{ x }}).
func isPattern(s string) bool {
	return hasWildcard(s) || strings.Contains(s, "${") || analysis.HasPlaceholder(s)
}

func onlyWildcards(s string) bool { return strings.Trim(s, "*") == "" }

// partOffsets returns the byte range of parts[from..to] within the
// decoded string.
func partOffsets(parts []string, from, to int) (start, end int) {
	for i := 0; i < from; i++ {
		start += len(parts[i]) + 1
	}
	end = start
	for i := from; i <= to; i++ {
		end += len(parts[i]) + 1
	}
	return start, end - 1
}

// rawIsDecoded reports whether the string is written without escapes, so
// that offsets in its decoded text are offsets in the document.
func rawIsDecoded(src []byte, v *analysis.Value) bool {
	in := v.InnerSpan()
	return string(src[in.Start:in.End]) == v.Str
}

// partSpan is the document span of parts[from..to], or the whole string
// content when escapes make offsets differ or the parts are empty.
func partSpan(src []byte, v *analysis.Value, parts []string, from, to int) analysis.Span {
	start, end := partOffsets(parts, from, to)
	if !rawIsDecoded(src, v) || start == end {
		return v.InnerSpan()
	}
	base := v.InnerSpan().Start
	return analysis.Span{Start: base + start, End: base + end}
}

// replacePart replaces parts[from..to] with text, touching only those
// bytes when it can, else rewriting the whole string.
func replacePart(src []byte, v *analysis.Value, parts []string, from, to int, text string) analysis.Edit {
	start, end := partOffsets(parts, from, to)
	if rawIsDecoded(src, v) {
		base := v.InnerSpan().Start
		return analysis.Edit{Span: analysis.Span{Start: base + start, End: base + end}, NewText: text}
	}
	return analysis.Edit{Span: v.Span, NewText: analysis.Quote(v.Str[:start] + text + v.Str[end:])}
}
