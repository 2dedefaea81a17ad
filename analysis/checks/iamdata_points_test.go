package checks_test

import (
	"testing"

	"github.com/s3policy-lsp/s3policy-lsp/analysis/checktest"
)

// Elastic Load Balancing has two services under one prefix: AddTags of
// version 2 acts on target groups and on application and network load
// balancers. Statement from the AWS Load Balancer Controller's IAM policy
// (kubernetes-sigs/aws-load-balancer-controller, docs/install/iam_policy.json, Apache-2.0).
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
func TestSharedPrefixELB(t *testing.T) {
	src := `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Action": ["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
  "Resource": ["arn:aws:elasticloadbalancing:*:*:targetgroup/*/*", "arn:aws:elasticloadbalancing:*:*:loadbalancer/net/*/*", "arn:aws:elasticloadbalancing:*:*:loadbalancer/app/*/*"],
  "Condition": {"Null": {"aws:RequestTag/elbv2.k8s.aws/cluster": "true", "aws:ResourceTag/elbv2.k8s.aws/cluster": "false"}}}]}`
	_, fs := checktest.Run(t, "a.iam-policy.json", src, nil)
	for _, f := range fs {
		t.Errorf("%s %q: %s", f.Code, src[f.Span.Start:f.Span.End], f.Message.Text().EN)
	}
}

// Condition keys the reference writes with a worded tag key
// (secretsmanager:ResourceTag/tag-key) are templates.
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_awssecretsmanager.html
func TestWordedTagKeyTemplate(t *testing.T) {
	checktest.Expect(t, "unknown-condition-key", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Action": "secretsmanager:GetSecretValue", "Resource": "*", "Condition": {"StringEquals": {"secretsmanager:ResourceTag/Project": "x"}}}]}`, nil)
	checktest.Expect(t, "condition-key-not-applicable", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Action": "secretsmanager:GetSecretValue", "Resource": "*", "Condition": {"StringEquals": {"secretsmanager:ResourceTag/Project": "x"}}}]}`, nil)
}

// The documented CloudFormation transform ARN.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/transform-aws-serverless.html
func TestCloudFormationTransformARN(t *testing.T) {
	checktest.Expect(t, "action-resource-mismatch", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Action": "cloudformation:CreateChangeSet", "Resource": "arn:aws:cloudformation:us-east-1:aws:transform/Serverless-2016-10-31"}]}`, nil)
}

// An action that takes no resource type is authorized only with
// "Resource": "*": s3:ListAllMyBuckets on a bucket ARN grants nothing.
// https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazons3.html
func TestStarOnlyAction(t *testing.T) {
	src, got := checktest.Expect(t, "action-resource-mismatch", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Action": "s3:ListAllMyBuckets", "Resource": «"arn:aws:s3:::b"»}]}`, nil)
	if want := `s3:ListAllMyBuckets takes no resource type: it is authorized only with "Resource": "*", so arn:aws:s3:::b grants nothing for it`; got[0].Message.Text().EN != want {
		t.Errorf("message %q", got[0].Message.Text().EN)
	}
	assertFixed(t, "a.iam-policy.json", src, got[0], `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Action": "s3:ListAllMyBuckets", "Resource": "*"}]}`)
	// IAM's list actions are authorized against ARNs in AWS's own examples.
	checktest.Expect(t, "action-resource-mismatch", "a.iam-policy.json", `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
  "Action": "iam:ListUsers", "Resource": "arn:aws:iam::*:*"}]}`, nil)
}
