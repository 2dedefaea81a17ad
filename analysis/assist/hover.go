package assist

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamdata"
	"github.com/s3policy-lsp/s3policy-lsp/analysis/iamref"
)

// IAMHover explains, from the IAM service data, the action, condition key,
// resource ARN or principal under the cursor.
func IAMHover(f *analysis.File, offset int) (analysis.Text, analysis.Span, bool) {
	if f.Policy == nil {
		return analysis.Text{}, analysis.Span{}, false
	}
	for _, s := range f.Policy.Statements {
		for _, v := range iamref.ActionEntries(s) {
			if v.Span.Contains(offset) {
				text, ok := actionHover(v.Str, s)
				return text, v.Span, ok
			}
		}
		for _, c := range s.Conditions() {
			if c.Key.KeySpan.Contains(offset) {
				text, ok := keyHover(c.Key.Key, s)
				return text, c.Key.KeySpan, ok
			}
		}
		for _, v := range append(analysis.Strings(s.Resource), analysis.Strings(s.NotResource)...) {
			if v.Span.Contains(offset) {
				text, ok := arnHover(v.Str)
				return text, v.Span, ok
			}
		}
		for _, p := range append(analysis.Principals(s.Principal), analysis.Principals(s.NotPrincipal)...) {
			if p.Value.Span.Contains(offset) {
				return principalHover(p), p.Value.Span, true
			}
		}
	}
	return analysis.Text{}, analysis.Span{}, false
}

// maxListed bounds the names a hover lists in one group.
const maxListed = 12

func actionHover(entry string, s *analysis.Statement) (analysis.Text, bool) {
	if entry == "*" {
		return analysis.T("`*`: every action of every AWS service", "`*`: すべての AWS サービスのすべてのアクション"), true
	}
	r, ok := iamref.ParseAction(&analysis.Value{Str: entry})
	if !ok || r.Service == nil || len(r.Matches) == 0 {
		return analysis.Text{}, false
	}
	if r.Wildcard {
		return wildcardHover(r), true
	}
	return describeAction(r.Service, r.Matches[0]), true
}

func describeAction(svc *iamdata.Service, a *iamdata.Action) analysis.Text {
	out := analysis.Tf("**%s:%s** (%s, access level: %s)\n\n%s", "**%s:%s** (%s、アクセスレベル: %s)\n\n%s",
		svc.Prefix, a.Name(), svc.Name, a.Access(), a.Description())
	if len(a.Resources()) == 0 {
		out = analysis.Join("\n\n", out, analysis.T("Resource types: none; use `\"Resource\": \"*\"`.", "リソースタイプ: なし。`\"Resource\": \"*\"` を使います。"))
	} else {
		var b strings.Builder
		for _, ar := range a.Resources() {
			arn := ""
			if rt := svc.ResourceType(ar.Name); rt != nil {
				arn = " `" + rt.ARN + "`"
			}
			req := ""
			if ar.Required {
				req = " (required)"
			}
			fmt.Fprintf(&b, "\n- %s%s%s", ar.Name, req, arn)
		}
		list := b.String()
		out = analysis.Join("\n\n", out, analysis.T("Resource types:"+list, "リソースタイプ:"+strings.ReplaceAll(list, " (required)", " (必須)")))
	}
	if keys := a.Keys(); len(keys) > 0 { // made on each call
		out = analysis.Join("\n\n", out, analysis.T("Condition keys: "+codeList(keys), "条件キー: "+codeList(keys)))
	}
	if dependent := a.Dependent(); len(dependent) > 0 {
		out = analysis.Join("\n\n", out, analysis.T("Dependent actions: "+codeList(dependent), "依存アクション: "+codeList(dependent)))
	}
	return analysis.Join("\n\n", out, analysis.Tf("[Service Authorization Reference: %s](%s)", "[サービス認可リファレンス: %s](%s)", svc.Name, iamdata.DocURL(svc.Prefix)))
}

func codeList(names []string) string {
	return "`" + strings.Join(names, "`, `") + "`"
}

// accessOrder is the order in which a wildcard's actions are grouped.
var accessOrder = []string{"List", "Read", "Write", "Permissions management", "Tagging"}

func wildcardHover(r iamref.Action) analysis.Text {
	groups := map[string][]string{}
	var levels []string
	for _, a := range r.Matches {
		if _, ok := groups[a.Access()]; !ok {
			levels = append(levels, a.Access())
		}
		groups[a.Access()] = append(groups[a.Access()], a.Name())
	}
	slices.SortFunc(levels, func(a, b string) int { return accessRank(a) - accessRank(b) })
	out := analysis.Tf("**%s** matches %d actions of %s", "**%[1]s** は %[3]s の %[2]d 個のアクションに一致します", r.Value.Str, len(r.Matches), r.Service.Name)
	for _, level := range levels {
		names := groups[level]
		shown := names[:min(len(names), maxListed)]
		line := fmt.Sprintf("**%s** (%d): %s", level, len(names), strings.Join(shown, ", "))
		more := analysis.Text{}
		if len(names) > len(shown) {
			more = analysis.Tf(", … and %d more", "、… ほか %d 個", len(names)-len(shown))
		}
		out = analysis.Join("\n\n", out, analysis.Join("", analysis.T(line, line), more))
	}
	return analysis.Join("\n\n", out, analysis.Tf("[Service Authorization Reference: %s](%s)", "[サービス認可リファレンス: %s](%s)", r.Service.Name, iamdata.DocURL(r.Service.Prefix)))
}

func accessRank(level string) int {
	for i, l := range accessOrder {
		if strings.HasPrefix(level, l) {
			return i
		}
	}
	return len(accessOrder)
}

func keyHover(name string, s *analysis.Statement) (analysis.Text, bool) {
	key, _, kind := iamdata.ResolveKey(name)
	if kind == iamdata.KeyUnknown {
		return analysis.Text{}, false
	}
	multi := analysis.Text{}
	if strings.HasPrefix(key.Type, "ArrayOf") {
		multi = analysis.T(", multivalued: test it with ForAnyValue: or ForAllValues:", "、複数値: ForAnyValue: か ForAllValues: で評価します")
	}
	out := analysis.Join("", analysis.Tf("**%s** (type %s", "**%s** (型 %s", key.Name, iamref.BaseType(key.Type)), multi, analysis.T(")", ")"))
	out = analysis.Join("\n\n", out, analysis.T(key.Description, key.Description))
	switch kind {
	case iamdata.KeyGlobal:
		out = analysis.Join("\n\n", out,
			analysis.T("Global condition key: present in requests to every service where it applies.", "グローバル条件キー: 適用されるすべてのサービスのリクエストに含まれます。"),
			analysis.Tf("[Global condition keys](%s)", "[グローバル条件キー](%s)", iamdata.GlobalKeysURL))
	case iamdata.KeyService:
		out = analysis.Join("\n\n", out, supportLine(name, s))
	}
	return out, true
}

// supportLine says which of the statement's actions support a key.
func supportLine(key string, s *analysis.Statement) analysis.Text {
	actions, complete := iamref.StatementActions(s)
	if !complete {
		return analysis.T("Supported by the actions that list it in the Service Authorization Reference.", "サービス認可リファレンスでこのキーを挙げるアクションがサポートします。")
	}
	var yes, no []string
	for _, a := range actions {
		name := a.Service.Prefix + ":" + a.Name()
		if a.Supports(key) {
			yes = append(yes, name)
		} else {
			no = append(no, name)
		}
	}
	trim := func(l []string) string {
		if len(l) == 0 {
			return "-"
		}
		if len(l) > maxListed {
			return codeList(l[:maxListed]) + ", …"
		}
		return codeList(l)
	}
	return analysis.Tf("Actions of this statement that support it: %s\n\nThat do not: %s", "このキーをサポートするこのステートメントのアクション: %s\n\nサポートしないもの: %s", trim(yes), trim(no))
}

func arnHover(s string) (analysis.Text, bool) {
	arn, ok := analysis.ParseARN(s)
	if !ok {
		return analysis.Text{}, false
	}
	dash := func(v string) string {
		if v == "" {
			return "(none)"
		}
		return "`" + v + "`"
	}
	svcName := iamdata.ServiceName(arn.Service)
	out := analysis.Tf("**ARN**\n\n- partition: %s\n- service: %s %s\n- region: %s\n- account: %s\n- resource: %s",
		"**ARN**\n\n- パーティション: %s\n- サービス: %s %s\n- リージョン: %s\n- アカウント: %s\n- リソース: %s",
		dash(arn.Partition), dash(arn.Service), svcName, dash(arn.Region), dash(arn.Account), dash(arn.Resource))
	out.JA = strings.ReplaceAll(out.JA, "(none)", "(なし)")
	if svc := iamdata.Lookup(arn.Service); svc != nil {
		if types := resourceTypesOf(svc, s); len(types) > 0 {
			out = analysis.Join("\n\n", out, analysis.T("Resource type: "+types, "リソースタイプ: "+types))
		} else {
			out = analysis.Join("\n\n", out, analysis.Tf("Matches no resource type of %s.", "%s のどのリソースタイプにも一致しません。", svc.Name))
		}
	}
	return out, true
}

// placeholder matches a ${...} part of an ARN format; compiled on first
// use, not at every start of the binary (as accountID).
var placeholder = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\$\{[^}]*\}`) })

// resourceTypesOf names the resource types whose format the ARN may fit,
// most specific (longest fixed text) first.
func resourceTypesOf(svc *iamdata.Service, arn string) string {
	var fits []iamdata.ResourceType
	for _, rt := range svc.Resources {
		if iamref.MayMatchARN(rt.ARN, arn) {
			fits = append(fits, rt)
		}
	}
	fixed := func(rt iamdata.ResourceType) int { return len(placeholder().ReplaceAllString(rt.ARN, "")) }
	slices.SortStableFunc(fits, func(a, b iamdata.ResourceType) int { return fixed(b) - fixed(a) })
	var parts []string
	for _, rt := range fits[:min(len(fits), 4)] {
		parts = append(parts, fmt.Sprintf("%s `%s`", rt.Name, rt.ARN))
	}
	return strings.Join(parts, "; ")
}

func principalHover(p analysis.PrincipalRef) analysis.Text {
	kind, account := principalKind(p)
	out := analysis.Tf("**Principal** %s", "**プリンシパル** %s", "`"+p.Value.Str+"`")
	out = analysis.Join("\n\n", out, kind)
	if account != "" {
		out = analysis.Join("\n\n", out, analysis.Tf("Account: `%s`", "アカウント: `%s`", account))
	}
	return out
}

var accountID = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^\d{12}$`) })

// principalKind names the kind of principal and its account, following
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html
func principalKind(p analysis.PrincipalRef) (analysis.Text, string) {
	v := p.Value.Str
	switch p.Type {
	case "Service":
		return analysis.T("AWS service principal: the service itself, acting on its own behalf", "AWS サービスプリンシパル: サービス自身として動作します"), ""
	case "Federated":
		return analysis.T("federated identity provider: users signed in through SAML, OIDC or Cognito who assume a role", "フェデレーション ID プロバイダー: SAML、OIDC、Cognito でサインインしてロールを引き受けるユーザー"), accountOf(v)
	case "CanonicalUser":
		return analysis.T("S3 canonical user ID: an account, as S3 ACLs name it", "S3 の正規ユーザー ID: S3 ACL でのアカウントの表し方"), ""
	}
	if v == "*" {
		return analysis.T("everyone, including anonymous requests (unless a condition narrows it)", "匿名リクエストを含むすべてのユーザー (条件で絞り込まない限り)"), ""
	}
	if accountID().MatchString(v) {
		return analysis.T("account root: the account, which delegates to its users and roles through their own policies", "アカウントルート: アカウント全体。その中のユーザーやロールへは各自のポリシーで委任されます"), v
	}
	arn, ok := analysis.ParseARN(v)
	if !ok {
		return analysis.T("unique ID or other text: AWS shows a deleted user's or role's unique ID here", "一意の ID またはその他の文字列: 削除されたユーザーやロールは一意の ID で表示されます"), ""
	}
	res := arn.Resource
	switch {
	case res == "root":
		return analysis.T("account root: the account, which delegates to its users and roles through their own policies", "アカウントルート: アカウント全体。その中のユーザーやロールへは各自のポリシーで委任されます"), arn.Account
	case strings.HasPrefix(res, "user/"):
		return analysis.T("IAM user", "IAM ユーザー"), arn.Account
	case strings.HasPrefix(res, "role/"):
		return analysis.T("IAM role: every session of the role", "IAM ロール: ロールのすべてのセッション"), arn.Account
	case strings.HasPrefix(res, "assumed-role/"):
		return analysis.T("assumed-role session: one session of a role", "引き受けたロールのセッション: ロールの一つのセッション"), arn.Account
	case strings.HasPrefix(res, "federated-user/"):
		return analysis.T("federated user session (GetFederationToken)", "フェデレーションユーザーのセッション (GetFederationToken)"), arn.Account
	case strings.HasPrefix(res, "saml-provider/"), strings.HasPrefix(res, "oidc-provider/"):
		return analysis.T("federated identity provider", "フェデレーション ID プロバイダー"), arn.Account
	case strings.HasPrefix(res, "group/"):
		return analysis.T("IAM group: not a valid principal, groups cannot be named in Principal", "IAM グループ: Principal には指定できません"), arn.Account
	}
	return analysis.T("other principal ARN", "その他のプリンシパル ARN"), arn.Account
}

func accountOf(v string) string {
	if arn, ok := analysis.ParseARN(v); ok {
		return arn.Account
	}
	return ""
}
