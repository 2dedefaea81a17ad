// "S3 Policy: Explain an AccessDenied message…": the user pastes the error
// the AWS CLI or an SDK printed; the server (s3policy.explainError) says
// which statement of the workspace causes it and whether the workspace
// agrees with the layer AWS named. What the message does not say (the
// caller, the object of a plain "Access Denied") is asked for and the
// request sent again.
import * as vscode from "vscode";
import { ExecuteCommandRequest, LanguageClient } from "vscode-languageclient/node";

export const EXPLAIN_ERROR_COMMAND = "s3policy.explainError";

// The palette command has a name of its own: vscode-languageclient registers
// every command the server offers (s3policy.explainError among them) as a
// VS Code command, and a second registration of that name makes the client
// fail to start ("command 's3policy.explainError' already exists").
export const EXPLAIN_ERROR_PALETTE_COMMAND = "s3policy.explainAccessDenied";

interface Cause {
  code: string;
  layer: string;
  policy: string;
  line?: number;
  message: string;
  uri?: string;
}

interface RequestAnswer {
  principal: string;
  action: string;
  resource: string;
  decision: string;
  blockedBy?: string[];
  causes?: Cause[];
}

export interface ErrorAnswer {
  aws: { message: string; layer?: string; explicit?: boolean };
  requests: RequestAnswer[];
  agreement: string;
  verdict: string;
}

// What the server says a message lacks, and the field that gives it.
const missingFacts: [phrase: string, field: string, prompt: string, placeHolder: string][] = [
  ["who called", "principal", "Who made the request (principal ARN)", "arn:aws:sts::111122223333:assumed-role/Reader/session"],
  ["the bucket", "resource", "On which bucket or object (ARN)", "arn:aws:s3:::example-bucket/reports/2026.csv"],
  ["the object's key", "resource", "On which object (ARN)", "arn:aws:s3:::example-bucket/reports/2026.csv"],
  ["the copy's source", "copySource", "The copy's source (BUCKET/KEY)", "source-bucket/reports/2026.csv"],
  ["the operation", "operation", "The API operation", "GetObject"],
];

export function registerExplainError(context: vscode.ExtensionContext, getClient: () => LanguageClient | undefined): void {
  let output: vscode.OutputChannel | undefined;
  context.subscriptions.push(
    vscode.commands.registerCommand(EXPLAIN_ERROR_PALETTE_COMMAND, async () => {
      const client = getClient();
      const offered = client?.initializeResult?.capabilities.executeCommandProvider?.commands ?? [];
      if (!client || !offered.includes(EXPLAIN_ERROR_COMMAND)) {
        void vscode.window.showErrorMessage(`S3 Policy: the server is not running or does not offer ${EXPLAIN_ERROR_COMMAND}.`);
        return;
      }
      const message = await vscode.window.showInputBox({
        prompt: "Paste the AccessDenied message",
        placeHolder: "An error occurred (AccessDenied) when calling the GetObject operation: …",
        ignoreFocusOut: true,
      });
      if (!message) {
        return;
      }
      const answer = await ask(client, { message });
      if (answer) {
        output ??= vscode.window.createOutputChannel("S3 Policy: AccessDenied");
        output.clear();
        output.append(formatErrorAnswer(answer));
        output.show(true);
      }
    }),
  );
}

// ask sends the argument, and asks the user for each fact the server says
// is missing, until the server answers or the user gives up.
async function ask(client: LanguageClient, arg: Record<string, string>): Promise<ErrorAnswer | undefined> {
  for (;;) {
    try {
      return await client.sendRequest(ExecuteCommandRequest.type, { command: EXPLAIN_ERROR_COMMAND, arguments: [arg] });
    } catch (err) {
      const text = String((err as { message?: string }).message ?? err);
      const missing = missingFacts.filter(([phrase, field]) => text.includes(phrase) && !arg[field]);
      if (missing.length === 0) {
        void vscode.window.showErrorMessage(`S3 Policy: ${text}`);
        return undefined;
      }
      for (const [, field, prompt, placeHolder] of missing) {
        if (arg[field]) {
          continue;
        }
        const value = await vscode.window.showInputBox({ prompt, placeHolder, ignoreFocusOut: true });
        if (!value) {
          return undefined;
        }
        arg[field] = value.trim();
      }
    }
  }
}

// formatErrorAnswer is the answer for people: each request, its causes
// with the file and line to open, and the comparison with AWS.
export function formatErrorAnswer(answer: ErrorAnswer): string {
  const lines = [`AWS: ${answer.aws.message}`, ""];
  for (const r of answer.requests) {
    const blocked = r.blockedBy?.length ? ` (blocked by ${r.blockedBy.join(", ")})` : "";
    lines.push(`${r.principal} → ${r.action} on ${r.resource}: ${r.decision}${blocked}`);
    for (const c of r.causes ?? []) {
      const file = c.uri ? vscode.Uri.parse(c.uri).fsPath : c.policy;
      lines.push(`  [${c.layer}] ${c.message} (${c.code})`, `    ${file}${c.line ? `:${c.line}` : ""}`);
    }
  }
  lines.push("", `${answer.agreement}: ${answer.verdict}`);
  return lines.join("\n") + "\n";
}
