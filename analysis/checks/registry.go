// Package checks holds every check of s3policy-lsp, one file each, and the
// lists the server and the command line run. Adding a check means adding
// its file and its line in All; nothing else changes.
package checks

import "github.com/s3policy-lsp/s3policy-lsp/analysis"

// All is every check, in the order they run.
var All = []*analysis.Check{
	MissingVersion,
	// Structure: the document is a well-formed policy of its kind.
	MissingStatement,
	UnknownElement,
	InvalidEffect,
	DuplicateSid,
	PrincipalInIdentityPolicy,
	MissingPrincipal,
	IncompleteStatement,
	InvalidARN,
	// Access: the eight causes of cross-account AccessDenied.
	MissingResourceARN,
	KMSMissingActions,
	DenyBlocksAccess,
	EndpointWildcardPrincipal,
	GatewayEndpointPrincipal,
	EndpointPolicyBlocks,
	ScpDeniesS3,
	ObjectOwnership,
	RequesterPays,
	SessionPolicyBlocks,
	BoundaryBlocks,
	UnknownGrantee,
	// Service data: actions, resources and condition keys that exist.
	UnknownService,
	UnknownAction,
	UnknownConditionKey,
	ConditionKeyNotApplicable,
	ActionResourceMismatch,
	UnknownConditionOperator,
	ConditionTypeMismatch,
}

// ByCode returns the check with the given code, or nil.
func ByCode(code string) *analysis.Check {
	for _, c := range All {
		if c.Code == code {
			return c
		}
	}
	return nil
}
