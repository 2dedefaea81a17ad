// Drives code-server in headless Chromium over the example folders and
// checks what a user of the extension sees (run.sh starts it all):
//   - every folder with a cause shows a finding of s3policy-lsp on the file
//     that must change (examples/cross-account/README.md), with a quick fix
//     there, except requester-pays, whose change is to the request;
//   - no finding is listed twice in the Problems view;
//   - in kms-key-policy, clicking the first code lens of the bucket policy
//     shows the explain answer in the "S3 Policy: Explain" output, and the
//     key policy's quick fix, once applied, leaves no finding anywhere
//     (none stale on Jane's policy).
// It prints, per folder, the lenses, the findings and the fixes offered at
// each finding, and saves a screenshot per folder in $OUT.
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as path from "node:path";

const require = createRequire(path.join(process.env.S3POLICY_CODE_SERVER_DIR ?? "/tmp/s3policy-code-server", "/"));
const puppeteer = require("puppeteer-core");

const base = process.env.CS_URL;
const root = process.env.WS;
const out = process.env.OUT;
const trust = process.env.TRUST === "yes";

// The file a user must change, per folder (examples/cross-account/README.md).
const fileToChange = {
  "identity-missing-bucket": "jane.iam-policy.json",
  "bucket-policy-other-account": "bucket.bucket-policy.json",
  "bucket-policy-deny": "bucket.bucket-policy.json",
  "kms-key-policy": "key.key-policy.json",
  "scp-deny": "scp.scp.json",
  "rcp-deny": "rcp.rcp.json",
  "endpoint-policy": "endpoint.endpoint-policy.json",
  "session-policy": "session.session-policy.json",
  "permissions-boundary": "jane.boundary.json",
  "object-ownership": "bucket.bucket-policy.json",
};

const folders = process.argv.slice(2).length
  ? process.argv.slice(2)
  : fs.readdirSync(root).filter((f) => fs.statSync(path.join(root, f)).isDirectory()).sort();

const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--window-size=1600,1000"],
  defaultViewport: { width: 1600, height: 1000 },
});
const page = await browser.newPage();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const failures = [];
const fail = (folder, what) => {
  failures.push(`${folder}: ${what}`);
  console.log(`  FAIL: ${what}`);
};

async function chord(mods, key) {
  for (const m of mods) await page.keyboard.down(m);
  await page.keyboard.press(key);
  for (const m of [...mods].reverse()) await page.keyboard.up(m);
}
const texts = (sel) => page.$$eval(sel, (els) => els.map((e) => e.innerText.replace(/\s+/g, " ").trim()));

async function palette(command) {
  await page.keyboard.press("F1");
  await sleep(600);
  await page.keyboard.type(command);
  await sleep(900);
  await page.keyboard.press("Enter");
  await sleep(1200);
}

// problems lists the Problems view as {file, text} for each finding.
async function problems(focus = true) {
  if (focus) await palette("Problems: Focus on Problems View");
  const rows = await page.$$eval(".markers-panel .monaco-list-row", (els) => els.map((e) => e.innerText));
  const found = [];
  let file = "";
  for (const row of rows) {
    const header = /^(\S+)\n\d+$/.exec(row.trim());
    if (header) {
      file = header[1];
    } else if (/\ns3policy-lsp\n|\njson\(/.test(row)) {
      found.push({ file, text: row.replace(/\s+/g, " ").trim() });
    }
  }
  return found;
}

// settledProblems waits until the Problems view stops changing.
async function settledProblems() {
  let last = "";
  let same = 0;
  for (let i = 0; i < 40 && same < 3; i++) {
    await sleep(1000);
    const now = JSON.stringify(await problems(i === 0));
    same = now === last ? same + 1 : 0;
    last = now;
  }
  return JSON.parse(last);
}

async function openFolder(folder) {
  await page.goto(`${base}/?folder=${path.join(root, folder)}`, { waitUntil: "domcontentloaded" });
  await page.waitForSelector(".explorer-folders-view .monaco-list-row", { timeout: 120000 });
  await sleep(3000);
  const buttons = await page.$$(".monaco-dialog-box .monaco-button");
  for (const b of buttons) {
    const label = await b.evaluate((e) => e.innerText);
    if (label.startsWith(trust ? "Yes" : "No")) {
      await b.click();
      await sleep(1500);
    }
  }
}

async function openFile(name) {
  const row = await page.waitForSelector(`.explorer-folders-view .monaco-list-row[aria-label^="${name}"]`, { timeout: 10000 });
  await row.click();
  await sleep(2000);
}

async function lenses(waitMs = 5000) {
  for (let i = 0; i < waitMs / 500; i++) {
    const found = await texts(".codelens-decoration");
    if (found.length) return found;
    await sleep(500);
  }
  return [];
}

// fixesAtNextProblem goes to the next finding of the open file (the first
// one when first) and lists its fixes.
async function fixesAtNextProblem(first) {
  // A click would move the cursor: only the first goes from the top.
  if (first) {
    await page.click(".editor-instance .monaco-editor .view-lines");
    await chord(["Control"], "Home");
  }
  await chord(["Alt"], "F8");
  await sleep(1200);
  const marker = await texts(".marker-widget .message");
  await page.keyboard.press("Escape");
  await sleep(300);
  await chord(["Control"], ".");
  await sleep(2500);
  const fixes = (await texts(".action-widget .monaco-list-row.action")).filter(Boolean);
  await page.keyboard.press("Escape");
  // From the start of a finding, "next" would find the same one again.
  await page.keyboard.press("End");
  await sleep(300);
  return { marker: marker[0] ?? "", fixes };
}

async function applyFirstFix() {
  await page.click(".editor-instance .monaco-editor .view-lines");
  await chord(["Control"], "Home");
  await chord(["Alt"], "F8");
  await sleep(1200);
  await page.keyboard.press("Escape");
  await chord(["Control"], ".");
  await sleep(2500);
  const [first] = await page.$$(".action-widget .monaco-list-row.action");
  const label = await first.evaluate((e) => e.innerText);
  await first.click();
  await sleep(3000);
  await chord(["Control"], "s");
  return label;
}

function policyFiles(folder) {
  return fs
    .readdirSync(path.join(root, folder))
    .filter((f) => /\.(json|tf|ya?ml)$/.test(f) && f !== ".s3policy.json" && f !== "scenarios.json")
    .sort();
}

for (const folder of folders) {
  console.log(`\n## ${folder}`);
  await openFolder(folder);
  const fixesOf = {};
  // The extension starts on the first JSON file opened, and the server
  // publishes once it has read the folder: the bucket policy's lenses say
  // it has (a loaded machine takes tens of seconds).
  await openFile("bucket.bucket-policy.json");
  await lenses(90000);
  const found = await settledProblems();
  for (const name of policyFiles(folder)) {
    await openFile(name);
    const lens = await lenses();
    if (lens.length) console.log(`  lenses on ${name}: ${lens.join(" / ")}`);
  }
  for (const name of policyFiles(folder)) {
    const count = found.filter((p) => p.file === name).length;
    if (!count) continue;
    await openFile(name);
    fixesOf[name] = [];
    for (let i = 0; i < count; i++) {
      const { marker, fixes } = await fixesAtNextProblem(i === 0);
      console.log(`  ${name}: ${marker.slice(0, 160)}\n      fixes: ${fixes.length ? fixes.join(" | ") : "none"}`);
      fixesOf[name].push(...fixes);
    }
  }
  for (const p of found) console.log(`  problem in ${p.file}: ${p.text.slice(0, 200)}`);
  await page.screenshot({ path: path.join(out, `${folder}.png`) });

  const seen = new Set();
  for (const p of found) {
    const key = `${p.file} ${p.text}`;
    if (seen.has(key)) fail(folder, `listed twice: ${key}`);
    seen.add(key);
  }
  const target = fileToChange[folder];
  if (target && !found.some((p) => p.file === target && p.text.includes("s3policy-lsp"))) {
    fail(folder, `no finding on ${target}, the file to change`);
  } else if (target && !(fixesOf[target] ?? []).length) {
    fail(folder, `no quick fix on ${target}, the file to change`);
  }
  if (folder === "all-allowed" && found.length) fail(folder, "findings where everything is allowed");

  if (folder === "kms-key-policy") {
    await openFile("bucket.bucket-policy.json");
    await lenses();
    const [lens] = await page.$$(".codelens-decoration a");
    if (!lens) {
      fail(folder, "no code lens on bucket.bucket-policy.json");
    } else {
      await lens.click();
      await sleep(3000);
      const answer = (await texts(".panel .output-view, .panel .monaco-editor .view-lines")).join("\n");
      console.log(`  lens answer: ${answer.slice(0, 300)}`);
      if (!answer.includes("Decision:")) fail(folder, "clicking the lens shows no explain answer");
      await page.screenshot({ path: path.join(out, `${folder}-lens.png`) });
    }
    await openFile("key.key-policy.json");
    const label = await applyFirstFix();
    console.log(`  applied: ${label.replace(/\s+/g, " ")}`);
    const after = await settledProblems();
    for (const p of after) console.log(`  after the fix, in ${p.file}: ${p.text.slice(0, 200)}`);
    if (after.length) fail(folder, "findings stay after the key policy's fix");
    await page.screenshot({ path: path.join(out, `${folder}-fixed.png`) });
  }
}

await browser.close();
console.log(failures.length ? `\n${failures.length} failed:\n${failures.join("\n")}` : "\nall checks passed");
process.exit(failures.length ? 1 : 0);
