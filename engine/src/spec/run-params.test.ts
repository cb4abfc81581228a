import { describe, expect, it } from 'vitest';
import { coerceParam, resolveRunParams } from './run-params';

const spec = {
  params: {
    type: 'object' as const,
    properties: {
      msg: { type: 'string', default: 'hi' },
      n: { type: 'integer', minimum: 1 },
      flags: { type: 'array', items: { type: 'string' } },
    },
    required: ['n'],
  },
};

describe('run parameters', () => {
  it('fills defaults and keeps given values', () => {
    expect(resolveRunParams(spec, { n: 2 })).toEqual({ ok: true, values: { msg: 'hi', n: 2 } });
  });

  it('reports every problem at once: unknown, missing, wrong type', () => {
    const r = resolveRunParams(spec, { nope: 1, msg: 5 });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problems).toEqual([
      { path: 'params.nope', message: 'the pipeline has no run parameter "nope" (declared: msg, n, flags)' },
      { path: 'params.n', message: 'is required and has no default' },
      { path: 'params.msg', message: 'must be string' },
    ]);
  });

  it('coerces command-line values to the declared type', () => {
    expect(coerceParam(spec, 'msg', '42')).toBe('42');
    expect(coerceParam(spec, 'n', '42')).toBe(42);
    expect(coerceParam(spec, 'flags', '["a","b"]')).toEqual(['a', 'b']);
    expect(coerceParam(spec, 'n', 'forty')).toBe('forty');
  });
});
