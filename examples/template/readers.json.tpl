{
  "Version": "2012-10-17",
  "Statement": [
%{ for account in accounts ~}
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::${account}:root"}, "Action": "s3:GetObject", "Resource": "${bucket_arn}/*"},
%{ endfor ~}
  ]
}
