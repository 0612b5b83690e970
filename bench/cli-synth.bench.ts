/**
 * `npx cdk synth` of every reference app, as a user runs it, against the CLI synth of an
 * empty CDK app (one no-op resource), measured side by side: the same CLI, the same
 * defaults (built-in template validation on in both), alternating runs, median wall time.
 * Goal (issue 12): the root synth takes at most 1.5x the empty app's.
 *
 *   npm run bench                (all benchmarks)
 *   BENCH_CLI_RUNS=7 npm run bench
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 5);
const CDK = path.join(ROOT, 'node_modules', '.bin', 'cdk');

function emptyApp(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'empty-cdk-app-'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  fs.writeFileSync(path.join(dir, 'app.js'), [
    "const { App, CfnWaitConditionHandle, Stack } = require('aws-cdk-lib');",
    'const app = new App();',
    "new CfnWaitConditionHandle(new Stack(app, 'Empty'), 'Nothing');",
    'app.synth();',
  ].join('\n'));
  fs.writeFileSync(path.join(dir, 'cdk.json'), JSON.stringify({ 'app': 'node app.js', 'notices': false, 'cli-telemetry': false }));
  return dir;
}

function synthSeconds(cwd: string, env: NodeJS.ProcessEnv = {}): number {
  const start = process.hrtime.bigint();
  const r = spawnSync(CDK, ['synth', '--quiet'], { cwd, env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: '1', ...env }, stdio: 'pipe', encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`cdk synth failed in ${cwd}:\n${r.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e9;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const empty = emptyApp();
const root: number[] = [];
const baseline: number[] = [];
// where the time goes: the same root synth without aws-cdk-lib's built-in template validation
// (a WASM validator that reads every template; kept on for users, CDK_VALIDATION=false here only)
const unvalidated: number[] = [];
synthSeconds(empty); // warm the file cache for both
synthSeconds(ROOT);
for (let i = 0; i < RUNS; i++) {
  baseline.push(synthSeconds(empty));
  root.push(synthSeconds(ROOT));
  unvalidated.push(synthSeconds(ROOT, { CDK_VALIDATION: 'false' }));
}
fs.rmSync(empty, { recursive: true, force: true });
const ratio = median(root) / median(baseline);
console.log(`npx cdk synth, ${RUNS} alternating runs, median wall time`);
console.log(`  every reference app (root): ${median(root).toFixed(1)} s   [${root.map((x) => x.toFixed(1)).join(', ')}]`);
console.log(`  empty CDK app:              ${median(baseline).toFixed(1)} s   [${baseline.map((x) => x.toFixed(1)).join(', ')}]`);
console.log(`  ratio: ${ratio.toFixed(2)}x (goal: at most 1.5x)`);
console.log(`  root without the built-in template validation: ${median(unvalidated).toFixed(1)} s (${(median(unvalidated) / median(baseline)).toFixed(2)}x)`);
