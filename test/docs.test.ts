// The docs that are generated from the one definition of each thing (the config
// schema, the error catalogues) are what `npm run docs` would write now.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorsDoc, readmeWithTable, ROOT } from '../scripts/docs.js';

test("README.md's option table is the one generated from the config schema (npm run docs)", () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  assert.equal(readme, readmeWithTable(readme));
});

test('docs/errors.md is the one generated from the error catalogues (npm run docs)', () => {
  assert.equal(readFileSync(join(ROOT, 'docs/errors.md'), 'utf8'), errorsDoc());
});
