# Two accounts: the bucket's (the default provider) and the partner's.
provider "aws" {
  region              = "us-east-1"
  allowed_account_ids = ["444455556666"]
}

provider "aws" {
  alias               = "partner"
  region              = "us-east-1"
  allowed_account_ids = ["111122223333"]
}
