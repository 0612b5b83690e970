/**
 * Every ```ts example in the package READMEs compiles against the packages' real API, so the
 * docs cannot drift from the code. An example is a construct-scope fragment: it is compiled
 * inside the constructor of a Stack subclass (`this` is a Stack); its imports go to the top.
 * Names an example uses without defining (an existing role, a bucket from an earlier example)
 * are declared `any` in a second pass, so they do not hide mistakes in how the library is used.
 * A name that a checked package, aws-cdk-lib's root module (the wrapper imports Stack from it) or
 * a module the example imports from exports is NOT declared:
 * an example that forgot `import { SecureBucket } ...` fails ("uses SecureBucket without importing
 * it") instead of compiling every use of the class against `any`.
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

const PACKAGES = fs.readdirSync(path.join(ROOT, 'packages')).filter((p) => p !== 'testing' && fs.existsSync(path.join(ROOT, 'packages', p, 'README.md')));
const readmes = PACKAGES.map((p) => path.join(ROOT, 'packages', p, 'README.md'));

/** A module importing every checked package, so their exports can be listed. */
const PACKAGE_INDEX = path.join(ROOT, 'test', '.readme-example-packages.ts');
const PACKAGE_NAMES = PACKAGES.map((p) => JSON.parse(fs.readFileSync(path.join(ROOT, 'packages', p, 'package.json'), 'utf8')).name as string);

/** The previous pass's program: the next pass reuses its structure. */
let previous: ts.Program | undefined;
/** Parsed library files (aws-cdk-lib's declarations, the packages' sources), shared by every pass. */
const parsed = new Map<string, ts.SourceFile | undefined>();

interface Compiled {
  readonly diagnostics: Map<number, ts.Diagnostic[]>;
  /** Per example: the names it must import rather than use free, with the module that exports each. */
  readonly exported: Map<number, Map<string, string>>;
}

function compile(examples: Example[], free: Map<number, string[]>, prefix: string): Compiled {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(ROOT, 'tsconfig.dev.json'), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const files = new Map(examples.map((e, i) => [path.join(ROOT, 'test', `.${prefix}-${i}.ts`), moduleOf(e, i, free.get(i) ?? [])]));
  const index = PACKAGE_NAMES.map((n, i) => `import * as p${i} from '${n}';\nexport { p${i} };`).join('\n');
  const options = { ...config.options, noEmit: true, noUnusedLocals: false, noUnusedParameters: false };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (f) => (f === PACKAGE_INDEX ? index : files.get(f) ?? readFile(f));
  host.fileExists = (f) => f === PACKAGE_INDEX || files.has(f) || fileExists(f);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (f, language, ...rest) => {
    if (f === PACKAGE_INDEX || files.has(f)) return getSourceFile(f, language, ...rest);
    if (!parsed.has(f)) parsed.set(f, getSourceFile(f, language, ...rest));
    return parsed.get(f);
  };
  const program = ts.createProgram([...files.keys(), PACKAGE_INDEX], options, host, previous);
  previous = program;
  const checker = program.getTypeChecker();
  const exportsOf = (specifier: ts.Expression, name: string): Map<string, string> => {
    const symbol = checker.getSymbolAtLocation(specifier);
    return new Map(symbol ? checker.getExportsOfModule(symbol).map((x) => [x.name, name]) : []);
  };
  const indexFile = program.getSourceFile(PACKAGE_INDEX)!;
  const packageExports = new Map<string, string>();
  for (const s of indexFile.statements.filter(ts.isImportDeclaration)) {
    const name = (s.moduleSpecifier as ts.StringLiteral).text;
    for (const [x] of exportsOf(s.moduleSpecifier, name)) if (!packageExports.has(x)) packageExports.set(x, name);
  }
  const diagnostics = new Map<number, ts.Diagnostic[]>();
  const exported = new Map<number, Map<string, string>>();
  [...files.keys()].forEach((f, i) => {
    const source = program.getSourceFile(f)!;
    diagnostics.set(i, [...program.getSemanticDiagnostics(source), ...program.getSyntacticDiagnostics(source)]);
    const own = new Map(packageExports);
    for (const s of source.statements.filter(ts.isImportDeclaration)) {
      for (const [x, m] of exportsOf(s.moduleSpecifier, (s.moduleSpecifier as ts.StringLiteral).text)) if (!own.has(x)) own.set(x, m);
    }
    exported.set(i, own);
  });
  return { diagnostics, exported };
}

/**
 * Compiles the examples; returns one line per problem (empty when all compile). Pass 1 finds the
 * names each example uses without defining; a name exported by a checked package or by a module the
 * example imports from is a problem; the others are declared `any` for pass 2, where nothing may fail.
 */
export function checkExamples(examples: Example[], prefix = 'readme-example'): string[] {
  const first = compile(examples, new Map(), prefix);
  const free = new Map<number, string[]>();
  const problems: string[] = [];
  for (const [i, diagnostics] of first.diagnostics) {
    // 2304 cannot find name, 2552 cannot find name (did you mean), 18004 shorthand property without a value
    const undefinedName = diagnostics.filter((d) => [2304, 2552, 18004].includes(d.code));
    const names = [...new Set(undefinedName.map((d) => /'([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, ' '))![1]))];
    const exported = first.exported.get(i)!;
    for (const n of names.filter((x) => exported.has(x))) {
      problems.push(`${examples[i].file} (example at line ${examples[i].line}): uses ${n} without importing it (exported by ${exported.get(n)})`);
    }
    free.set(i, names.filter((x) => !exported.has(x)));
  }
  for (const [i, diagnostics] of compile(examples, free, prefix).diagnostics) {
    for (const d of diagnostics) {
      // a forgotten import is reported once above, not again for each use
      if ([2304, 2552, 18004].includes(d.code) && first.exported.get(i)!.has(/'([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, ' '))?.[1] ?? '')) continue;
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
      problems.push(`${examples[i].file} (example at line ${examples[i].line}, generated line ${line + 1}): ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
    }
  }
  return problems;
}

test('every ```ts example of the package READMEs compiles against the API', () => {
  const examples = readmes.flatMap(examplesOf);
  expect(examples.length).toBeGreaterThan(10);
  expect(checkExamples(examples)).toEqual([]);
});

describe('the checker', () => {
  const body = [
    "const stream = new kinesis.Stream(this, 'Stream');",
    "new StreamConsumer(this, 'Consumer', { stream, noSuchProp: 42 });",
  ];
  const kinesisImport = "import * as kinesis from 'aws-cdk-lib/aws-kinesis';";
  const consumerImport = "import { StreamConsumer } from '@analytics-patterns/collection';";
  const inline = (file: string, ...code: string[]): Example => ({ file, line: 1, code: code.join('\n') });
  // one compilation for all cases (each example is its own module)
  let problems: string[] = [];
  beforeAll(() => {
    problems = checkExamples([
      inline('forgot.md', kinesisImport, ...body),
      inline('cdk-name.md', kinesisImport, "new Stream(this, 'Stream');"),
      inline('wrong-prop.md', kinesisImport, consumerImport, ...body),
      inline('fixed.md', kinesisImport, consumerImport, ...body.map((l) => l.replace(', noSuchProp: 42', ''))),
      inline('free-name.md', consumerImport, "new StreamConsumer(this, 'Consumer', { stream: existingStream });"),
    ], 'readme-checker');
  });
  const of = (file: string) => problems.filter((p) => p.startsWith(`${file} `));

  test('a library class used without its import fails, naming the class and its package', () => {
    // before: StreamConsumer was declared `any`, so `noSuchProp: 42` compiled
    expect(of('forgot.md')).toEqual([
      'forgot.md (example at line 1): uses StreamConsumer without importing it (exported by @analytics-patterns/collection)',
    ]);
  });

  test('a name exported by an aws-cdk-lib module the example imports from fails too', () => {
    expect(of('cdk-name.md')).toEqual(['cdk-name.md (example at line 1): uses Stream without importing it (exported by aws-cdk-lib/aws-kinesis)']);
  });

  test('with the import the wrong prop is caught; without the wrong prop the example passes', () => {
    expect(of('wrong-prop.md')).toHaveLength(1);
    expect(of('wrong-prop.md')[0]).toMatch(/^wrong-prop\.md \(example at line 1, generated line \d+\): .*'noSuchProp' does not exist in type 'StreamConsumerProps'/);
    expect(of('fixed.md')).toEqual([]);
  });

  test('a name no package exports (a stream from an earlier example) is still declared any', () => {
    expect(of('free-name.md')).toEqual([]);
  });

  test('nothing else is reported', () => {
    expect(problems.filter((p) => !/^(forgot|cdk-name|wrong-prop)\.md /.test(p))).toEqual([]);
  });
});
