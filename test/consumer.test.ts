/**
 * The packages as a user gets them: pack every construct library (`npm pack`), install the
 * tarballs with npm into a throw-away CDK app outside the workspace (offline: the tarballs,
 * plus aws-cdk-lib/constructs/cdk-nag from this repo's node_modules), with npm itself checking
 * every peer range (no --legacy-peer-deps), type-check the app and a custom handler under
 * `strict`, synthesize it with cdk-nag - at the lowest aws-cdk-lib the peer range claims and at
 * the version the repo develops with.
 *
 * Needs the compiled libraries (`npm run build:jsii`, which `npm test` runs before jest).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as semver from 'semver';

const ROOT = path.resolve(__dirname, '..');
const LIBRARIES = ['core', 'security', 'storage', 'collection', 'processing', 'analysis', 'visualization'];
const NODE_MODULES = path.join(ROOT, 'node_modules');
const run = (cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) =>
  execFileSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

let work: string;
let tarballs: Record<string, string>;
/** cdk-nag packed from the repo's node_modules: installed as a copy, it resolves the app's aws-cdk-lib. */
let cdkNagTarball: string;

beforeAll(() => {
  for (const lib of LIBRARIES) {
    if (!fs.existsSync(path.join(ROOT, 'packages', lib, 'lib', 'index.js'))) {
      throw new Error(`packages/${lib}/lib is missing: run \`npm run build:jsii\` first (npm test does)`);
    }
  }
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'consumer-'));
  const packs = path.join(work, 'tarballs');
  fs.mkdirSync(packs);
  run('npm', ['pack', '--silent', '--pack-destination', packs, ...LIBRARIES.flatMap((l) => ['-w', `packages/${l}`])], ROOT);
  tarballs = Object.fromEntries(fs.readdirSync(packs).map((f) => [/^analytics-patterns-(.+)-\d+\.\d+\.\d+\.tgz$/.exec(f)![1], path.join(packs, f)]));
  const nag = path.join(work, 'cdk-nag');
  fs.mkdirSync(nag);
  run('npm', ['pack', '--silent', '--pack-destination', nag, path.join(NODE_MODULES, 'cdk-nag')], ROOT);
  cdkNagTarball = path.join(nag, fs.readdirSync(nag)[0]);
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/**
 * The app's dependencies: the tarballs; aws-cdk-lib (from `cdkDir`) and constructs as `file:`
 * directories, which npm links, so there is one constructs instance for everything; cdk-nag as a
 * tarball, so npm installs a copy that resolves the app's aws-cdk-lib.
 */
function dependencies(cdkDir: string): Record<string, string> {
  return {
    'aws-cdk-lib': `file:${cdkDir}`,
    'constructs': `file:${path.join(NODE_MODULES, 'constructs')}`,
    'cdk-nag': `file:${cdkNagTarball}`,
    ...Object.fromEntries(LIBRARIES.map((l) => [`@analytics-patterns/${l}`, `file:${tarballs[l]}`])),
  };
}

/**
 * npm's own install, offline, every peer range checked by npm (`--strict-peer-deps`: an unmet peer
 * is an ERESOLVE error). In two steps: the two links first, then everything. In one step npm 11's
 * arborist crashes (`Cannot read properties of null (reading 'matches')` in Link.matches) when a
 * peer set it places holds a `file:` directory link whose target it has not loaded yet.
 */
function npmInstall(dir: string, deps: Record<string, string>) {
  const write = (d: Record<string, string>) =>
    fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: `consumer-${path.basename(dir)}`, version: '1.0.0', private: true, dependencies: d }, null, 2));
  const install = () => run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--strict-peer-deps'], dir);
  write({ 'aws-cdk-lib': deps['aws-cdk-lib'], 'constructs': deps.constructs });
  install();
  write(deps);
  install();
}

/** Installs the tarballs into a new app folder with `aws-cdk-lib` from `cdkDir`. */
function consumerApp(name: string, cdkDir: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  try {
    npmInstall(dir, dependencies(cdkDir));
  } catch (e: any) {
    throw new Error(`npm install failed in the consumer app:\n${e.stderr}`);
  }
  for (const f of ['app.ts', 'handler.ts']) fs.copyFileSync(path.join(__dirname, 'consumer-app', f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022',
      module: 'commonjs',
      strict: true,
      noImplicitReturns: true,
      noUnusedLocals: true,
      esModuleInterop: true,
      skipLibCheck: true,
      outDir: 'out',
      types: ['node'],
      typeRoots: [path.join(NODE_MODULES, '@types')],
    },
    files: ['app.ts', 'handler.ts'],
  }, null, 2));
  return dir;
}

/** Every unmet peer dependency of the installed packages, as npm would report it. */
function unmetPeers(dir: string): string[] {
  const problems: string[] = [];
  for (const lib of LIBRARIES) {
    const pkgDir = path.join(dir, 'node_modules', '@analytics-patterns', lib);
    const pkg = JSON.parse(fs.readFileSync(path.join(pkgDir, 'package.json'), 'utf8'));
    expect(pkg.dependencies ?? {}).toEqual({});
    for (const [dep, range] of Object.entries<string>(pkg.peerDependencies ?? {})) {
      const installed = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules', dep, 'package.json'), 'utf8')).version;
      if (!semver.satisfies(installed, range)) problems.push(`${pkg.name} wants ${dep}@${range}, found ${installed}`);
    }
  }
  return problems;
}

describe.each([
  ['floor', path.join(NODE_MODULES, 'aws-cdk-lib-floor')],
  ['current', path.join(NODE_MODULES, 'aws-cdk-lib')],
])('packed packages in a user app, aws-cdk-lib %s', (name, cdkDir) => {
  let dir: string;
  const cdkVersion = JSON.parse(fs.readFileSync(path.join(cdkDir, 'package.json'), 'utf8')).version;

  beforeAll(() => { dir = consumerApp(name, cdkDir); });

  test('npm installs the tarballs with every peer range met (no --legacy-peer-deps), one aws-cdk-lib and one constructs', () => {
    expect(unmetPeers(dir)).toEqual([]);
    const core = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules/@analytics-patterns/core/package.json'), 'utf8'));
    expect(semver.satisfies(cdkVersion, core.peerDependencies['aws-cdk-lib'])).toBe(true);
    if (name === 'floor') expect(semver.minVersion(core.peerDependencies['aws-cdk-lib'])!.version).toBe(cdkVersion);
    // aws-cdk-lib and constructs are npm's links to the given directories; cdk-nag is a copy
    expect(fs.realpathSync(path.join(dir, 'node_modules', 'aws-cdk-lib'))).toBe(fs.realpathSync(cdkDir));
    expect(fs.lstatSync(path.join(dir, 'node_modules', 'cdk-nag')).isSymbolicLink()).toBe(false);
    // every package resolves the same aws-cdk-lib and the same constructs
    const resolveFrom = (from: string, id: string) => fs.realpathSync(require.resolve(`${id}/package.json`, { paths: [from] }));
    const froms = [dir, path.join(dir, 'node_modules', 'cdk-nag'), path.join(dir, 'node_modules', '@analytics-patterns', 'core')];
    expect(new Set(froms.map((f) => resolveFrom(f, 'aws-cdk-lib')))).toEqual(new Set([fs.realpathSync(path.join(cdkDir, 'package.json'))]));
    froms.push(fs.realpathSync(cdkDir));
    expect(new Set(froms.map((f) => resolveFrom(f, 'constructs')))).toEqual(new Set([fs.realpathSync(path.join(NODE_MODULES, 'constructs', 'package.json'))]));
  });

  test(`type-checks under strict and synthesizes with cdk-nag (aws-cdk-lib ${cdkVersion})`, () => {
    try {
      run(path.join(NODE_MODULES, '.bin', 'tsc'), ['-p', 'tsconfig.json'], dir);
    } catch (e: any) {
      throw new Error(`tsc failed in the consumer app:\n${e.stdout}${e.stderr}`);
    }
    const outdir = path.join(dir, 'cdk.out');
    try {
      run(process.execPath, [path.join('out', 'app.js')], dir, { CDK_OUTDIR: outdir });
    } catch (e: any) {
      const report = path.join(outdir, 'validation-report.json');
      const violations = fs.existsSync(report) ? JSON.parse(fs.readFileSync(report, 'utf8')).pluginReports.flatMap((p: any) =>
        (p.violations ?? []).flatMap((v: any) => v.violatingConstructs.map((c: any) => `${p.pluginName} ${v.ruleName} at ${c.constructPath}: ${v.description}`))) : [];
      throw new Error(`synth failed:\n${violations.join('\n') || String(e.stderr).split('\n').filter((l: string) => l.length < 400).join('\n')}`);
    }
    // cdk-nag ran, all four packs, and found nothing unacknowledged
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    const nag = report.pluginReports.filter((p: any) => ['AwsSolutions', 'NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321'].includes(p.pluginName));
    expect(nag.map((p: any) => p.pluginName).sort()).toEqual(['AwsSolutions', 'HIPAA.Security', 'NIST.800.53.R5', 'PCI.DSS.321']);
    expect(nag.flatMap((p: any) => p.violations ?? [])).toEqual([]);
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'ExistingPlatform.template.json'), 'utf8'));
    const types = Object.values<any>(template.Resources).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::KinesisFirehose::DeliveryStream')).toHaveLength(2);
    expect(types).not.toContain('AWS::Kinesis::Stream');
    expect(types).not.toContain('AWS::IAM::Policy'); // the customer-managed-policies switch reached every policy
    expect(types).toContain('AWS::IAM::ManagedPolicy');
    expect(types.filter((t) => t === 'AWS::S3::Bucket').length).toBeGreaterThanOrEqual(2);
    // the consumer's handler is the pre-built bundle shipped in the package, copied as an asset
    const fn = Object.values<any>(template.Resources).find((r) => r.Type === 'AWS::Lambda::Function' && r.Properties.Handler === 'index.handler');
    const assetDirs = fs.readdirSync(outdir).filter((d) => d.startsWith('asset.'));
    expect(fn).toBeDefined();
    expect(assetDirs.some((d) => fs.existsSync(path.join(outdir, d, 'index.js')))).toBe(true);
  });

  test(`the library's acknowledgements cover only its own resources: the user's own findings stay reported (aws-cdk-lib ${cdkVersion})`, () => {
    // same app plus a plain s3.Bucket of the user's, beside the library's buckets whose replication
    // and SSE-KMS findings the library acknowledges (on aws-cdk-lib 2.270.0 those hid the user's too)
    const outdir = path.join(dir, 'cdk.out.own');
    // cdk-nag's findings are the subject here; aws-cdk-lib's template validator passed in the test above
    const env = { CDK_OUTDIR: outdir, USER_OWN_FINDINGS: 'true', CDK_VALIDATION: 'false' };
    expect(() => run(process.execPath, [path.join('out', 'app.js')], dir, env)).toThrow();
    const report = JSON.parse(fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'));
    const findings = report.pluginReports.flatMap((p: any) => (p.violations ?? []).flatMap((v: any) =>
      v.violatingConstructs.map((c: any) => ({ rule: v.ruleName, path: c.constructPath }))));
    expect([...new Set(findings.map((f: any) => f.path))]).toEqual(['ExistingPlatform/UserOwnBucket/Resource']);
    const rules = findings.map((f: any) => f.rule);
    for (const pack of ['NIST.800.53.R5', 'HIPAA.Security', 'PCI.DSS.321']) {
      expect(rules).toContain(`${pack}-S3BucketReplicationEnabled`);
      expect(rules).toContain(`${pack}-S3DefaultEncryptionKMS`);
    }
    expect(rules).toContain('AwsSolutions-S1');
    // and the library's own acknowledgements of those rules are still in force
    const acknowledged = report.pluginReports.flatMap((p: any) => (p.suppressedViolations ?? []).flatMap((v: any) =>
      v.violatingConstructs.map((c: any) => `${v.ruleName} ${c.constructPath}`)));
    expect(acknowledged.filter((a: string) => /S3BucketReplicationEnabled ExistingPlatform\/Curated\//.test(a)).length).toBeGreaterThan(0);
  });
});

test('npm itself refuses an aws-cdk-lib below the peer floor (what --legacy-peer-deps would have hidden)', () => {
  // a stand-in aws-cdk-lib one minor below the floor (only its package.json: npm reads nothing else)
  const floor = JSON.parse(fs.readFileSync(path.join(NODE_MODULES, 'aws-cdk-lib-floor', 'package.json'), 'utf8'));
  const fake = path.join(work, 'aws-cdk-lib-below-floor');
  fs.mkdirSync(fake);
  const below = `${semver.major(floor.version)}.${semver.minor(floor.version) - 1}.0`;
  fs.writeFileSync(path.join(fake, 'package.json'), JSON.stringify({ name: 'aws-cdk-lib', version: below, peerDependencies: floor.peerDependencies }));
  const dir = path.join(work, 'below-floor');
  fs.mkdirSync(dir);
  let stderr = '';
  try {
    npmInstall(dir, dependencies(fake));
  } catch (e: any) {
    stderr = String(e.stderr);
  }
  expect(stderr).toContain('ERESOLVE');
  expect(stderr).toMatch(new RegExp(`peer aws-cdk-lib@"\\^${floor.version.replace(/\./g, '\\.')}" from @analytics-patterns/`));
  expect(fs.existsSync(path.join(dir, 'node_modules', '@analytics-patterns', 'core'))).toBe(false);
});

/** The files of a library's tarball, as paths inside the package. */
function packedFiles(lib: string): string[] {
  return run('tar', ['tzf', tarballs[lib]], work).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
}

// the tarballs are the same whichever aws-cdk-lib the app installs: their contents are checked once
test('ships compiled code, declarations and the jsii assembly; no sources, tests or benches', () => {
  for (const lib of LIBRARIES) {
    const files = packedFiles(lib);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', '.jsii', 'lib/index.js', 'lib/index.d.ts']));
    expect(files.filter((f) => /^(src|test|bench)\/|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
  }
});

/** The relative links of a markdown text (not URLs, mail or in-page anchors), without their #anchor. */
function relativeLinks(markdown: string): string[] {
  return [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1])
    .filter((t) => !/^([a-z][a-z0-9+.-]*:|#)/i.test(t)).map((t) => t.split('#')[0]);
}

test('every relative link in a packed README leads to a file of the same tarball (no src/, apps/ or repo paths)', () => {
  expect(relativeLinks('[a](API.md#x) [b](src/x.ts) [c](https://a.b/src) [d](#y) [e](../../apps/x/README.md)'))
    .toEqual(['API.md', 'src/x.ts', '../../apps/x/README.md']);
  const broken: string[] = [];
  for (const lib of LIBRARIES) {
    const files = new Set(packedFiles(lib));
    const readme = run('tar', ['xzOf', tarballs[lib], 'package/README.md'], work);
    for (const link of relativeLinks(readme)) {
      if (!files.has(path.posix.normalize(link))) broken.push(`${lib}: ${link}`);
    }
  }
  expect(broken).toEqual([]);
});
