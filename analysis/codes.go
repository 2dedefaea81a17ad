package analysis

// The codes of findings, declared once: the checks report them and the
// evaluation engine names its causes with them, so that an explanation and
// the diagnostic it stands for agree.
const (
	CodeActionResourceMismatch    = "action-resource-mismatch"
	CodeConditionKeyNotApplicable = "condition-key-not-applicable"
	CodeConditionTypeMismatch     = "condition-type-mismatch"
	CodeDenyBlocksAccess          = "deny-blocks-access"
	CodeDuplicateSid              = "duplicate-sid"
	CodeEndpointPolicyBlocks      = "endpoint-policy-blocks"
	CodeEndpointWildcardPrincipal = "endpoint-wildcard-principal"
	CodeGatewayEndpointPrincipal  = "gateway-endpoint-principal"
	CodeIncompleteStatement       = "incomplete-statement"
	CodeInvalidARN                = "invalid-arn"
	CodeInvalidEffect             = "invalid-effect"
	CodeKMSMissingActions         = "kms-missing-actions"
	CodeMissingPrincipal          = "missing-principal"
	CodeMissingResourceARN        = "missing-resource-arn"
	CodeMissingStatement          = "missing-statement"
	CodeMissingVersion            = "missing-version"
	CodeObjectOwnership           = "object-ownership"
	CodePrincipalInIdentityPolicy = "principal-in-identity-policy"
	CodeRequesterPays             = "requester-pays"
	CodeSCPDeniesS3               = "scp-denies-s3"
	CodeSessionPolicyBlocks       = "session-policy-blocks"
	CodeUnknownAction             = "unknown-action"
	CodeUnknownConditionKey       = "unknown-condition-key"
	CodeUnknownConditionOperator  = "unknown-condition-operator"
	CodeUnknownElement            = "unknown-element"
	CodeUnknownGrantee            = "unknown-grantee"
	CodeUnknownService            = "unknown-service"
)
