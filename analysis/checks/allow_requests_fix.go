package checks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// allowRequestsFixes is the fix of a session policy, permissions
// boundary or VPC endpoint policy that does not allow requests a bucket
// policy grants: a statement that allows exactly the granted S3 actions
// on the granted resources (in an endpoint policy, to the grantee only),
// and, for the buckets that .s3policy.json says are SSE-KMS with a known
// key, a second one that allows the KMS actions those actions need on
// the keys of the buckets whose requests need them (not in an endpoint
// policy: S3 calls KMS itself). None of these
// policies ever grants (they only limit), so nobody gets more than the
// identity and bucket policies allow.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies.html#policies_session
func allowRequestsFixes(pass *analysis.Pass, h *blockedHere) []analysis.Fix {
	// Each action and resource once, in the order of the requests.
	actions, resources := elementActions(h), elementResources(h)
	var keyActions, keys, grantees []string
	for _, b := range h.requests {
		grantees = append(grantees, principalARN(b.GrantedTo))
		if pass.Kind == analysis.KindEndpoint {
			continue // S3 calls KMS itself, not through the endpoint
		}
		if bucket, _, ok := s3BucketOf(b.Resource); ok {
			if facts := pass.Bucket(bucket); facts != nil && strings.HasPrefix(facts.Encryption, "aws:kms") && facts.KMSKeyARN != "" {
				acts := kmsActionsFor(b.Action)
				if len(acts) > 0 { // the key of each bucket whose requests use it, not of every bucket
					keys = appendNew(keys, facts.KMSKeyARN)
				}
				for _, a := range acts {
					keyActions = appendNew(keyActions, a)
				}
			}
		}
	}
	grantees = firstOfEach(grantees)
	slices.Sort(actions)
	slices.Sort(keyActions)
	sid := "AllowS3Use" + sidWord(shortName(h.principal))
	var stmts []string
	if pass.Kind == analysis.KindEndpoint {
		conds, ok := endpointGranteeConditions(grantees)
		if !ok {
			return nil
		}
		for i, cond := range conds {
			stmtSid := sid
			if i > 0 {
				stmtSid += "Arn"
			}
			stmts = append(stmts, newStatement(pass, member{"Sid", sidFor(pass.Policy, stmtSid)}, member{"Effect", "Allow"},
				member{"Principal", "*"}, member{"Action", actions}, member{"Resource", resources}, member{"Condition", cond}))
		}
	} else {
		stmts = append(stmts, newStatement(pass, member{"Sid", sidFor(pass.Policy, sid)}, member{"Effect", "Allow"},
			member{"Action", actions}, member{"Resource", resources}))
	}
	if len(keyActions) > 0 {
		var keyResource any = keys[0]
		if len(keys) > 1 {
			keyResource = keys
		}
		stmts = append(stmts, newStatement(pass,
			member{"Sid", sidFor(pass.Policy, sid+"Key")},
			member{"Effect", "Allow"},
			member{"Action", keyActions},
			member{"Resource", keyResource},
		))
	}
	kind := pass.Kind.Describe()
	title := analysis.Text{
		EN: fmt.Sprintf("Allow %s on %s in this %s", strings.Join(append(slices.Clone(actions), keyActions...), ", "), strings.Join(shortResources(resources), ", "), kind.EN),
		JA: fmt.Sprintf("%sで %s への %s を許可", pass.Kind.ThisJA(), strings.Join(shortResources(resources), ", "), strings.Join(append(slices.Clone(actions), keyActions...), ", ")),
	}
	return []analysis.Fix{{Title: title, Edits: appendStatements(pass, stmts)}}
}

// endpointGranteeConditions are the conditions by which an endpoint
// policy's statement lets through the grantees of the bucket policy, no
// one else: "Principal": "*" narrowed by aws:PrincipalAccount for the
// accounts (a root ARN of any partition) and by aws:PrincipalArn for the
// roles and users of other accounts, one condition a statement (both in
// one would have to match at once). A principal in an endpoint policy
// cannot name them: on a gateway endpoint, S3's usual one, an account
// there is its root user alone. A role session's aws:PrincipalArn is its
// role's ARN, whose path the session's ARN leaves out: the role is named
// with and without a path (ArnLike; a role's name is unique in its
// account), which lets its every session through the endpoint, the
// bucket policy still granting the one it names. False for a grantee no
// condition names exactly ("*").
// https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn
func endpointGranteeConditions(grantees []string) ([][]member, bool) {
	var accounts, arns []string
	like := false
	for _, g := range grantees {
		a, isARN := analysis.ParseARN(g)
		role, _, _ := strings.Cut(strings.TrimPrefix(a.Resource, "assumed-role/"), "/") // of a session
		switch {
		case strings.Contains(g, "*") || strings.Contains(g, "?"):
			return nil, false
		case isARN && a.Service == "iam" && a.Resource == "root":
			accounts = appendNew(accounts, a.Account)
		case isARN && a.Service == "sts" && strings.HasPrefix(a.Resource, "assumed-role/") && role != "":
			roles := "arn:" + a.Partition + ":iam::" + a.Account + ":role/"
			arns, like = appendNew(appendNew(arns, roles+role), roles+"*/"+role), true
		case strings.HasPrefix(g, "arn:"):
			arns = appendNew(arns, g)
		default:
			accounts = appendNew(accounts, g)
		}
	}
	arns = slices.DeleteFunc(arns, func(arn string) bool { // its account is let through whole
		parts := strings.SplitN(arn, ":", 6)
		return len(parts) == 6 && slices.Contains(accounts, parts[4])
	})
	var conds [][]member
	if len(accounts) > 0 {
		conds = append(conds, []member{{"StringEquals", []member{{"aws:PrincipalAccount", accounts}}}})
	}
	if len(arns) > 0 {
		op := "ArnEquals"
		if like {
			op = "ArnLike"
		}
		conds = append(conds, []member{{op, []member{{"aws:PrincipalArn", arns}}}})
	}
	return conds, len(conds) > 0
}

// appendStatements is the edit that appends rendered statements to the
// policy's Statement array, each laid out like the last.
func appendStatements(pass *analysis.Pass, stmts []string) []analysis.Edit {
	edits := analysis.AppendRaw(pass.Src, pass.Policy.Statement.Value, stmts[0])
	if len(stmts) == 1 {
		return edits
	}
	// The later statements follow the first with the separator it got.
	last := &edits[len(edits)-1]
	sep := strings.TrimSuffix(last.NewText, stmts[0])
	if !strings.HasSuffix(last.NewText, "]") {
		for _, s := range stmts[1:] {
			last.NewText += sep + s
		}
		return edits
	}
	// A lone statement made an array: ", a]" becomes ", a, b]".
	last.NewText = strings.TrimSuffix(last.NewText, "]") + ", " + strings.Join(stmts[1:], ", ") + "]"
	return edits
}

// firstOfEach keeps the first of each string of the list, in order, in
// time linear in its length: an element blocks up to thousands of
// requests, each on its own resource (appendNew for each was quadratic).
func firstOfEach(list []string) []string {
	seen := make(map[string]bool, len(list))
	out := list[:0]
	for _, s := range list {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

func shortResources(arns []string) []string {
	out := make([]string, len(arns))
	for i, a := range arns {
		out[i] = shortResource(a)
	}
	return out
}
