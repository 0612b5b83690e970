// Bundles the app's Lambda handler the way packages/collection/lambda/build.js bundles the
// StreamConsumer's: one file per handler in lambda-dist/<handler>/index.js (esbuild), the
// StreamConsumer runtime (@analytics-patterns/collection/runtime/stream-consumer, built first by
// that script) inlined, the AWS SDK v3 left to the Lambda Node.js runtime. Run after `npm ci`
// (root prepare) and before jest (test/global-setup.js); the stack deploys lambda-dist/ with
// Code.fromAsset, so synth needs neither esbuild at synth time nor Docker.
const fs = require('fs');
const path = require('path');

const APP = path.join(__dirname, '..');
const REPO = path.join(APP, '..', '..');
const HANDLERS = ['device-state'];
// the same esbuild settings as the collection package's handlers (node20, CJS, minified, AWS SDK external)
const { esbuildOptions } = require(path.join(REPO, 'packages', 'collection', 'lambda', 'build.js'));

async function bundle() {
  const esbuild = require('esbuild');
  for (const name of HANDLERS) {
    const dist = path.join(APP, 'lambda-dist', name);
    fs.rmSync(dist, { recursive: true, force: true });
    const { tsconfig, ...options } = esbuildOptions(path.join(__dirname, name, 'index.ts'), path.join(dist, 'index.js'));
    // no tsconfig paths: the runtime resolves through node_modules to the built package file
    await esbuild.build({ ...options, tsconfigRaw: {}, absWorkingDir: REPO });
  }
}

module.exports = { bundle };

if (require.main === module) {
  bundle().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
