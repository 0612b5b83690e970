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
