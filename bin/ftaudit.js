#!/usr/bin/env node
// `ftaudit` command: the bundled CLI lives in server/out/cli.js (built by `npm run build`).
// A run of the CLI is short and touches a lot of code once: V8's default tier-up budget sends many
// functions to its optimising compiler that never repay the compilation (docs/performance.md, session
// ao: a quarter less CPU on the standard library). The long-running language server keeps the default.
try {
  require('v8').setFlagsFromString('--interrupt-budget=540672');
} catch {
  // A runtime that refuses flags after start-up runs with its defaults.
}
let cli;
try {
  cli = require('../server/out/cli.js');
} catch (error) {
  process.stderr.write(`ftaudit: the CLI is not built (${error.code ?? error.message}); run \`npm run build\` first\n`);
  process.exit(2);
}
cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error) => {
    process.stderr.write(`ftaudit: internal error: ${error && error.stack ? error.stack : String(error)}\n`);
    process.exitCode = 2;
  },
);
