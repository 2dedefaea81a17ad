# The shared bucket of account 444455556666 and its policy.
resource "aws_s3_bucket" "shared" {
  bucket = "shared-data"
}

resource "aws_s3_bucket_ownership_controls" "shared" {
  bucket = aws_s3_bucket.shared.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_policy" "shared" {
  bucket = aws_s3_bucket.shared.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "PartnerList"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:root" }
        Action    = "s3:ListBucket"
        Resource  = aws_s3_bucket.shared.arn
      },
      {
        Sid       = "PartnerReadWrite"
        Effect    = "Allow"
        Principal = { AWS = "arn:aws:iam::111122223333:root" }
        Action    = ["s3:GetObject", "s3:PutObject"]
        Resource  = "${aws_s3_bucket.shared.arn}/*"
      },
    ]
  })
}

resource "aws_s3_bucket_request_payment_configuration" "shared" {
  bucket = aws_s3_bucket.shared.id
  payer  = "Requester"
}
