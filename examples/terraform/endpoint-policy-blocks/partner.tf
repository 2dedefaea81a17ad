# Jane's role in the partner's account 111122223333.
resource "aws_iam_role" "jane" {
  provider           = aws.partner
  name               = "jane"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}

data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "jane" {
  statement {
    sid       = "ListTheBucket"
    actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
    resources = [aws_s3_bucket.shared.arn]
  }
  statement {
    sid       = "ReadWriteObjects"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${aws_s3_bucket.shared.arn}/*"]
  }
}

resource "aws_iam_role_policy" "jane" {
  provider = aws.partner
  role     = aws_iam_role.jane.name
  policy   = data.aws_iam_policy_document.jane.json
}

# The partner's VPC reaches S3 through this gateway endpoint.
resource "aws_vpc_endpoint" "s3" {
  provider     = aws.partner
  vpc_id       = "vpc-0a1b2c3d"
  service_name = "com.amazonaws.us-east-1.s3"
  policy       = <<-EOT
    {
      "Version": "2012-10-17",
      "Statement": [
        {
          "Sid": "ArtifactsOnly",
          "Effect": "Allow",
          "Principal": "*",
          "Action": "s3:GetObject",
          "Resource": "arn:aws:s3:::amzn-s3-demo-artifacts/*"
        }
      ]
    }
  EOT
}
