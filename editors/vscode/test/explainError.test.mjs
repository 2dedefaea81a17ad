// "S3 Policy: Explain an AccessDenied message…" end to end, through
// vscode-languageserver-protocol as the extension's client speaks it: the
// server's s3policy.explainError answers a pasted message over the example
// workspace examples/cross-account/kms-key-policy, and says what a plain
// "Access Denied" lacks, in the words the extension turns into questions.
//
// The binary is $S3POLICY_LSP, else it is built from this repository.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import protocol from "vscode-languageserver-protocol/node.js";

const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = protocol;
const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../..");
const example = path.join(repoRoot, "examples/cross-account/kms-key-policy");

let binary = process.env.S3POLICY_LSP ?? "";
let workDir;

before(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "s3policy-explain-error-"));
  if (!binary) {
    binary = path.join(workDir, "s3policy-lsp");
    execFileSync("go", ["build", "-o", binary, "./cmd/s3policy-lsp"], { cwd: repoRoot, stdio: "inherit" });
  }
});

after(() => fs.rmSync(workDir, { recursive: true, force: true }));

test("s3policy.explainError names the statement and asks for what the message lacks", async (t) => {
  const proc = spawn(binary, ["serve"], { stdio: ["pipe", "pipe", "inherit"] });
  // A failed assertion must not leave the server running: the test would never end.
  t.after(() => proc.kill());
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  conn.onRequest("workspace/configuration", ({ items }) => items.map(() => null));
  conn.onRequest("client/registerCapability", () => null);
  conn.onRequest("window/workDoneProgress/create", () => null);
  conn.listen();
  const root = pathToFileURL(example).href;
  const init = await conn.sendRequest("initialize", {
    processId: process.pid, rootUri: root, workspaceFolders: [{ uri: root, name: "example" }], capabilities: {},
  });
  const serverCommands = init.capabilities.executeCommandProvider.commands;
  assert.ok(serverCommands.includes("s3policy.explainError"));
  // vscode-languageclient registers each command the server offers as a
  // VS Code command; a command of the manifest with the same name makes
  // the client fail to start in VS Code ("command ... already exists").
  const manifest = JSON.parse(fs.readFileSync(path.join(here, "../package.json"), "utf8"));
  const contributed = manifest.contributes.commands.map((c) => c.command);
  assert.deepEqual(contributed.filter((c) => serverCommands.includes(c)), []);
  conn.sendNotification("initialized", {});

  const message = "An error occurred (AccessDenied) when calling the PutObject operation: User: arn:aws:iam::111122223333:user/jane is not authorized to perform: kms:GenerateDataKey on this resource because no resource-based policy allows the kms:GenerateDataKey action";
  const answer = await conn.sendRequest("workspace/executeCommand", {
    command: "s3policy.explainError",
    arguments: [{ message, resource: "arn:aws:s3:::shared-data/x" }],
  });
  assert.equal(answer.agreement, "agrees");
  assert.equal(answer.requests.length, 1);
  const cause = answer.requests[0].causes[0];
  assert.deepEqual([answer.requests[0].action, cause.code, cause.line, cause.uri],
    ["s3:PutObject", "kms-missing-actions", 4, pathToFileURL(path.join(example, "key.key-policy.json")).href]);

  await assert.rejects(
    conn.sendRequest("workspace/executeCommand", {
      command: "s3policy.explainError",
      arguments: ["An error occurred (AccessDenied) when calling the GetObject operation: Access Denied"],
    }),
    (err) => ["who called", "the bucket", "the object's key"].every((phrase) => err.message.includes(phrase)),
  );

  const exited = new Promise((resolve) => proc.once("exit", resolve));
  await conn.sendRequest("shutdown");
  conn.sendNotification("exit");
  await exited;
  conn.dispose();
});
