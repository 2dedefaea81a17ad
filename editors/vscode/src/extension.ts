// The VS Code client of s3policy-lsp: it finds the server binary (the
// setting, else the one bundled in a platform .vsix, else PATH), starts it
// over stdio for policy documents (JSON, Terraform, policy templates such
// as policy.json.tpl, CloudFormation and Serverless templates), passes the user's settings, shows the answer of a
// code lens, and adds "S3 Policy: Explain access…".
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  DidOpenTextDocumentNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";
import { isPolicyTemplateYaml, isYaml, serverFileName, templatePattern } from "./documents";
import {
  configFacts,
  contextHint,
  ExplainRequest,
  ExplainResult,
  formatExplanation,
  parseContext,
} from "./explain";
import { registerExplainError } from "./explainError";

const SECTION = "s3policy";
const EXPLAIN_COMMAND = "s3policy.explain";

let client: LanguageClient | undefined;
let explainOutput: vscode.OutputChannel | undefined;

let extensionDir = "";

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionDir = context.extensionPath;
  const log = vscode.window.createOutputChannel("S3 Policy");
  const restart = async () => {
    await stopClient();
    await startClient(log);
  };
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand("s3policy.explainAccess", explainAccess),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      // The server reads severity, disable and locale itself through
      // workspace/configuration; only a new binary needs a restart.
      if (e.affectsConfiguration(`${SECTION}.path`)) {
        await restart();
      }
    }),
    // In Restricted Mode s3policy.path is not read; trust brings it in.
    vscode.workspace.onDidGrantWorkspaceTrust(restart),
  );
  registerExplainError(context, () => client);
  await startClient(log);
}

export async function deactivate(): Promise<void> {
  await stopClient();
}

async function startClient(log: vscode.OutputChannel): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  // A workspace that is not trusted could point s3policy.path at a program
  // of its own: in Restricted Mode only the bundled server or PATH is run.
  const setting = vscode.workspace.isTrusted ? config.get<string>("path", "") : "";
  const command = findServer(setting);
  if (!command.path) {
    const open = "Open Settings";
    const error = vscode.workspace.isTrusted
      ? command.error
      : `${command.error} In Restricted Mode s3policy.path is not read: trust the workspace, or install the .vsix that carries the server.`;
    const answer = await vscode.window.showErrorMessage(error, open);
    if (answer === open) {
      await vscode.commands.executeCommand("workbench.action.openSettings", `${SECTION}.path`);
    }
    return;
  }
  const serverOptions: ServerOptions = { command: command.path, args: ["serve"] };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: "file", language: "json" },
      { scheme: "untitled", language: "json" },
      // Terraform beside terraform-ls: .tf by language or name, .tf.json is JSON.
      { scheme: "file", language: "terraform" },
      { scheme: "file", pattern: "**/*.tf" },
      // The variable files Terraform loads by itself set the module's
      // variables: an edit to one reads the module again.
      { scheme: "file", pattern: "**/terraform.tfvars" },
      { scheme: "file", pattern: "**/*.auto.tfvars" },
      // Policy templates (policy.json.tpl, *.tftpl, *.json.j2, ...): the
      // server reads them with placeholders as unknown values.
      { scheme: "file", pattern: templatePattern },
      // CloudFormation and Serverless YAML beside yaml-language-server; the
      // middleware lets through only templates (isPolicyTemplateYaml).
      { scheme: "file", language: "yaml" },
    ],
    initializationOptions: settingsFor(config),
    // The server registers its own watcher for .s3policy.json.
    synchronize: { configurationSection: SECTION },
    outputChannel: log,
    middleware: { ...yamlTemplatesOnly(), executeCommand: showLensAnswer },
  };
  client = new LanguageClient(SECTION, "S3 Policy", serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    client = undefined;
    void vscode.window.showErrorMessage(`S3 Policy: could not start ${command.path}: ${String(err)}`);
  }
}

async function stopClient(): Promise<void> {
  const running = client;
  client = undefined;
  if (running) {
    await running.stop();
  }
}

// settingsFor gives the server the settings in the shape it reads from
// initializationOptions and workspace/configuration. An empty locale leaves
// the choice to InitializeParams.locale, which is VS Code's display language.
export function settingsFor(config: vscode.WorkspaceConfiguration): Record<string, unknown> {
  const settings: Record<string, unknown> = {
    severity: config.get<Record<string, string>>("severity", {}),
    disable: config.get<string[]>("disable", []),
  };
  const locale = config.get<string>("locale", "");
  if (locale) {
    settings.locale = locale;
  }
  return settings;
}

// yamlTemplatesOnly is the middleware that keeps YAML that is not a
// policy template from the server: not opened, not changed, not closed.
// A YAML document that becomes a template while typed is opened then.
function yamlTemplatesOnly(): LanguageClientOptions["middleware"] {
  const sent = new Set<string>();
  const withheld = (doc: vscode.TextDocument) =>
    isYaml(doc.languageId, doc.fileName) && !sent.has(doc.uri.toString());
  return {
    didOpen: async (doc, next) => {
      if (isYaml(doc.languageId, doc.fileName) && !isPolicyTemplateYaml(doc.fileName, doc.getText())) {
        return;
      }
      sent.add(doc.uri.toString());
      await next(doc);
    },
    didChange: async (event, next) => {
      const doc = event.document;
      if (!withheld(doc)) {
        return next(event);
      }
      if (client && isPolicyTemplateYaml(doc.fileName, doc.getText())) {
        sent.add(doc.uri.toString());
        await client.sendNotification(DidOpenTextDocumentNotification.type, {
          textDocument: { uri: doc.uri.toString(), languageId: doc.languageId, version: doc.version, text: doc.getText() },
        });
      }
    },
    didSave: async (doc, next) => (withheld(doc) ? undefined : next(doc)),
    willSave: async (event, next) => (withheld(event.document) ? undefined : next(event)),
    didClose: async (doc, next) => {
      if (withheld(doc)) {
        return;
      }
      sent.delete(doc.uri.toString());
      await next(doc);
    },
  };
}

// showLensAnswer runs s3policy.explain for a code lens and shows the
// answer, which VS Code would otherwise drop.
async function showLensAnswer(command: string, args: unknown[], next: (command: string, args: unknown[]) => unknown) {
  const result = await next(command, args);
  const request = args[0] as ExplainRequest | undefined;
  if (command === EXPLAIN_COMMAND && request && result) {
    showExplanation(request, result as ExplainResult);
  }
  return result;
}

// showExplanation writes the answer in the "S3 Policy: Explain" output,
// where the path:line after each cause is a link to its statement.
function showExplanation(request: ExplainRequest, result: ExplainResult): void {
  explainOutput ??= vscode.window.createOutputChannel("S3 Policy: Explain");
  explainOutput.clear();
  explainOutput.append(formatExplanation(request, result));
  explainOutput.show(true);
}

type Found = { path: string; error: "" } | { path: ""; error: string };

// findServer resolves the setting s3policy.path, else the server bundled
// in a platform .vsix, else s3policy-lsp on PATH.
function findServer(setting: string): Found {
  const bundled = path.join(extensionDir, "bin", serverFileName(process.platform));
  if (!setting && fs.existsSync(bundled)) {
    makeExecutable(bundled);
    return { path: bundled, error: "" };
  }
  if (setting) {
    const resolved = expandPath(setting);
    if (isExecutable(resolved)) {
      return { path: resolved, error: "" };
    }
    return {
      path: "",
      error: `S3 Policy: the setting s3policy.path is "${setting}", but no executable file is there. Build it with "go install github.com/s3policy-lsp/s3policy-lsp/cmd/s3policy-lsp@latest" and set the path to it.`,
    };
  }
  const onPath = lookPath(process.platform === "win32" ? "s3policy-lsp.exe" : "s3policy-lsp");
  if (onPath) {
    return { path: onPath, error: "" };
  }
  return {
    path: "",
    error: 'S3 Policy: s3policy-lsp was not found on PATH and the setting s3policy.path is empty. Install it with "go install github.com/s3policy-lsp/s3policy-lsp/cmd/s3policy-lsp@latest" or set s3policy.path to the binary.',
  };
}

// makeExecutable sets the execute bits a .vsix may not have kept.
function makeExecutable(file: string): void {
  if (process.platform !== "win32" && !isExecutable(file)) {
    try {
      fs.chmodSync(file, 0o755);
    } catch {
      // Starting it reports the problem.
    }
  }
}

function expandPath(p: string): string {
  let out = p.startsWith("~") ? path.join(os.homedir(), p.slice(1)) : p;
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (folder) {
    out = out.replace(/\$\{workspaceFolder\}/g, folder);
  }
  return path.isAbsolute(out) || !folder ? out : path.join(folder, out);
}

function lookPath(name: string): string {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    const candidate = path.join(dir, name);
    if (dir && isExecutable(candidate)) {
      return candidate;
    }
  }
  return "";
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

async function explainAccess(): Promise<void> {
  if (!client) {
    void vscode.window.showErrorMessage("S3 Policy: the server is not running; see the S3 Policy output.");
    return;
  }
  const offered = client.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
  if (!offered.includes(EXPLAIN_COMMAND)) {
    void vscode.window.showErrorMessage(`S3 Policy: this version of s3policy-lsp does not offer ${EXPLAIN_COMMAND}.`);
    return;
  }
  const request = await askRequest();
  if (!request) {
    return;
  }
  const result: ExplainResult = await client.sendRequest(ExecuteCommandRequest.type, {
    command: EXPLAIN_COMMAND,
    arguments: [request],
  });
  showExplanation(request, result);
}

// configTexts reads the .s3policy.json files of the workspace, the one
// nearest the active editor first.
async function configTexts(): Promise<string[]> {
  const found = await vscode.workspace.findFiles("**/.s3policy.json", "**/node_modules/**", 50);
  const active = vscode.window.activeTextEditor?.document.uri.fsPath ?? "";
  // A config above the active file comes first, the nearest of them first.
  const nearness = (file: string) => (active.startsWith(path.dirname(file) + path.sep) ? -path.dirname(file).length : 0);
  const files = found.map((u) => u.fsPath).sort((a, b) => nearness(a) - nearness(b));
  const texts: string[] = [];
  for (const file of files) {
    try {
      texts.push(fs.readFileSync(file, "utf8"));
    } catch {
      // A file that went away offers nothing.
    }
  }
  return texts;
}

// pick offers choices and takes any typed value too.
async function pick(title: string, choices: { label: string; description?: string }[], placeholder: string): Promise<string | undefined> {
  if (choices.length === 0) {
    const typed = await vscode.window.showInputBox({ title, placeHolder: placeholder, ignoreFocusOut: true });
    return typed?.trim() || undefined;
  }
  const qp = vscode.window.createQuickPick();
  qp.title = title;
  qp.placeholder = `${placeholder} (pick, or type another)`;
  qp.items = choices;
  qp.ignoreFocusOut = true;
  return new Promise((resolve) => {
    qp.onDidAccept(() => {
      const value = qp.selectedItems[0]?.label ?? qp.value;
      resolve(value.trim() || undefined);
      qp.hide();
    });
    qp.onDidHide(() => {
      resolve(undefined);
      qp.dispose();
    });
    qp.show();
  });
}

// askRequest asks for a request, offering the principals and buckets of
// .s3policy.json; the resource account defaults to the bucket's, and the
// context takes key=value pairs (aws:SourceVpce=..., requestPayer=requester).
async function askRequest(): Promise<ExplainRequest | undefined> {
  const facts = configFacts(await configTexts());
  const principal = await pick(
    "Who makes the request (principal ARN)",
    facts.principals.map((p) => ({ label: p })),
    "arn:aws:iam::111122223333:role/reader",
  );
  if (!principal) {
    return undefined;
  }
  const action = await vscode.window.showInputBox({ title: "Which action", value: "s3:GetObject", ignoreFocusOut: true });
  if (!action) {
    return undefined;
  }
  const bucket = await pick(
    "Which bucket",
    facts.buckets.map((b) => ({ label: b.name, description: b.account ? `account ${b.account}` : undefined })),
    "example-bucket",
  );
  if (!bucket) {
    return undefined;
  }
  const key = await vscode.window.showInputBox({ title: "Object key (empty for the bucket itself)", placeHolder: "reports/2026.csv", ignoreFocusOut: true });
  if (key === undefined) {
    return undefined;
  }
  const resourceAccount = await vscode.window.showInputBox({
    title: "The bucket's account (empty if unknown)",
    value: facts.buckets.find((b) => b.name === bucket)?.account ?? "",
    ignoreFocusOut: true,
  });
  if (resourceAccount === undefined) {
    return undefined;
  }
  const context = await vscode.window.showInputBox({
    title: "Request context, key=value separated by spaces (empty for none)",
    placeHolder: contextHint(facts),
    ignoreFocusOut: true,
  });
  if (context === undefined) {
    return undefined;
  }
  const request: ExplainRequest = {
    principal,
    action: action.trim(),
    resource: `arn:aws:s3:::${bucket}${key.trim() ? `/${key.trim()}` : ""}`,
  };
  if (resourceAccount.trim()) {
    request.resourceAccount = resourceAccount.trim();
  }
  return parseContext(context, request);
}
