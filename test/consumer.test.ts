/**
 * The packages as a user gets them: pack every construct library (`npm pack`), install the
 * tarballs with npm into a throw-away CDK app outside the workspace (offline: the tarballs,
 * plus aws-cdk-lib/constructs/cdk-nag from this repo's node_modules), check every peer range
 * as npm does, type-check the app under `strict`, synthesize it with cdk-nag - at the lowest
 * aws-cdk-lib the peer range claims and at the version the repo develops with.
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
});

afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Installs the tarballs into a new app folder with `aws-cdk-lib` from `cdkDir`. */
function consumerApp(name: string, cdkDir: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({
    name: `consumer-${name}`,
    version: '1.0.0',
    private: true,
    dependencies: Object.fromEntries(LIBRARIES.map((l) => [`@analytics-patterns/${l}`, `file:${tarballs[l]}`])),
  }, null, 2));
  // the tarballs have no dependencies of their own (only peers): npm installs them offline;
  // peers come from this repo's node_modules, and are checked below as npm checks them
  run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--legacy-peer-deps'], dir);
  // aws-cdk-lib and constructs are linked (one constructs instance for everything); cdk-nag is
  // copied so that it resolves this app's aws-cdk-lib, not the repo's
  fs.symlinkSync(cdkDir, path.join(dir, 'node_modules', 'aws-cdk-lib'), 'dir');
  fs.symlinkSync(path.join(NODE_MODULES, 'constructs'), path.join(dir, 'node_modules', 'constructs'), 'dir');
  fs.cpSync(path.join(NODE_MODULES, 'cdk-nag'), path.join(dir, 'node_modules', 'cdk-nag'), { recursive: true, dereference: true });
  fs.copyFileSync(path.join(__dirname, 'consumer-app', 'app.ts'), path.join(dir, 'app.ts'));
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
    files: ['app.ts'],
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

  test('installs from the tarballs with every peer range met (no --legacy-peer-deps needed)', () => {
    expect(unmetPeers(dir)).toEqual([]);
    const core = JSON.parse(fs.readFileSync(path.join(dir, 'node_modules/@analytics-patterns/core/package.json'), 'utf8'));
    expect(semver.satisfies(cdkVersion, core.peerDependencies['aws-cdk-lib'])).toBe(true);
    if (name === 'floor') expect(semver.minVersion(core.peerDependencies['aws-cdk-lib'])!.version).toBe(cdkVersion);
  });

  test('ships compiled code, declarations and the jsii assembly; no sources, tests or benches', () => {
    for (const lib of LIBRARIES) {
      const files = run('tar', ['tzf', tarballs[lib]], work).split('\n').filter(Boolean).map((f) => f.replace(/^package\//, ''));
      expect(files).toEqual(expect.arrayContaining(['package.json', 'README.md', 'LICENSE', '.jsii', 'lib/index.js', 'lib/index.d.ts']));
      expect(files.filter((f) => /^(src|test|bench)\/|\.ts$/.test(f) && !f.endsWith('.d.ts'))).toEqual([]);
    }
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
