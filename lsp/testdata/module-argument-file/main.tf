module "bucket" {
  source      = "./bucket"
  policy_file = "policies/a.json"
}
