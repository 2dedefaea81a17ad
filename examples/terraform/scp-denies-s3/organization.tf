# A service control policy of the partner's organization.
resource "aws_organizations_policy" "no_s3_data" {
  provider = aws.partner
  name     = "no-s3-data"
  content  = <<EOF
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "NoS3Data",
      "Effect": "Deny",
      "Action": ["s3:GetObject", "s3:PutObject"],
      "Resource": "*"
    }
  ]
}
EOF
}
