#!/usr/bin/env node
// `produce`: the lab CLI. Runs the TypeScript sources directly (no build step after `npm ci`),
// or the compiled lib/ when ts-node is not installed (a packaged install).
const path = require('path');

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
let entry;
try {
  require.resolve('ts-node');
  require('ts-node').register({
    transpileOnly: true,
    project: path.join(__dirname, '..', 'tsconfig.json'),
  });
  require('tsconfig-paths').register({
    baseUrl: path.join(__dirname, '..', '..', '..'),
    paths: { '@analytics-patterns/*': ['packages/*/src'] },
  });
  entry = path.join(__dirname, '..', 'src', 'cli.ts');
} catch {
  entry = path.join(__dirname, '..', 'lib', 'cli.js');
}
require(entry).main(process.argv);
