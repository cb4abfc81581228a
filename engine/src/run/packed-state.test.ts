import { describe, expect, it } from 'vitest';
import { jsonBytes, packRunState, unpackRunState } from './packed-state';
import type { RunState } from './run-state';

const state: RunState = {
  runId: 'r1',
  pipeline: 'p',
  status: 'failed',
  startedAt: '2026-12-07T02:00:00.000Z',
  endedAt: '2026-12-07T02:05:00.000Z',
  generations: 3,
  nodes: {
    a: { status: 'succeeded', attempts: 1, startedAt: '2026-12-07T02:00:00.010Z', endedAt: '2026-12-07T02:00:01.500Z', outputs: {}, queue: 'cpu' },
    b: { status: 'cached', attempts: 0, startedAt: '2026-12-07T02:00:00.010Z', endedAt: '2026-12-07T02:00:00.020Z', outputs: { model: { digest: 'sha256:x' } }, queue: 'gpu', cachedFrom: { runId: 'r0', nodeId: 'b' } },
    c: { status: 'failed', attempts: 3, startedAt: '2026-12-07T02:01:00.000Z', endedAt: '2026-12-07T02:02:00.000Z', error: { message: 'boom ✓ 𝄞', type: 'Error' }, queue: 'cpu' },
    d: { status: 'skipped', attempts: 0, endedAt: '2026-12-07T02:02:00.000Z', reason: 'upstream node "c" failed' },
    e: { status: 'skipped', attempts: 0, endedAt: '2026-12-07T02:02:00.000Z', reason: 'upstream node "c" failed' },
    f: { status: 'running', attempts: 0, startedAt: '2026-12-07T02:01:00.000Z', queue: 'cpu', items: { total: 10, done: 4, failed: 1 }, reason: 'waiting' },
    g: { status: 'pending', attempts: 0 },
    h: { status: 'cancelled', attempts: 1, startedAt: '2026-12-07T02:01:00.000Z', endedAt: '2026-12-07T02:03:00.000Z', reason: 'the run was cancelled', queue: 'cpu' },
  },
};

describe('packed run state', () => {
  it('round-trips every field the scheduler sets', () => {
    const packed = packRunState(state);
    expect(unpackRunState(JSON.parse(JSON.stringify(packed)))).toEqual(state);
    // Repeated strings are stored once.
    expect(packed.nodes.strings.filter((s) => s === 'upstream node "c" failed')).toHaveLength(1);
  });

  it('costs a fraction of the record form for a large run', () => {
    const nodes: RunState['nodes'] = {};
    for (let i = 0; i < 20_000; i++) {
      nodes[`n${i}`] = { status: 'succeeded', attempts: 1, startedAt: '2026-12-07T02:00:10.123Z', endedAt: '2026-12-07T02:00:11.456Z', outputs: {}, queue: 'cpu' };
    }
    const big = { ...state, nodes };
    expect(jsonBytes(packRunState(big))).toBeLessThan(jsonBytes(big) / 3);
    expect(jsonBytes(packRunState(big))).toBeLessThan(700_000);
  });

  it('counts UTF-8 bytes as Temporal sends them', () => {
    for (const value of ['plain', 'é', '✓', '𝄞', { a: ['x', 'ü𝄞'] }]) {
      expect(jsonBytes(value)).toBe(Buffer.byteLength(JSON.stringify(value)));
    }
  });
});
