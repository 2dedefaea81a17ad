// End-to-end test of s3policy-lsp through vscode-languageserver-protocol, the
// library under VS Code's own client: it spawns the binary and runs the
// missing-version scenario (diagnostic, hover, quick fix) in English and
// Japanese, checks the settings from initializationOptions, runs a code
// lens's command as the extension does and formats its answer with links,
// opens a Terraform file as the extension sends it, and a policy template
// whose unsaved text gets the diagnostic, hover and quick fix.
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
import { formatExplanation } from "../out/test/explain.mjs";

const { createProtocolConnection, StreamMessageReader, StreamMessageWriter } = protocol;

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, "../../..");
const fixture = path.join(repoRoot, "editors/testdata/old-version.bucket-policy.json");
// The same policy as a Terraform template: ${...} placeholders in the ARNs.
const templateFixture = path.join(repoRoot, "editors/testdata/old-version.bucket-policy.json.tpl");
const TIMEOUT_MS = 15000;

let binary = process.env.S3POLICY_LSP ?? "";
let workDir;

before(() => {
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), "s3policy-vscode-test-"));
  if (!binary) {
    binary = path.join(workDir, "s3policy-lsp");
    execFileSync("go", ["build", "-o", binary, "./cmd/s3policy-lsp"], { cwd: repoRoot, stdio: "inherit" });
  }
});

after(() => fs.rmSync(workDir, { recursive: true, force: true }));

// startServer spawns the server and initializes it; settings answer
// workspace/configuration for the section "s3policy" (null: the client has
// none, and initializationOptions stay in force).
async function startServer({ locale = "en", initializationOptions = {}, settings = null } = {}) {
  const proc = spawn(binary, ["serve"], { stdio: ["pipe", "pipe", "inherit"] });
  const conn = createProtocolConnection(new StreamMessageReader(proc.stdout), new StreamMessageWriter(proc.stdin));
  const published = new Map(); // uri -> diagnostics of the last publish
  const waiters = [];
  conn.onNotification("textDocument/publishDiagnostics", ({ uri, diagnostics }) => {
    published.set(uri, diagnostics);
    for (const w of [...waiters]) {
      if (w.uri === uri && w.until(diagnostics)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(diagnostics);
      }
    }
  });
  conn.onRequest("workspace/configuration", ({ items }) => items.map((i) => (i.section === "s3policy" ? settings : null)));
  conn.onRequest("client/registerCapability", () => null);
  conn.onRequest("window/workDoneProgress/create", () => null);
  // The server asks for lenses again when the scan has read the folder.
  let refreshes = 0;
  const refreshWaiters = [];
  conn.onRequest("workspace/codeLens/refresh", () => {
    refreshes++;
    for (const w of refreshWaiters.splice(0)) w();
    return null;
  });
  conn.listen();

  const init = await withTimeout(
    conn.sendRequest("initialize", {
      processId: process.pid,
      locale,
      rootUri: pathToFileURL(workDir).href,
      workspaceFolders: [{ uri: pathToFileURL(workDir).href, name: "test" }],
      initializationOptions,
      capabilities: {
        workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false }, codeLens: { refreshSupport: true } },
        textDocument: {
          publishDiagnostics: { codeDescriptionSupport: true },
          hover: { contentFormat: ["markdown", "plaintext"] },
          codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ["quickfix"] } } },
        },
      },
    }),
    "initialize",
  );
  conn.sendNotification("initialized", {});

  return {
    init,
    conn,
    // configure changes what workspace/configuration answers and tells the
    // server, as VS Code does when the user edits the settings.
    configure(next) {
      settings = next;
      conn.sendNotification("workspace/didChangeConfiguration", { settings: { s3policy: next } });
    },
    // lensesWhen asks for the lenses of uri until until(lenses) holds,
    // asking again after each workspace/codeLens/refresh.
    async lensesWhen(uri, until) {
      for (;;) {
        const seen = refreshes;
        const lenses = await withTimeout(conn.sendRequest("textDocument/codeLens", { textDocument: { uri } }), "code lenses");
        if (until(lenses)) {
          return lenses;
        }
        if (refreshes === seen) {
          await withTimeout(new Promise((resolve) => refreshWaiters.push(resolve)), `a code lens refresh (lenses: ${JSON.stringify(lenses)})`);
        }
      }
    },
    // diagnosticsWhen resolves with the first publish for uri, already
    // received or to come, for which until(diagnostics) holds.
    diagnosticsWhen(uri, until) {
      if (published.has(uri) && until(published.get(uri))) {
        return Promise.resolve(published.get(uri));
      }
      return withTimeout(new Promise((resolve) => waiters.push({ uri, until, resolve })), `diagnostics for ${uri}`);
    },
    async stop() {
      const exited = new Promise((resolve) => proc.once("exit", resolve));
      await withTimeout(conn.sendRequest("shutdown"), "shutdown");
      conn.sendNotification("exit");
      await withTimeout(exited, "server exit");
      conn.dispose();
    },
  };
}

function withTimeout(promise, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${TIMEOUT_MS} ms waiting for ${what}`)), TIMEOUT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// openFixture copies the policy into the work folder under a name of its
// own and opens it; it returns the uri and text.
function openFixture(server, name) {
  const file = path.join(workDir, name);
  fs.copyFileSync(fixture, file);
  const text = fs.readFileSync(file, "utf8");
  const uri = pathToFileURL(file).href;
  server.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "json", version: 1, text } });
  return { uri, text };
}

const ofCode = (code) => (diagnostics) => diagnostics.filter((d) => d.code === code);
const missingVersion = ofCode("missing-version");
// The value "2008-10-17" on the second line of the fixture.
const versionRange = { start: { line: 1, character: 13 }, end: { line: 1, character: 25 } };

// applyEdits applies LSP TextEdits to text; JavaScript strings index by
// UTF-16 code unit, as LSP positions do.
function applyEdits(text, edits) {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) {
    if (text[i] === "\n") lineStarts.push(i + 1);
  }
  const offset = (p) => lineStarts[p.line] + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  for (const e of sorted) {
    text = text.slice(0, offset(e.range.start)) + e.newText + text.slice(offset(e.range.end));
  }
  return text;
}

// versionFix asks for the quick fixes of the missing-version diagnostic d
// and returns "Set Version to 2012-10-17".
async function versionFix(server, uri, d) {
  const actions = await withTimeout(
    server.conn.sendRequest("textDocument/codeAction", {
      textDocument: { uri },
      range: d.range,
      context: { diagnostics: [d], only: ["quickfix"] },
    }),
    "code actions",
  );
  const fix = actions.find((a) => a.title === "Set Version to 2012-10-17");
  assert.ok(fix, `no "Set Version to 2012-10-17" among ${JSON.stringify(actions.map((a) => a.title))}`);
  return fix;
}

test("missing-version: diagnostic, hover, quick fix that clears it", async () => {
  const server = await startServer();
  try {
    const { uri, text } = openFixture(server, "en.bucket-policy.json");
    const diagnostics = missingVersion(await server.diagnosticsWhen(uri, (ds) => missingVersion(ds).length > 0));
    assert.equal(diagnostics.length, 1);
    const [d] = diagnostics;
    assert.deepEqual(d.range, versionRange);
    assert.equal(d.severity, 2); // Warning
    assert.equal(d.source, "s3policy-lsp");
    assert.equal(d.codeDescription?.href, "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html");
    assert.match(d.message, /^Version "2008-10-17" is not 2012-10-17/);

    const hover = await withTimeout(
      server.conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: { line: 1, character: 16 } }),
      "hover",
    );
    assert.equal(hover.contents.kind, "markdown");
    assert.match(hover.contents.value, /\(`missing-version`\)/);
    // The explanation, not the message again: the diagnostic shows that.
    assert.doesNotMatch(hover.contents.value, /is not 2012-10-17/);
    assert.match(hover.contents.value, /policy variables/);

    const fix = await versionFix(server, uri, d);
    assert.equal(fix.kind, "quickfix");
    const edits = fix.edit.changes[uri];
    assert.deepEqual(edits, [{ range: versionRange, newText: '"2012-10-17"' }]);

    const fixed = applyEdits(text, edits);
    assert.equal(fixed, text.replace('"2008-10-17"', '"2012-10-17"'));
    server.conn.sendNotification("textDocument/didChange", {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: fixed }],
    });
    const after = await server.diagnosticsWhen(uri, (ds) => missingVersion(ds).length === 0);
    assert.deepEqual(missingVersion(after), []);
  } finally {
    await server.stop();
  }
});

test("locale ja: diagnostic and hover in Japanese", async () => {
  const server = await startServer({ locale: "ja" });
  try {
    const { uri } = openFixture(server, "ja.bucket-policy.json");
    const [d] = missingVersion(await server.diagnosticsWhen(uri, (ds) => missingVersion(ds).length > 0));
    assert.deepEqual(d.range, versionRange);
    assert.equal(d.message.startsWith('Version "2008-10-17" は 2012-10-17 ではありません'), true, d.message);

    const hover = await withTimeout(
      server.conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: { line: 1, character: 16 } }),
      "hover",
    );
    assert.match(hover.contents.value, /\*\*警告\*\* \(`missing-version`\)/);
    assert.match(hover.contents.value, /ポリシー変数/);
  } finally {
    await server.stop();
  }
});

test("initializationOptions: severity override and disabled codes", async () => {
  const raised = await startServer({ initializationOptions: { severity: { "missing-version": "error" } } });
  try {
    const { uri } = openFixture(raised, "raised.bucket-policy.json");
    const [d] = missingVersion(await raised.diagnosticsWhen(uri, (ds) => missingVersion(ds).length > 0));
    assert.equal(d.severity, 1); // Error
  } finally {
    await raised.stop();
  }

  const silenced = await startServer({ initializationOptions: { disable: ["missing-version"] } });
  try {
    const { uri } = openFixture(silenced, "silenced.bucket-policy.json");
    const published = await silenced.diagnosticsWhen(uri, () => true);
    assert.deepEqual(missingVersion(published), []);
  } finally {
    await silenced.stop();
  }
});

test("workspace/configuration: the answer applies, and again after didChangeConfiguration", async () => {
  const server = await startServer({ settings: { disable: ["missing-version"] } });
  try {
    const { uri } = openFixture(server, "configured.bucket-policy.json");
    // The first analysis may come before the server has the answer; the
    // answer then brings a publish without the disabled code.
    await server.diagnosticsWhen(uri, (ds) => missingVersion(ds).length === 0);

    server.configure({ severity: { "missing-version": "hint" } });
    const [d] = missingVersion(await server.diagnosticsWhen(uri, (ds) => missingVersion(ds).length > 0));
    assert.equal(d.severity, 4); // Hint
  } finally {
    await server.stop();
  }
});

test("an untitled policy, as VS Code sends before the first save, gets its diagnostics", async () => {
  const server = await startServer();
  try {
    const uri = "untitled:Untitled-1";
    const text = fs.readFileSync(fixture, "utf8");
    server.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "json", version: 1, text } });
    const [d] = missingVersion(await server.diagnosticsWhen(uri, (ds) => missingVersion(ds).length > 0));
    assert.deepEqual(d.range, versionRange);
  } finally {
    await server.stop();
  }
});

test("s3policy.explain answers in the shape the extension formats", async () => {
  const server = await startServer();
  try {
    assert.ok(server.init.capabilities.executeCommandProvider.commands.includes("s3policy.explain"));
    const answer = await withTimeout(
      server.conn.sendRequest("workspace/executeCommand", {
        command: "s3policy.explain",
        arguments: [{ principal: "arn:aws:iam::111122223333:user/jane", action: "s3:GetObject", resource: "arn:aws:s3:::example-bucket/k" }],
      }),
      "s3policy.explain",
    );
    // No policy in the folder grants anything: denied on the identity side.
    assert.equal(answer.decision, "ImplicitlyDenied");
    assert.ok(Array.isArray(answer.blockedBy) && answer.blockedBy.includes("identity"), JSON.stringify(answer));
    assert.ok(Array.isArray(answer.causes) && answer.causes.every((c) => typeof c.code === "string" && typeof c.message === "string"));
  } finally {
    await server.stop();
  }
});

// copyExample copies examples/cross-account/NAME into the work folder under
// to, with its .s3policy.json: a nested workspace of the one folder.
function copyExample(name, to) {
  const from = path.join(repoRoot, "examples/cross-account", name);
  const dir = path.join(workDir, to);
  fs.mkdirSync(dir, { recursive: true });
  for (const f of fs.readdirSync(from)) {
    fs.copyFileSync(path.join(from, f), path.join(dir, f));
  }
  return dir;
}

test("a code lens answers: its command gives the explanation, linked to the statement", async () => {
  const dir = copyExample("kms-key-policy", "repo/kms");
  const server = await startServer();
  try {
    const file = path.join(dir, "bucket.bucket-policy.json");
    const uri = pathToFileURL(file).href;
    server.conn.sendNotification("textDocument/didOpen", {
      textDocument: { uri, languageId: "json", version: 1, text: fs.readFileSync(file, "utf8") },
    });
    const isPut = (l) => l.command?.arguments?.[0]?.action === "s3:PutObject";
    const lenses = await server.lensesWhen(uri, (ls) => ls.some(isPut));
    const lens = lenses.find(isPut);
    assert.ok(lens, `no lens for s3:PutObject among ${JSON.stringify(lenses.map((l) => l.command?.title))}`);
    assert.equal(lens.command.command, "s3policy.explain");
    // What the extension's middleware does when the lens is clicked.
    const answer = await withTimeout(
      server.conn.sendRequest("workspace/executeCommand", { command: lens.command.command, arguments: lens.command.arguments }),
      "the lens's command",
    );
    assert.equal(answer.decision, "ImplicitlyDenied");
    const keyPolicy = path.join(dir, "key.key-policy.json");
    assert.deepEqual(
      answer.causes.map((c) => [c.layer, c.uri, c.line]),
      [["kms", pathToFileURL(keyPolicy).href, 4]],
    );
    const text = formatExplanation(lens.command.arguments[0], answer);
    assert.ok(text.includes(`      ${keyPolicy}:4\n`), text);
  } finally {
    await server.stop();
  }
});

test("a Terraform file opened as the extension sends it gets its publish", async () => {
  const server = await startServer();
  try {
    const file = path.join(workDir, "main.tf");
    const text = 'resource "aws_s3_bucket_policy" "shared" {\n  bucket = "shared-data"\n}\n';
    fs.writeFileSync(file, text);
    const uri = pathToFileURL(file).href;
    server.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "terraform", version: 1, text } });
    const published = await server.diagnosticsWhen(uri, () => true);
    // HCL is not JSON: no syntax error for it.
    assert.deepEqual(published.filter((d) => /json|syntax/i.test(String(d.code))), []);
  } finally {
    await server.stop();
  }
});

test("a policy template opened as the extension sends it: diagnostics of its unsaved text, hover, quick fix; other templates get none", async () => {
  const server = await startServer();
  try {
    const dir = path.join(workDir, "modules/s3");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, "bucket.bucket-policy.json.tpl");
    const text = fs.readFileSync(templateFixture, "utf8");
    // On disk the Version is right: only the editor's buffer has the old one.
    fs.writeFileSync(file, text.replace('"2008-10-17"', '"2012-10-17"'));
    const uri = pathToFileURL(file).href;
    // VS Code knows no language for .tpl: plain text, sent by templatePattern.
    server.conn.sendNotification("textDocument/didOpen", { textDocument: { uri, languageId: "plaintext", version: 1, text } });
    const diagnostics = missingVersion(await server.diagnosticsWhen(uri, (ds) => missingVersion(ds).length > 0));
    assert.equal(diagnostics.length, 1);
    const [d] = diagnostics;
    assert.deepEqual(d.range, versionRange);
    assert.equal(d.severity, 2); // Warning
    // The placeholders are unknown values, not findings.
    const published = await server.diagnosticsWhen(uri, () => true);
    assert.deepEqual(published.map((x) => x.code), ["missing-version"]);

    const hover = await withTimeout(
      server.conn.sendRequest("textDocument/hover", { textDocument: { uri }, position: { line: 1, character: 16 } }),
      "hover",
    );
    assert.match(hover.contents.value, /\(`missing-version`\)/);

    const fix = await versionFix(server, uri, d);
    assert.deepEqual(fix.edit.changes[uri], [{ range: versionRange, newText: '"2012-10-17"' }]);
    server.conn.sendNotification("textDocument/didChange", {
      textDocument: { uri, version: 2 },
      contentChanges: [{ text: applyEdits(text, fix.edit.changes[uri]) }],
    });
    await server.diagnosticsWhen(uri, (ds) => missingVersion(ds).length === 0);

    // The glob sends every template: those of something else get nothing.
    for (const [name, other] of [["page.tpl", "<h1>{$title}</h1>\n{if $x}<p>{/if}\n"], ["deploy.sh.tmpl", "echo ${X}\n"], ["page.html.j2", "<p>{{ x }}</p>\n"]]) {
      const otherFile = path.join(dir, name);
      fs.writeFileSync(otherFile, other);
      const otherUri = pathToFileURL(otherFile).href;
      server.conn.sendNotification("textDocument/didOpen", { textDocument: { uri: otherUri, languageId: "plaintext", version: 1, text: other } });
      assert.deepEqual(await server.diagnosticsWhen(otherUri, () => true), [], name);
    }
  } finally {
    await server.stop();
  }
});
