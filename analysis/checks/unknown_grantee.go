package checks

import (
	"fmt"
	"slices"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// UnknownGrantee reports a bucket policy that grants an account which no
// account of .s3policy.json is, when one of them is a digit or two away:
// a mistyped account ID grants a stranger and leaves the partner with
// AccessDenied ("nobody granted you").
var UnknownGrantee = &analysis.Check{
	Code:     analysis.CodeUnknownGrantee,
	Category: "access",
	Severity: analysis.Warning,
	DocURL:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
	Title:    analysis.T("The bucket policy grants an account that is a near miss of a configured one", "バケットポリシーが設定済みアカウントに似た別のアカウントを許可している"),
	Explain: analysis.T(
		"A Principal names exactly one account: an account ID with a digit or two wrong grants a stranger (or nobody) and the account that was meant gets AccessDenied, since across accounts the bucket policy must grant the caller's account. The account is compared with the accounts of .s3policy.json and those its files entries name; fix the ID, or add the account to `accounts` when it is meant.",
		"Principal はちょうど 1 つのアカウントを指します。アカウント ID が 1〜2 桁違うと別のアカウント (または誰でもない) を許可することになり、意図したアカウントは AccessDenied になります。クロスアカウントではバケットポリシーが呼び出し元のアカウントを許可しなければならないためです。アカウントは .s3policy.json の accounts と files のエントリが示すアカウントと比べます。ID を直すか、意図したものなら accounts に加えてください。"),
	Kinds: []analysis.Kind{analysis.KindBucket},
	Run:   runUnknownGrantee,
}

func runUnknownGrantee(pass *analysis.Pass) {
	if pass.Config == nil || len(pass.Config.Accounts) == 0 {
		return
	}
	known := knownAccountsOf(pass)
	for _, s := range pass.Policy.Statements {
		if !s.IsAllow() {
			continue
		}
		for _, p := range analysis.Principals(s.Principal) {
			account := principalAccount(p.Value.Str)
			if p.Type != "AWS" || !isAccountID(account) || known[account] {
				continue
			}
			near := nearAccount(account, pass.Config.Accounts)
			if near == "" || namesAccount(s, near) {
				continue
			}
			fixed := replaceAccount(p.Value.Str, account, near)
			pass.Report(analysis.Finding{Span: p.Value.Span,
				Message: analysis.SayText(analysis.Tf("account %s is not an account of .s3policy.json; did you mean %s? Account %s is not granted by this statement",
					"アカウント %s は .s3policy.json のアカウントではありません。%s ですか? アカウント %s はこのステートメントで許可されていません", account, near, near)),
				Fixes: []analysis.Fix{replaceFix(p.Value.Span, fixed)}})
		}
	}
}

// knownAccountsOf is the set of knownAccounts, made once per workspace
// and config when the workspace keeps values: a team's config names
// thousands of buckets and files, and listing their accounts again for
// each file was quadratic in the folder (issue 16).
func knownAccountsOf(pass *analysis.Pass) map[string]bool {
	cfg := pass.Config
	build := func() map[string]bool {
		known := map[string]bool{}
		for _, a := range knownAccounts(cfg) {
			known[a] = true
		}
		return known
	}
	if pass.Workspace == nil {
		return build()
	}
	return memoized(pass.Workspace, fmt.Sprintf(knownAccountsKey+"%p", cfg), build)
}

// knownAccounts are the accounts .s3policy.json names: accounts, bucket
// owners, and the accounts and principals of its files entries.
func knownAccounts(cfg *analysis.Config) []string {
	if cfg == nil {
		return nil
	}
	out := slices.Clone(cfg.Accounts)
	for _, b := range cfg.Buckets {
		out = append(out, b.Account)
	}
	for _, f := range cfg.Files {
		out = append(out, f.Account, principalAccount(f.Principal))
	}
	return out
}

func isAccountID(s string) bool {
	if len(s) != 12 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// nearAccount returns the configured account one or two digits away from
// account (a wrong digit, or two neighbours swapped), or "".
func nearAccount(account string, accounts []string) string {
	for _, a := range accounts {
		if len(a) != len(account) {
			continue
		}
		diff := 0
		for i := range a {
			if a[i] != account[i] {
				diff++
			}
		}
		if diff >= 1 && diff <= 2 {
			return a
		}
	}
	return ""
}

// replaceAccount writes the principal with the other account in place.
func replaceAccount(principal, account, near string) string {
	if principal == account {
		return near
	}
	arn, ok := analysis.ParseARN(principal)
	if !ok {
		return principal
	}
	return "arn:" + arn.Partition + ":" + arn.Service + ":" + arn.Region + ":" + near + ":" + arn.Resource
}

// namesAccount reports whether the statement's Principal names the
// account or one of its principals.
func namesAccount(s *analysis.Statement, account string) bool {
	for _, p := range analysis.Principals(s.Principal) {
		if p.Type == "AWS" && principalAccount(p.Value.Str) == account {
			return true
		}
	}
	return false
}
