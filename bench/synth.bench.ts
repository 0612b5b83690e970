/**
 * Synth-time benchmark (not a test: machines are shared and noisy).
 * For each reference app: median synth time vs an empty CDK app, measured in the
 * same run, with aws-cdk-lib's built-in template validation off (as in unit tests)
 * and on (as in `npx cdk synth`). Prints the ratios.
 *
 *   npm run bench            (all benchmarks)
 *   BENCH_RUNS=9 npm run bench
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, CfnWaitConditionHandle, Stack } from 'aws-cdk-lib';
import { REFERENCE_APPS } from '../apps/main';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const VALIDATED_RUNS = Number(process.env.BENCH_VALIDATED_RUNS ?? 2);

function synthOnce(build: (app: App) => void, validation: boolean): number {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'));
  const start = process.hrtime.bigint();
  const app = new App({
    outdir,
    builtinCloudFormationValidation: validation,
    context: { '@aws-cdk/core:validateAgainstDefaultRules': true, 'aws:cdk:bundling-stacks': [] },
  });
  build(app);
  app.synth();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  fs.rmSync(outdir, { recursive: true, force: true });
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** The first (cold) synth, then the median of `runs` warm ones. */
function measure(build: (app: App) => void, validation: boolean, runs: number): { cold: number; warm: number } {
  const cold = synthOnce(build, validation); // includes module loading, JIT, and the validator's start-up
  return { cold, warm: median(Array.from({ length: runs }, () => synthOnce(build, validation))) };
}

// CloudFormation rejects a template without resources, so the "empty" app holds one no-op resource.
const empty = (app: App) => { new CfnWaitConditionHandle(new Stack(app, 'Empty'), 'Nothing'); };
const rows: string[][] = [['app', 'validation', 'median ms', 'empty app ms', 'ratio']];
const cold: string[] = [];
for (const validation of [false, true]) {
  const runs = validation ? VALIDATED_RUNS : RUNS;
  const base = measure(empty, validation, runs);
  cold.push(`first synth in this process with validation ${validation ? 'on' : 'off'} (empty app): ${base.cold.toFixed(0)} ms`);
  for (const ref of REFERENCE_APPS) {
    const ms = measure((app) => ref.build(app), validation, runs).warm;
    rows.push([ref.stackName, validation ? 'on' : 'off', ms.toFixed(0), base.warm.toFixed(0), `${(ms / base.warm).toFixed(1)}x`]);
  }
}
const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
console.log(`synth benchmark (${RUNS} runs, ${VALIDATED_RUNS} with validation; median after a warm-up run)`);
for (const r of rows) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
for (const line of cold) console.log(line);
