package checks

import "github.com/s3policy-lsp/s3policy-lsp/analysis"

// BoundaryBlocks reports a permissions boundary that leaves a user or role
// without the S3 access a bucket policy of another account grants it: the
// principal may only do what both its identity policies and its boundary
// allow. The finding needs the workspace (the grant, the identity
// policy); on its own a boundary says nothing wrong.
var BoundaryBlocks = &analysis.Check{
	Code:     boundaryBlocksCode,
	Category: "access",
	Severity: analysis.Warning,
	DocURL:   "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html",
	Title:    analysis.T("The permissions boundary does not allow the S3 access", "アクセス許可の境界が S3 アクセスを許可していない"),
	Explain: analysis.T(
		"A permissions boundary never grants: a user's or role's effective permissions are what both its identity policies and its boundary allow. An S3 action, bucket or KMS key that the boundary does not allow is denied even though the identity policy and the bucket policy allow it. Allow the S3 actions on the bucket's ARNs in the boundary (and the KMS actions on the bucket's key for SSE-KMS objects).",
		"アクセス許可の境界は権限を付与しません。ユーザーやロールの実効権限は、アイデンティティポリシーと境界の両方が許可するものです。境界が許可しない S3 アクション、バケット、KMS キーは、アイデンティティポリシーとバケットポリシーが許可していても拒否されます。境界でバケットの ARN に対する S3 アクションを (SSE-KMS オブジェクトにはバケットのキーに対する KMS アクションも) 許可してください。"),
	Kinds:        []analysis.Kind{analysis.KindBoundary},
	Run:          func(*analysis.Pass) {}, // a boundary alone shows no fault: see RunWorkspace
	RunWorkspace: reportWorkspaceCauses,
}

const boundaryBlocksCode = "boundary-blocks"

// implicitDenyCode is the engine's code of a layer that allows nothing
// for the request and has no check of its own (eval.CodeImplicitDeny).
const implicitDenyCode = "implicit-deny"

// reportedCode is the code a cause is reported under: its own, except a
// boundary's implicit deny, which BoundaryBlocks reports.
func reportedCode(w analysis.Workspace, c analysis.Cause) string {
	if c.Code != implicitDenyCode || !c.Located {
		return c.Code
	}
	if boundariesOf(w)[docKey{c.Place.Path, c.Place.Doc}] {
		return boundaryBlocksCode
	}
	return c.Code
}

// boundariesOf are the permissions boundaries of the workspace, once per
// workspace.
func boundariesOf(w analysis.Workspace) map[docKey]bool {
	return memoized(w, boundariesKey, func() map[docKey]bool {
		out := map[docKey]bool{}
		for _, f := range w.PolicyFiles() {
			if f.Kind == analysis.KindBoundary {
				out[docKey{f.Path, f.DocName}] = true
			}
		}
		return out
	})
}
