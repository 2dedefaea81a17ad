package checks

import (
	"slices"
	"strings"

	"github.com/s3policy-lsp/s3policy-lsp/analysis"
)

// keyPolicyFixes is the fix of a key policy that does not let a
// principal of another account use the key for the S3 requests a bucket
// policy grants it: a statement that allows exactly the KMS actions those
// requests need, to whom the bucket policy grants them (the account's
// root, which leaves the choice to the account's IAM policies, or the
// principal itself), on this key ("*" in a key policy).
// https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-modifying-external-accounts.html
func keyPolicyFixes(pass *analysis.Pass, h *blockedHere) []analysis.Fix {
	var grantees, actions []string
	for _, b := range h.requests {
		grantees = append(grantees, b.GrantedTo)
		for _, a := range kmsActionsFor(b.Action) {
			if !slices.Contains(actions, a) {
				actions = append(actions, a)
			}
		}
	}
	if len(actions) == 0 {
		return nil
	}
	grantees = firstOfEach(grantees)
	slices.Sort(actions)
	principal := make([]string, len(grantees))
	for i, g := range grantees {
		principal[i] = principalARN(g)
	}
	stmt := newStatement(pass,
		member{"Sid", sidFor(pass.Policy, "AllowS3Use"+sidWord(shortName(h.principal)))},
		member{"Effect", "Allow"},
		member{"Principal", []member{{"AWS", principal}}},
		member{"Action", actions},
		member{"Resource", "*"},
	)
	return []analysis.Fix{{
		Title: analysis.Tf("Allow %s to %s in this key policy", "このキーポリシーで %[2]s に %[1]s を許可",
			analysis.AndList(actions), strings.Join(grantees, ", ")),
		Edits: analysis.AppendRaw(pass.Src, pass.Policy.Statement.Value, stmt),
	}}
}

// kmsActionsFor are the KMS actions S3 calls for an S3 action on an
// SSE-KMS object: kms:Decrypt to read, kms:GenerateDataKey to write.
// https://docs.aws.amazon.com/AmazonS3/latest/userguide/UsingKMSEncryption.html
func kmsActionsFor(action string) []string {
	switch strings.ToLower(action) {
	case "s3:getobject", "s3:getobjectversion":
		return []string{"kms:Decrypt"}
	case "s3:putobject":
		return []string{"kms:GenerateDataKey"}
	}
	return nil
}

// principalARN is a Principal entry as a key policy needs it: an account
// ID becomes its root ARN, the form AWS stores.
func principalARN(entry string) string {
	if len(entry) == 12 && strings.Trim(entry, "0123456789") == "" {
		return "arn:aws:iam::" + entry + ":root"
	}
	return entry
}
