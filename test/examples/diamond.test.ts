import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { expect, it } from 'vitest';
import { catalog } from '@kiln/nodes';
import { specHash, validateSpec } from '@kiln/engine';
import diamond from '@kiln/examples/diamond/diamond';

it('the TypeScript diamond builds exactly the spec of its JSON twin', () => {
  const json = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../examples/diamond/diamond.json'), 'utf8'));
  const fromCode = diamond.toSpec();
  expect(fromCode).toEqual(json);
  expect(specHash(fromCode)).toBe(specHash(json));
  expect(validateSpec(fromCode, catalog).problems).toEqual([]);
});
