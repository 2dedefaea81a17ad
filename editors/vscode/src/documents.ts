// Which documents the extension sends to the server. JSON and Terraform go
// by language and name, policy templates by name (the server itself
// ignores those that hold no policy); YAML goes only when it is a template that can hold policies,
// so that every other YAML file (CI, Kubernetes, ...) stays untouched.
import * as path from "node:path";

// templateEndings are the file-name endings the server reads as policy
// templates (analysis/source/template and the files Terraform's
// templatefile() and file() read): policy.json.tpl, policy.tftpl,
// policy.json.j2, ... They have no language of their own in VS Code (plain
// text, or whatever a template extension calls them), so they go by name.
export const templateEndings = ["tpl", "tftpl", "tmpl", "j2"];

// templatePattern is the glob of the document selector for them (and of
// the manifest's workspaceContains activation event).
export const templatePattern = `**/*.{${templateEndings.join(",")}}`;

// templateLines bounds how far a YAML document is read for the markers.
const templateLines = 2000;

// isPolicyTemplateYaml says whether a YAML document is a CloudFormation
// template (AWSTemplateFormatVersion, or Resources of an AWS:: type) or a
// Serverless Framework service file.
export function isPolicyTemplateYaml(fileName: string, text: string): boolean {
  const base = path.basename(fileName).toLowerCase();
  if (base === "serverless.yml" || base === "serverless.yaml") {
    return true;
  }
  const lines = text.split("\n", templateLines);
  if (lines.some((l) => /^AWSTemplateFormatVersion\s*:/.test(l))) {
    return true;
  }
  return lines.some((l) => /^Resources\s*:/.test(l)) && lines.some((l) => /^\s+Type\s*:\s*["']?AWS::/.test(l));
}

// isYaml tells YAML documents by language id or name.
export function isYaml(languageId: string, fileName: string): boolean {
  return languageId === "yaml" || /\.ya?ml$/i.test(fileName);
}

// serverFileName is the name of the server binary on a platform.
export function serverFileName(platform: string): string {
  return platform === "win32" ? "s3policy-lsp.exe" : "s3policy-lsp";
}
