import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { catalog } from '@kiln/nodes';
import { specHash, validateSpec } from '@kiln/engine';
import churnSearch from '@kiln/examples/churn-search/churn-search';

const DIR = resolve(import.meta.dirname, '../../examples/churn-search');

it('the TypeScript churn-search pipeline builds exactly the spec of its JSON twin, and it validates', () => {
  const json = JSON.parse(readFileSync(resolve(DIR, 'churn-search.json'), 'utf8'));
  const fromCode = churnSearch.toSpec();
  expect(fromCode).toEqual(json);
  expect(specHash(fromCode)).toBe(specHash(json));
  expect(validateSpec(fromCode, catalog).problems).toEqual([]);
});
