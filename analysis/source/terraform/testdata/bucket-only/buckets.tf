provider "aws" {
  allowed_account_ids = ["444455556666"]
}

resource "aws_s3_bucket" "x" {
  bucket = "shared-x"
}

resource "aws_s3_bucket_request_payment_configuration" "x" {
  bucket = aws_s3_bucket.x.id
  payer  = "Requester"
}
