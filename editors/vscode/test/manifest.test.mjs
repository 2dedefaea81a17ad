// The extension's manifest: what VS Code reads before any code runs.
import { test } from "node:test";
import assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

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

test("a platform package keeps the server it carries (bin/)", () => {
  const ignore = fs.readFileSync(path.join(here, "../.vscodeignore"), "utf8").split("\n");
  assert.ok(ignore.includes("!bin/**"), ignore.join("\n"));
});
