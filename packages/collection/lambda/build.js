// Builds the Lambda code this package ships pre-built, so users need neither esbuild nor Docker:
// - lambda-dist/<handler>/index.js: each construct's default handler, one bundled file (Code.fromAsset);
// - runtime/<handler>/index.js + .d.ts: the typed factory a custom handler is written with.
// Workspace imports (@analytics-patterns/producer, private) are inlined; the AWS SDK v3 stays
// external (the Node.js Lambda runtime provides it). Run by `npx projen bundle:lambda`, before jsii
// compiles (pre-compile) and before jest runs (test/global-setup.js).
const fs = require('fs');
const path = require('path');

const PACKAGE = path.join(__dirname, '..');
const REPO_TSCONFIG = path.join(PACKAGE, '..', '..', 'tsconfig.dev.json');

/** Handlers: folder under lambda/, and whether it has a published runtime (types.ts + runtime.ts). */
const HANDLERS = [{ name: 'stream-consumer', runtime: true }];

function esbuildOptions(entryPoint, outfile) {
  return {
    entryPoints: [entryPoint],
    outfile,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    minify: true,
    sourcemap: true,
    sourcesContent: false,
    external: ['@aws-sdk/*'],
    tsconfig: REPO_TSCONFIG,
    logLevel: 'warning',
    legalComments: 'none',
  };
}

/** The declarations of a runtime: types.ts (which imports nothing) plus the two factories. */
function runtimeDeclarations(name) {
  const ts = require('typescript');
  const source = fs.readFileSync(path.join(__dirname, name, 'types.ts'), 'utf8');
  const types = ts.transpileDeclaration(source, { compilerOptions: { strict: true }, fileName: 'types.ts' });
  const index = [
    "export * from './types';",
    "import type { CreateStreamHandler, StreamHandlerFactory } from './types';",
    '/** Builds a handler from explicit options (client, table, TTL, processor). */',
    'export declare const createStreamHandler: CreateStreamHandler;',
    '/** Builds a handler around a record processor, with the StreamConsumer construct\'s environment. */',
    'export declare const streamHandler: StreamHandlerFactory;',
    '',
  ].join('\n');
  return { 'types.d.ts': types.outputText, 'index.d.ts': index };
}

async function bundle() {
  const esbuild = require('esbuild');
  for (const h of HANDLERS) {
    const dist = path.join(PACKAGE, 'lambda-dist', h.name);
    fs.rmSync(dist, { recursive: true, force: true });
    await esbuild.build(esbuildOptions(path.join(__dirname, h.name, 'index.ts'), path.join(dist, 'index.js')));
    if (!h.runtime) continue;
    const runtime = path.join(PACKAGE, 'runtime', h.name);
    fs.rmSync(runtime, { recursive: true, force: true });
    await esbuild.build(esbuildOptions(path.join(__dirname, h.name, 'runtime.ts'), path.join(runtime, 'index.js')));
    for (const [file, text] of Object.entries(runtimeDeclarations(h.name))) fs.writeFileSync(path.join(runtime, file), text);
  }
}

module.exports = { bundle, esbuildOptions };

if (require.main === module) {
  bundle().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
