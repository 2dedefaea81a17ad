{
  "Version": "2008-10-17",
  "Statement": [
    {
      "Sid": "ReadReports",
      "Effect": "Allow",
      "Principal": {"AWS": "arn:aws:iam::${account_id}:root"},
      "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::${bucket}/reports/*"
    }
  ]
}
