import { describe, expect, it } from 'vitest';
import { formatDuration, progressLine } from './progress-lines';
import { LiveView } from './live-view';

const at = new Date('2026-01-01T12:00:03');

describe('progress output', () => {
  it('writes one line per state change, with attempts, duration and the error', () => {
    expect(progressLine('a', { status: 'running', attempts: 0 }, at)).toBe('12:00:03 ▶ a running');
    expect(
      progressLine(
        'train',
        {
          status: 'failed',
          attempts: 3,
          startedAt: '2026-01-01T12:00:00.000Z',
          endedAt: '2026-01-01T12:00:02.500Z',
          error: { message: 'command exited with code 1', type: 'CommandFailed' },
        },
        at,
      ),
    ).toBe('12:00:03 ✘ train failed (attempt 3) in 2.5 s: command exited with code 1');
    expect(progressLine('d', { status: 'skipped', attempts: 0, reason: 'upstream node "a" failed' }, at)).toBe(
      '12:00:03 ⤼ d skipped: upstream node "a" failed',
    );
    expect(progressLine('m', { status: 'running', attempts: 1, items: { total: 10, done: 4, failed: 0 } }, at)).toBe(
      '12:00:03 ▶ m running (4/10 items)',
    );
    const items = { total: 10, done: 10, failed: 0, cached: 7 };
    expect(progressLine('m', { status: 'succeeded', attempts: 1, startedAt: '2026-01-01T00:00:00Z', endedAt: '2026-01-01T00:00:02Z', items }, at)).toBe(
      '12:00:03 ✔ m succeeded in 2.0 s (7 of 10 items reused)',
    );
    expect(progressLine('load', { status: 'cached', attempts: 0, cachedFrom: { runId: 'r1', nodeId: 'load' } }, at)).toBe('12:00:03 ↺ load cached from run r1');
    expect(progressLine('b', { status: 'cached', attempts: 0, cachedFrom: { runId: 'r1', nodeId: 'a' } }, at)).toBe('12:00:03 ↺ b cached from run r1 (node a)');
  });

  it('formats durations for people', () => {
    expect(formatDuration(12)).toBe('12 ms');
    expect(formatDuration(1500)).toBe('1.5 s');
    expect(formatDuration(125_000)).toBe('2 m 5 s');
  });

  it('redraws the live view in place, running nodes first, capped for large pipelines', () => {
    let out = '';
    const view = new LiveView('run x', (t) => (out += t));
    for (let i = 0; i < 40; i++) view.update(`n${i}`, { status: i === 39 ? 'running' : 'succeeded', attempts: 1 });
    view.render();
    const first = out;
    expect(first).toContain('run x — 1 running, 39 succeeded');
    expect(first.split('\n')[1]).toContain('▶ n39');
    expect(first).toContain('… 16 more');
    out = '';
    view.render();
    // The second frame moves the cursor back up over the first.
    expect(out.startsWith('\x1b[26F')).toBe(true);
  });
});
