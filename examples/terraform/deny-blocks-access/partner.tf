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
