/**
 * Runs shell commands side by side (the machines have 2 cores and the type check and the
 * linter each use one), prints each command's output when it ends, and fails if any failed.
 *
 *   node --import tsx scripts/run-parallel.ts "tsc --noEmit -p tsconfig.dev.json" "projen eslint"
 *
 * With `--levels`, arguments are `;`-separated groups run one after another, the commands of
 * a group side by side (dependency levels: `"a" ";" "b" "c"` runs a, then b and c together).
 */
import { spawn } from 'child_process';

interface Result { readonly command: string; readonly code: number; readonly output: string; readonly seconds: number }

function run(command: string): Promise<Result> {
  const start = Date.now();
  return new Promise((resolve) => {
    const child = spawn(command, { shell: true, env: process.env });
    let output = '';
    child.stdout.on('data', (d) => { output += d; });
    child.stderr.on('data', (d) => { output += d; });
    child.on('close', (code) => resolve({ command, code: code ?? 1, output, seconds: (Date.now() - start) / 1000 }));
  });
}

async function main(args: string[]): Promise<number> {
  const levels: string[][] = [[]];
  for (const a of args) {
    if (a === ';') levels.push([]);
    else levels[levels.length - 1].push(a);
  }
  for (const level of levels.filter((l) => l.length > 0)) {
    const results = await Promise.all(level.map(run));
    for (const r of results) {
      process.stdout.write(`\n--- ${r.command} (${r.code === 0 ? 'ok' : `exit ${r.code}`}, ${r.seconds.toFixed(1)} s)\n${r.output}`);
    }
    if (results.some((r) => r.code !== 0)) return 1;
  }
  return 0;
}

main(process.argv.slice(2).filter((a) => a !== '--levels')).then((code) => process.exit(code), (e) => {
  console.error(e);
  process.exit(1);
});
