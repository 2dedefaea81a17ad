// Unit tests of the extension's parts that need no VS Code (src/explain.ts,
// src/documents.ts), as `npm run build` bundles them into out/test.
import { test } from "node:test";
import assert from "node:assert/strict";
import { pathToFileURL } from "node:url";
import * as path from "node:path";
import { configFacts, contextHint, formatExplanation, parseContext } from "../out/test/explain.mjs";
import { isPolicyTemplateYaml, isYaml, serverFileName } from "../out/test/documents.mjs";

test("formatExplanation links each cause to its statement (path:line)", () => {
  const key = path.resolve("/repo/kms/key.key-policy.json");
  const text = formatExplanation(
    { principal: "arn:aws:iam::111122223333:user/jane", action: "s3:PutObject", resource: "arn:aws:s3:::shared-data/x" },
    {
      decision: "ImplicitlyDenied",
      blockedBy: ["kms"],
      causes: [{ code: "kms-missing-actions", layer: "kms", policy: "key.key-policy.json", uri: pathToFileURL(key).href, statement: 0, line: 4, message: "KMS: no" }],
    },
  );
  assert.equal(
    text,
    [
      "arn:aws:iam::111122223333:user/jane → s3:PutObject on arn:aws:s3:::shared-data/x",
      "Decision: ImplicitlyDenied (blocked by kms)",
      "  [kms] KMS: no (kms-missing-actions; key.key-policy.json, line 4, statement 0)",
      `      ${key}:4`,
      "",
    ].join("\n"),
  );
});

test("parseContext: condition keys, repeated keys and the request's own fields", () => {
  const request = parseContext("aws:SourceVpce=vpce-1 requestPayer=requester aws:SourceVpce=vpce-2 junk s3:prefix=a=b", {
    principal: "p",
    action: "s3:GetObject",
    resource: "r",
  });
  assert.deepEqual(request, {
    principal: "p",
    action: "s3:GetObject",
    resource: "r",
    requestPayer: "requester",
    context: { "aws:SourceVpce": ["vpce-1", "vpce-2"], "s3:prefix": "a=b" },
  });
});

test("configFacts offers the principals, buckets, keys and endpoints of .s3policy.json", () => {
  const facts = configFacts([
    JSON.stringify({
      buckets: { "shared-data": { account: "444455556666", kmsKeyArn: "arn:aws:kms:us-east-1:444455556666:key/k1" } },
      files: {
        "jane.iam-policy.json": { kind: "identity", principal: "arn:aws:iam::111122223333:user/jane" },
        "key.key-policy.json": { kind: "key", key: "arn:aws:kms:us-east-1:444455556666:key/k1" },
        "vpce.json": { kind: "endpoint", endpoint: "vpce-0abc" },
      },
    }),
    "{ not json",
    JSON.stringify({ buckets: { logs: {} }, files: { "bob.iam-policy.json": { principal: "arn:aws:iam::111122223333:role/bob" } } }),
  ]);
  assert.deepEqual(facts, {
    principals: ["arn:aws:iam::111122223333:role/bob", "arn:aws:iam::111122223333:user/jane"],
    buckets: [{ name: "logs", account: undefined }, { name: "shared-data", account: "444455556666" }],
    keys: ["arn:aws:kms:us-east-1:444455556666:key/k1"],
    endpoints: ["vpce-0abc"],
  });
  assert.equal(contextHint(facts), "aws:SourceVpce=vpce-0abc aws:SecureTransport=true requestPayer=requester");
});

test("YAML goes to the server only when it is a CloudFormation or Serverless template", () => {
  const cases = [
    ["template.yaml", 'AWSTemplateFormatVersion: "2010-09-09"\nResources: {}\n', true],
    ["stack.yml", "Resources:\n  Bucket:\n    Type: 'AWS::S3::BucketPolicy'\n", true],
    ["serverless.yml", "service: uploads\n", true],
    ["Serverless.YAML", "service: uploads\n", true],
    [".github/workflows/ci.yml", "jobs:\n  build:\n    runs-on: ubuntu-latest\n", false],
    ["k8s.yaml", "apiVersion: v1\nkind: ConfigMap\n", false],
    ["helm.yaml", "Resources:\n  cpu: 1\n", false],
  ];
  for (const [name, text, want] of cases) {
    assert.equal(isPolicyTemplateYaml(name, text), want, name);
  }
  assert.equal(isYaml("yaml", "x"), true);
  assert.equal(isYaml("plaintext", "a/b.YML"), true);
  assert.equal(isYaml("json", "a.json"), false);
});

test("the bundled server's file name", () => {
  assert.equal(serverFileName("win32"), "s3policy-lsp.exe");
  assert.equal(serverFileName("linux"), "s3policy-lsp");
  assert.equal(serverFileName("darwin"), "s3policy-lsp");
});
