/**
 * Every construct library has an API reference generated from its code (API.md, by
 * `npm run docs` with jsii-docgen). It must match the package as compiled now: each API.md
 * records the fingerprint of the jsii assembly it was generated from.
 */
import * as fs from 'fs';
import * as path from 'path';
import { header, JSII_LIBRARIES, ROOT } from '../scripts/api-docs';

test.each(JSII_LIBRARIES)('packages/%s/API.md is generated from the current API (else: npm run build:jsii && npm run docs)', (lib) => {
  const file = path.join(ROOT, 'packages', lib, 'API.md');
  expect(fs.existsSync(file)).toBe(true);
  const [first, ...rest] = fs.readFileSync(file, 'utf8').split('\n');
  expect(first).toBe(header(lib));
  // the reference documents the package's classes (a generated page, not an empty stub)
  expect(rest.join('\n')).toMatch(/^## Constructs|^## Classes|^## Structs/m);
});


/** The types a jsii assembly exports, by name (the fqn without the assembly name, e.g. `ColumnType`). */
function exportedTypes(lib: string): string[] {
  const file = path.join(ROOT, 'packages', lib, '.jsii');
  if (!fs.existsSync(file)) throw new Error(`packages/${lib}/.jsii is missing: run \`npm run build:jsii\` first (npm test does)`);
  const assembly = JSON.parse(fs.readFileSync(file, 'utf8'));
  return Object.keys(assembly.types).map((fqn) => fqn.slice(assembly.name.length + 1));
}

/** Every type name exported by more than one package, with the packages. */
export function typeNameClashes(exports: Record<string, string[]>): string[] {
  const owners = new Map<string, string[]>();
  for (const [lib, names] of Object.entries(exports)) for (const n of names) owners.set(n, [...owners.get(n) ?? [], lib]);
  return [...owners].filter(([, libs]) => libs.length > 1).map(([n, libs]) => `${n}: ${libs.join(', ')}`).sort();
}

describe('type names across packages', () => {
  test('no type name is exported by two packages (a user importing both would need aliases; Python flattens imports too)', () => {
    const exports = Object.fromEntries(JSII_LIBRARIES.map((lib) => [lib, exportedTypes(lib)]));
    expect(Object.values(exports).every((names) => names.length > 0)).toBe(true);
    expect(typeNameClashes(exports)).toEqual([]);
  });

  test('the check reports a clash like the old ColumnType (storage: Glue, analysis: Redshift)', () => {
    expect(typeNameClashes({ storage: ['ColumnType', 'SecureBucket'], analysis: ['ColumnType', 'RedshiftWarehouse'], core: ['Validate'] }))
      .toEqual(['ColumnType: storage, analysis']);
  });
});
