import { describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH, jsonBodyProblem } from './request-checks';

const nested = (depth: number) => JSON.parse(`${'['.repeat(depth)}1${']'.repeat(depth)}`) as unknown;

describe('jsonBodyProblem', () => {
  it('allows bodies nested up to the limit and names where a deeper one goes too deep', () => {
    expect(jsonBodyProblem({ a: [{ b: 'x' }] })).toBeUndefined();
    expect(jsonBodyProblem(nested(MAX_JSON_DEPTH))).toBeUndefined();
    expect(jsonBodyProblem(nested(MAX_JSON_DEPTH + 1))).toMatch(
      /^the body nests deeper than 64 levels at \[0\]\[0\]/,
    );
    expect(jsonBodyProblem({ params: { x: nested(100_000) } })).toMatch(/at params\.x\[0\]/);
  });

  it('refuses NUL in strings and keys, naming the path', () => {
    expect(jsonBodyProblem({ spec: { nodes: [{ id: 'a\u0000' }] } })).toBe(
      'spec.nodes[0].id holds a NUL character (\\u0000), which Kiln does not store',
    );
    expect(jsonBodyProblem({ a: { 'k\u0000': 1 } })).toBe(
      'the key "k\\u0000" at a holds a NUL character (\\u0000)',
    );
    expect(jsonBodyProblem('x\u0000')).toMatch(/NUL/);
    expect(jsonBodyProblem(null)).toBeUndefined();
  });
});
