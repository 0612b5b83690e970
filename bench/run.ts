/**
 * `npm run bench`: runs every benchmark script, one process each, one after the other:
 * bench/*.bench.ts, then packages/<pkg>/bench/*.bench.ts.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

const root = path.resolve(__dirname, '..');
const scripts = [
  ...fs.readdirSync(path.join(root, 'bench')).filter((f) => f.endsWith('.bench.ts')).map((f) => path.join('bench', f)),
  ...fs.readdirSync(path.join(root, 'packages')).flatMap((pkg) => {
    const dir = path.join(root, 'packages', pkg, 'bench');
    return fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).map((f) => path.join('packages', pkg, 'bench', f)) : [];
  }),
];
let failed = 0;
for (const script of scripts) {
  console.log(`\n=== ${script}`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
process.exit(failed === 0 ? 0 : 1);
