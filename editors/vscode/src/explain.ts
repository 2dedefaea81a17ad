// What the extension does with s3policy.explain that needs no VS Code:
// the request from what the user typed or picked, the facts of
// .s3policy.json to pick from, and the answer as text with a link to each
// statement. Kept apart from extension.ts so that the Node test runs it.
import { fileURLToPath } from "node:url";

export interface ExplainRequest {
  principal: string;
  action: string;
  resource: string;
  resourceAccount?: string;
  requestPayer?: string;
  objectOwner?: string;
  objectAcl?: string;
  context?: Record<string, string | string[]>;
}

export interface ExplainCause {
  code: string;
  layer: string;
  policy: string;
  uri?: string;
  statement?: number;
  line?: number;
  message: string;
}

export interface ExplainResult {
  decision: string;
  blockedBy?: string[];
  causes?: ExplainCause[];
}

// formatExplanation writes the answer for the "S3 Policy: Explain" output.
// Each cause ends with the path and line of its statement, which VS Code
// turns into a link in an output channel.
export function formatExplanation(request: ExplainRequest, result: ExplainResult): string {
  const lines = [
    `${request.principal} → ${request.action} on ${request.resource}`,
    `Decision: ${result.decision}${result.blockedBy?.length ? ` (blocked by ${result.blockedBy.join(", ")})` : ""}`,
  ];
  for (const c of result.causes ?? []) {
    const where = [c.policy, c.line ? `line ${c.line}` : "", c.statement !== undefined ? `statement ${c.statement}` : ""]
      .filter(Boolean)
      .join(", ");
    lines.push(`  [${c.layer}] ${c.message} (${c.code}; ${where})`);
    const link = statementLink(c);
    if (link) {
      lines.push(`      ${link}`);
    }
  }
  return lines.join("\n") + "\n";
}

// statementLink is file:line of a cause's statement, or "" when the server
// did not name its file.
export function statementLink(c: ExplainCause): string {
  if (!c.uri?.startsWith("file:")) {
    return "";
  }
  const file = fileURLToPath(c.uri);
  return c.line ? `${file}:${c.line}` : file;
}

// parseContext reads "key=value key=value" into the request: requestPayer,
// objectOwner and objectAcl are fields of their own, any other key is a
// condition key of the context (given twice, it gets a list of values).
export function parseContext(text: string, request: ExplainRequest): ExplainRequest {
  for (const pair of text.split(/\s+/).filter(Boolean)) {
    const eq = pair.indexOf("=");
    if (eq <= 0) {
      continue;
    }
    const key = pair.slice(0, eq);
    const value = pair.slice(eq + 1);
    if (key === "requestPayer" || key === "objectOwner" || key === "objectAcl") {
      request[key] = value;
      continue;
    }
    request.context ??= {};
    const had = request.context[key];
    request.context[key] = had === undefined ? value : [...(Array.isArray(had) ? had : [had]), value];
  }
  return request;
}

export interface ConfigFacts {
  principals: string[];
  buckets: { name: string; account?: string }[];
  keys: string[];
  endpoints: string[];
}

// configFacts gathers from the texts of .s3policy.json files what the
// explain prompt offers: principals, buckets with their accounts, KMS keys
// and VPC endpoints. A file that does not parse adds nothing.
export function configFacts(texts: string[]): ConfigFacts {
  const facts: ConfigFacts = { principals: [], buckets: [], keys: [], endpoints: [] };
  const add = (list: string[], value: unknown) => {
    if (typeof value === "string" && value && !list.includes(value)) {
      list.push(value);
    }
  };
  for (const text of texts) {
    let config: unknown;
    try {
      config = JSON.parse(text);
    } catch {
      continue;
    }
    if (!isObject(config)) {
      continue;
    }
    for (const file of Object.values(isObject(config.files) ? config.files : {})) {
      if (isObject(file)) {
        add(facts.principals, file.principal);
        add(facts.keys, file.key);
        add(facts.endpoints, file.endpoint);
      }
    }
    for (const [name, about] of Object.entries(isObject(config.buckets) ? config.buckets : {})) {
      if (!facts.buckets.some((b) => b.name === name)) {
        const account = isObject(about) && typeof about.account === "string" ? about.account : undefined;
        facts.buckets.push({ name, account });
      }
      if (isObject(about)) {
        add(facts.keys, about.kmsKeyArn);
      }
    }
  }
  facts.principals.sort();
  facts.buckets.sort((a, b) => a.name.localeCompare(b.name));
  return facts;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

// contextHint suggests context entries from the facts, for the prompt.
export function contextHint(facts: ConfigFacts): string {
  const hints = facts.endpoints.map((e) => `aws:SourceVpce=${e}`);
  hints.push("aws:SecureTransport=true", "requestPayer=requester");
  return hints.join(" ");
}
