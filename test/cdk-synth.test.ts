import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { REFERENCE_APPS } from '../apps/main';

// `npx cdk synth` is the project's main job: run the real CLI with the project's cdk.json,
// offline (no credentials, no notices, no telemetry), and check every app's template is written.
test('`cdk synth` writes every reference app offline, with no prompts and no AWS credentials', () => {
  const root = path.resolve(__dirname, '..');
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'cdk-synth-'));
  const env: NodeJS.ProcessEnv = { ...process.env, CI: 'true' };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  const r = spawnSync(path.join(root, 'node_modules', '.bin', 'cdk'), ['synth', '--quiet', '--output', out], {
    cwd: root, env: { ...env, AWS_EC2_METADATA_DISABLED: 'true' }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 240_000,
  });
  expect({ status: r.status, stderr: r.status === 0 ? '' : r.stderr }).toEqual({ status: 0, stderr: '' });
  for (const app of REFERENCE_APPS) {
    const template = JSON.parse(fs.readFileSync(path.join(out, `${app.stackName}.template.json`), 'utf8'));
    expect(Object.keys(template.Resources).length).toBeGreaterThan(0);
  }
  // cdk-nag ran its four packs on every stack and found nothing unacknowledged
  const report = JSON.parse(fs.readFileSync(path.join(out, 'validation-report.json'), 'utf8'));
  const nag = report.pluginReports.filter((p: any) => /^(AwsSolutions|NIST|HIPAA|PCI)/.test(p.pluginName));
  expect(nag.map((p: any) => [p.pluginName, p.conclusion, (p.violations ?? []).length])).toEqual([
    ['AwsSolutions', 'success', 0], ['NIST.800.53.R5', 'success', 0], ['HIPAA.Security', 'success', 0], ['PCI.DSS.321', 'success', 0],
  ]);
  for (const p of nag) expect(p.suppressedViolations.length).toBeGreaterThan(0); // it checked, and acknowledged what is listed in apps.test.ts
  fs.rmSync(out, { recursive: true, force: true });
}, 300_000);
