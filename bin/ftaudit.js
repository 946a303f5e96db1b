#!/usr/bin/env node
// `ftaudit` command: the bundled CLI lives in server/out/cli.js (built by `npm run build`).
require('../server/out/cli.js');
