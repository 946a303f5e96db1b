#!/usr/bin/env node
// `ftaudit` command: the bundled CLI lives in server/out/cli.js (built by `npm run build`).
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
