#!/usr/bin/env node
// `produce`: the lab CLI. Runs the TypeScript sources directly (no build step after `npm ci`)
// with tsx (esbuild: a child process starts in a fraction of ts-node's time), or the compiled
// lib/ when tsx is not installed (a packaged install).
const path = require('path');

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
let entry;
try {
  require('tsx/cjs/api').register({ tsconfig: path.join(__dirname, '..', 'tsconfig.json') });
  entry = path.join(__dirname, '..', 'src', 'cli.ts');
} catch {
  entry = path.join(__dirname, '..', 'lib', 'cli.js');
}
require(entry).main(process.argv);
