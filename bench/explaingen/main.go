// Command explaingen writes the explain benchmark's scenarios twice: as
// `explain --scenario` reads them and as @cloud-copilot/iam-simulate's
// Simulation objects, the same requests and policies in each. They mix
// same- and cross-account callers, three S3 actions, policy variables,
// an IP condition, a bucket-policy Deny and an SCP, so that every
// decision occurs.
//
//	go run ./bench/explaingen -n 1000 -scenarios /tmp/s.json -simulations /tmp/sims.json
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
)

type policy = map[string]any

func main() {
	n := flag.Int("n", 1000, "scenarios")
	scenarios := flag.String("scenarios", "", "file for explain --scenario")
	simulations := flag.String("simulations", "", "file for iam-simulate")
	flag.Parse()
	if *scenarios == "" || *simulations == "" {
		fmt.Fprintln(os.Stderr, "usage: explaingen -n 1000 -scenarios FILE -simulations FILE")
		os.Exit(2)
	}
	var ours, theirs []any
	for i := range *n {
		s := generate(i)
		ours = append(ours, map[string]any{
			"request":          map[string]any{"principal": s.principal, "action": s.action, "resource": s.resource, "context": s.context},
			"identityPolicies": []policy{s.identity}, "resourcePolicy": s.bucket,
			"serviceControlPolicies": []policy{s.scp}, "bucket": map[string]any{"account": bucketAccount},
		})
		theirs = append(theirs, map[string]any{
			"request": map[string]any{"principal": s.principal, "action": s.action,
				"resource": map[string]any{"resource": s.resource, "accountId": bucketAccount}, "contextVariables": s.context},
			"identityPolicies":        []any{map[string]any{"name": "identity", "policy": s.identity}},
			"resourcePolicy":          s.bucket,
			"serviceControlPolicies":  []any{map[string]any{"orgIdentifier": "ou-bench", "policies": []any{map[string]any{"name": "scp", "policy": s.scp}}}},
			"resourceControlPolicies": []any{},
		})
	}
	for file, v := range map[string]any{*scenarios: ours, *simulations: theirs} {
		b, err := json.Marshal(v)
		if err == nil {
			err = os.WriteFile(file, b, 0o644)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "explaingen:", err)
			os.Exit(1)
		}
	}
}

const bucketAccount = "444455556666"

type scenario struct {
	principal, action, resource string
	context                     map[string]any
	identity, bucket, scp       policy
}

func generate(i int) scenario {
	account := []string{"111122223333", bucketAccount}[i%2]
	user := fmt.Sprintf("user%d", i%7)
	action := []string{"s3:GetObject", "s3:PutObject", "s3:ListBucket"}[i%3]
	resource := fmt.Sprintf("arn:aws:s3:::shared/home/user%d/f%d.txt", i%5, i)
	if action == "s3:ListBucket" {
		resource = "arn:aws:s3:::shared"
	}
	return scenario{
		principal: fmt.Sprintf("arn:aws:iam::%s:user/%s", account, user),
		action:    action,
		resource:  resource,
		context:   map[string]any{"aws:SourceIp": fmt.Sprintf("203.0.113.%d", i%256), "aws:SecureTransport": "true", "aws:username": user},
		identity: policy{"Version": "2012-10-17", "Statement": []any{
			policy{"Effect": "Allow", "Action": []string{"s3:GetObject", "s3:PutObject"}, "Resource": "arn:aws:s3:::shared/home/${aws:username}/*"},
			policy{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "arn:aws:s3:::shared"},
			policy{"Effect": "Deny", "Action": "s3:PutObject", "Resource": "*", "Condition": policy{"Bool": policy{"aws:SecureTransport": "false"}}},
		}},
		bucket: policy{"Version": "2012-10-17", "Statement": []any{
			policy{"Effect": "Allow", "Principal": policy{"AWS": []string{"111122223333", "arn:aws:iam::444455556666:root"}}, "Action": "s3:*",
				"Resource": []string{"arn:aws:s3:::shared", "arn:aws:s3:::shared/*"}},
			policy{"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": []string{"arn:aws:s3:::shared", "arn:aws:s3:::shared/*"},
				"Condition": policy{"NotIpAddress": policy{"aws:SourceIp": "203.0.113.0/25"}}},
		}},
		scp: policy{"Version": "2012-10-17", "Statement": []any{
			policy{"Effect": "Allow", "Action": "*", "Resource": "*"},
			policy{"Effect": "Deny", "NotAction": []string{"s3:*", "kms:*"}, "Resource": "*"},
		}},
	}
}
