// The VS Code client of s3policy-lsp: it finds the server binary, starts it
// over stdio for JSON documents (the server itself ignores JSON that is not
// a policy), passes the user's settings and adds "S3 Policy: Explain access…".
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as vscode from "vscode";
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
} from "vscode-languageclient/node";

const SECTION = "s3policy";
const EXPLAIN_COMMAND = "s3policy.explain";

let client: LanguageClient | undefined;
let explainOutput: vscode.OutputChannel | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const log = vscode.window.createOutputChannel("S3 Policy");
  context.subscriptions.push(
    log,
    vscode.commands.registerCommand("s3policy.explainAccess", explainAccess),
    vscode.workspace.onDidChangeConfiguration(async (e) => {
      // The server reads severity, disable and locale itself through
      // workspace/configuration; only a new binary needs a restart.
      if (e.affectsConfiguration(`${SECTION}.path`)) {
        await stopClient();
        await startClient(log);
      }
    }),
  );
  await startClient(log);
}

export async function deactivate(): Promise<void> {
  await stopClient();
}

async function startClient(log: vscode.OutputChannel): Promise<void> {
  const config = vscode.workspace.getConfiguration(SECTION);
  const command = findServer(config.get<string>("path", ""));
  if (!command.path) {
    const open = "Open Settings";
    const answer = await vscode.window.showErrorMessage(command.error, open);
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
    ],
    initializationOptions: settingsFor(config),
    // The server registers its own watcher for .s3policy.json.
    synchronize: { configurationSection: SECTION },
    outputChannel: log,
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

type Found = { path: string; error: "" } | { path: ""; error: string };

// findServer resolves the setting s3policy.path, else s3policy-lsp on PATH.
function findServer(setting: string): Found {
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

interface ExplainCause {
  code: string;
  layer: string;
  policy: string;
  statement?: number;
  line?: number;
  message: string;
}

interface ExplainResult {
  decision: string;
  blockedBy?: string[];
  causes?: ExplainCause[];
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
  explainOutput ??= vscode.window.createOutputChannel("S3 Policy: Explain");
  explainOutput.clear();
  explainOutput.append(formatExplanation(request, result));
  explainOutput.show(true);
}

async function askRequest(): Promise<Record<string, string> | undefined> {
  const questions: [key: string, prompt: string, placeHolder: string][] = [
    ["principal", "Who makes the request (principal ARN)", "arn:aws:iam::111122223333:role/reader"],
    ["action", "Which action", "s3:GetObject"],
    ["resource", "On which resource (ARN)", "arn:aws:s3:::example-bucket/reports/2026.csv"],
  ];
  const request: Record<string, string> = {};
  for (const [key, prompt, placeHolder] of questions) {
    const value = await vscode.window.showInputBox({ prompt, placeHolder, ignoreFocusOut: true });
    if (!value) {
      return undefined;
    }
    request[key] = value.trim();
  }
  return request;
}

export function formatExplanation(request: Record<string, string>, result: ExplainResult): string {
  const lines = [
    `${request.principal} → ${request.action} on ${request.resource}`,
    `Decision: ${result.decision}${result.blockedBy?.length ? ` (blocked by ${result.blockedBy.join(", ")})` : ""}`,
  ];
  for (const c of result.causes ?? []) {
    const where = [c.policy, c.line ? `line ${c.line}` : "", c.statement !== undefined ? `statement ${c.statement}` : ""]
      .filter(Boolean)
      .join(", ");
    lines.push(`  [${c.layer}] ${c.message} (${c.code}; ${where})`);
  }
  return lines.join("\n") + "\n";
}
