// The extension's manifest: what VS Code reads before any code runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { templatePattern } from "../out/test/documents.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const manifest = JSON.parse(fs.readFileSync(path.join(here, "../package.json"), "utf8"));

test("Restricted Mode: the extension runs, without the setting that names a program", () => {
  assert.deepEqual(manifest.capabilities.untrustedWorkspaces.supported, "limited");
  assert.deepEqual(manifest.capabilities.untrustedWorkspaces.restrictedConfigurations, ["s3policy.path"]);
});

test("it starts for JSON, Terraform and YAML documents", () => {
  for (const event of ["onLanguage:json", "onLanguage:terraform", "onLanguage:yaml"]) {
    assert.ok(manifest.activationEvents.includes(event), event);
  }
});

test("policy templates: it starts for a folder that has one, and sends them by name", () => {
  assert.ok(manifest.activationEvents.includes(`workspaceContains:${templatePattern}`), manifest.activationEvents.join("\n"));
  // The endings the server reads as templates (analysis/source/template,
  // and what Terraform's templatefile() reads).
  for (const name of ["bucket.bucket-policy.json.tpl", "policy.tpl", "policy.tftpl", "policy.json.tmpl", "policy.json.j2", "policy.j2"]) {
    assert.equal(path.matchesGlob(`/work/repo/modules/s3/${name}`, templatePattern), true, name);
  }
  for (const name of ["policy.json", "main.tf", "terraform.tfvars", "template.yaml", "tpl", "policy.tpl.bak"]) {
    assert.equal(path.matchesGlob(`/work/repo/${name}`, templatePattern), false, name);
  }
});

test("a platform package keeps the server it carries (bin/)", () => {
  const ignore = fs.readFileSync(path.join(here, "../.vscodeignore"), "utf8").split("\n");
  assert.ok(ignore.includes("!bin/**"), ignore.join("\n"));
});
