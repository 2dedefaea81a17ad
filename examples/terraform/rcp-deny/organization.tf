# A resource control policy of the bucket owner's organization.
resource "aws_organizations_policy" "org_only" {
  name    = "org-only"
  type    = "RESOURCE_CONTROL_POLICY"
  content = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "OnlyOurAccounts"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = "*"
      Condition = { StringNotEquals = { "aws:PrincipalAccount" = ["444455556666"] } }
    }]
  })
}
