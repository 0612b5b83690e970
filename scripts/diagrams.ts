/**
 * `npm run diagrams`: synthesizes every reference app (the way apps/main.ts builds them, with
 * aws-cdk-lib's built-in template validation off) and writes a Mermaid data-flow diagram into
 * each app's README, between `<!-- diagram:start -->` and `<!-- diagram:end -->`.
 * `npm run diagrams -- --check` only reports READMEs whose diagram is stale (exit code 1).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { REFERENCE_APPS, ReferenceApp } from '../apps/main';
import { buildGraph } from './diagram/graph';
import { renderMermaid } from './diagram/mermaid';
import { diagramBlock, withDiagram } from './diagram/readme';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '..');

/** One README and its content with a freshly generated diagram. */
export interface DiagramUpdate {
  readonly stackName: string;
  /** Path relative to the repository root. */
  readonly readme: string;
  readonly current: string;
  readonly updated: string;
  /** The Mermaid source. */
  readonly mermaid: string;
}

/** The folder of an app under apps/: its `folder`, else its stack name in kebab case. */
export function appFolder(ref: ReferenceApp): string {
  return ref.folder ?? ref.stackName.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase();
}

/** The Mermaid diagram of one reference app (one synthesis, built-in validation off). */
export function diagramOf(ref: ReferenceApp): string {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'diagrams-'));
  try {
    const app = new App({ outdir, builtinCloudFormationValidation: false, context: { 'aws:cdk:bundling-stacks': [] } });
    ref.build(app);
    const stack = app.node.children.find((c): c is Stack => Stack.isStack(c) && c.stackName === ref.stackName);
    if (!stack) throw new Error(`reference app ${ref.stackName} built no stack named ${ref.stackName}`);
    const template = app.synth().getStackByName(stack.stackName).template;
    return renderMermaid(buildGraph(stack, template));
  } finally {
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

/** Every reference app's README with its diagram regenerated (nothing is written). */
export function generateDiagrams(apps: ReferenceApp[] = REFERENCE_APPS): DiagramUpdate[] {
  return apps.map((ref) => {
    const readme = path.join('apps', appFolder(ref), 'README.md');
    const file = path.join(ROOT, readme);
    if (!fs.existsSync(file)) throw new Error(`${ref.stackName}: no ${readme}; set \`folder\` in its REFERENCE_APPS entry (apps/main.ts) or add the README`);
    const current = fs.readFileSync(file, 'utf8');
    const mermaid = diagramOf(ref);
    return { stackName: ref.stackName, readme, current, updated: withDiagram(current, diagramBlock(mermaid, ref.stackName)), mermaid };
  });
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  const started = Date.now();
  const updates = generateDiagrams();
  const stale = updates.filter((u) => u.current !== u.updated);
  for (const u of stale) {
    if (!check) fs.writeFileSync(path.join(ROOT, u.readme), u.updated);
    console.log(`${check ? 'stale' : 'updated'}: ${u.readme}`);
  }
  console.log(`${updates.length} diagrams, ${stale.length} ${check ? 'stale' : 'rewritten'}, ${Date.now() - started} ms`);
  if (check && stale.length > 0) process.exit(1);
}
