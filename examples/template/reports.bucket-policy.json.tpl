{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Sid": "PartnerRead",
      "Effect": "Allow",
      "Principal": {"AWS": ${partner_principals}},
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": "${bucket_arn}/*"
    },
    {
      "Sid": "OwnFolder",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::111122223333:root"},
      "Action": ["s3:GetObject", "s3:ListBucket"],
      "Resource": "arn:aws:s3:::${bucket_name}/home/$${aws:username}/*"
    }
  ]
}
