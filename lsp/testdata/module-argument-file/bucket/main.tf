variable "policy_file" {
  type = string
}

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
  policy = file("${path.module}/${var.policy_file}")
}
data "aws_caller_identity" "current" {}
resource "aws_kms_key" "shared" {
  description = "encrypts shared-data"
  policy = templatefile("${path.module}/policies/key.json.tftpl", {
    owner_account = data.aws_caller_identity.current.account_id
  })
}

resource "aws_s3_bucket_server_side_encryption_configuration" "shared" {
  bucket = aws_s3_bucket.shared.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.shared.arn
    }
  }
}
