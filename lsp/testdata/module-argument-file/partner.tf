# Jane's role in the partner's account 111122223333, with its policy in a
# file of the module.
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

resource "aws_iam_role_policy" "jane" {
  provider = aws.partner
  role     = aws_iam_role.jane.name
  policy   = file("${path.module}/policies/jane.json")
}
