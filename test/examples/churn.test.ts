import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { catalog } from '@kiln/nodes';
import { specHash, validateSpec } from '@kiln/engine';
import churn from '@kiln/examples/churn/churn';
import { makeChurnCsv } from '@kiln/examples/churn/make-data';

const DIR = resolve(import.meta.dirname, '../../examples/churn');

it('the TypeScript churn pipeline builds exactly the spec of its JSON twin', () => {
  const json = JSON.parse(readFileSync(resolve(DIR, 'churn.json'), 'utf8'));
  const fromCode = churn.toSpec();
  expect(fromCode).toEqual(json);
  expect(specHash(fromCode)).toBe(specHash(json));
  expect(validateSpec(fromCode, catalog).problems).toEqual([]);
});

it('churn.csv is what make-data.ts generates', () => {
  const csv = readFileSync(resolve(DIR, 'churn.csv'), 'utf8');
  expect(csv).toBe(makeChurnCsv());
  expect(csv.trimEnd().split('\n')).toHaveLength(2001);
});
