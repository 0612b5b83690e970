/**
 * Every ```ts example in the package READMEs compiles against the packages' real API, so the
 * docs cannot drift from the code. An example is a construct-scope fragment: it is compiled
 * inside the constructor of a Stack subclass (`this` is a Stack); its imports go to the top.
 * Names an example uses without defining (an existing role, a bucket from an earlier example)
 * are declared `any` in a second pass, so they do not hide mistakes in how the library is used.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..');

interface Example { readonly file: string; readonly line: number; readonly code: string }

/** The ```ts blocks of a markdown file, with their line numbers. */
export function examplesOf(file: string): Example[] {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```ts\s*$/.test(lines[i])) continue;
    const start = i + 1;
    while (i + 1 < lines.length && !/^```\s*$/.test(lines[++i]));
    out.push({ file: path.relative(ROOT, file), line: start + 1, code: lines.slice(start, i).join('\n') });
  }
  return out;
}

/**
 * The example as a module: a module example (one that exports something, e.g. a Lambda handler)
 * as it is; a construct fragment with its imports first and the rest inside a Stack constructor.
 */
function moduleOf(e: Example, index: number, freeNames: string[]): string {
  const source = ts.createSourceFile('x.ts', e.code, ts.ScriptTarget.ES2022, true);
  const declarations = freeNames.map((n) => `declare const ${n}: any;`);
  const exporting = source.statements.some((s) => ts.canHaveModifiers(s) && ts.getModifiers(s)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword));
  if (exporting) return [`// ${e.file}:${e.line}`, ...declarations, e.code].join('\n');
  const imports = source.statements.filter(ts.isImportDeclaration).map((s) => s.getText());
  const body = source.statements.filter((s) => !ts.isImportDeclaration(s)).map((s) => s.getText());
  return [
    `// ${e.file}:${e.line}`,
    ...imports,
    "import { Stack as ExampleStack__ } from 'aws-cdk-lib';",
    ...declarations,
    `export class Example${index} extends ExampleStack__ {`,
    '  constructor() {',
    "    super(undefined, 'Example');",
    // an async arrow keeps `this` (the stack) and allows `await` in library examples
    '    void (async () => {',
    ...body.map((l) => l.split('\n').map((x) => `      ${x}`).join('\n')),
    '    })();',
    '  }',
    '}',
  ].join('\n');
}

const readmes = fs.readdirSync(path.join(ROOT, 'packages'))
  .map((p) => path.join(ROOT, 'packages', p, 'README.md'))
  .filter((f) => fs.existsSync(f) && !f.includes(`${path.sep}testing${path.sep}`));
const examples = readmes.flatMap(examplesOf);

/** The previous pass's program: the second pass reuses its parsed files (aws-cdk-lib's declarations). */
let previous: ts.Program | undefined;

function compile(free: Map<number, string[]>): Map<number, ts.Diagnostic[]> {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.dev.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const files = new Map(examples.map((e, i) => [path.join(ROOT, 'test', `.readme-example-${i}.ts`), moduleOf(e, i, free.get(i) ?? [])]));
  const options = { ...config.options, noEmit: true, noUnusedLocals: false, noUnusedParameters: false };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => files.get(f) ?? readFile(f);
  host.fileExists = (f) => files.has(f) || fileExists(f);
  const program = ts.createProgram([...files.keys()], options, host, previous);
  previous = program;
  const byExample = new Map<number, ts.Diagnostic[]>();
  [...files.keys()].forEach((f, i) => {
    const source = program.getSourceFile(f);
    byExample.set(i, [...program.getSemanticDiagnostics(source), ...program.getSyntacticDiagnostics(source)]);
  });
  return byExample;
}

test('every ```ts example of the package READMEs compiles against the API', () => {
  expect(examples.length).toBeGreaterThan(10);
  // pass 1: which names does each example use without defining?
  const first = compile(new Map());
  const free = new Map<number, string[]>();
  for (const [i, diagnostics] of first) {
    // 2304 cannot find name, 2552 cannot find name (did you mean), 18004 shorthand property without a value
    const undefinedName = diagnostics.filter((d) => [2304, 2552, 18004].includes(d.code));
    free.set(i, [...new Set(undefinedName.map((d) => /'([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, ' '))![1]))]);
  }
  // pass 2: with those names declared, nothing else may fail
  const problems: string[] = [];
  for (const [i, diagnostics] of compile(free)) {
    for (const d of diagnostics) {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
      problems.push(`${examples[i].file} (example at line ${examples[i].line}, generated line ${line + 1}): ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    }
  }
  expect(problems).toEqual([]);
});
