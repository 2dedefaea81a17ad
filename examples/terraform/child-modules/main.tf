# The root module calls two child modules of its own folder: the bucket's,
# in account 444455556666 (the default provider), and Jane's role, in the
# partner's account 111122223333 (the provider it is passed). Each child
# takes its names from the arguments written here; the three folders are
# read as one plan.
module "bucket" {
  source          = "./modules/bucket"
  bucket_name     = "shared-data"
  partner_account = "111122223333"
}

module "jane" {
  source      = "./modules/reader"
  providers   = { aws = aws.partner }
  role_name   = "jane"
  bucket_name = "shared-data-archive"
}
