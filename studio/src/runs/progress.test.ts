import { describe, expect, it } from 'vitest';
import { progressFraction, progressOfNodes } from './progress';

describe('heartbeat progress', () => {
  it('reads the shapes activities report', () => {
    expect(progressFraction({ rows: 256, of: 1024 })).toBe(0.25);
    expect(progressFraction({ done: 3, total: 4 })).toBe(0.75);
    expect(progressFraction({ fraction: 0.4 })).toBe(0.4);
    expect(progressFraction({ percent: 50 })).toBe(0.5);
    expect(progressFraction(0.2)).toBe(0.2);
    expect(progressFraction(80)).toBe(0.8);
    expect(progressFraction({ rows: 2000, of: 1000 })).toBe(1);
    expect(progressFraction({ iteration: 5, loss: 0.3, metric: null, of: 20 })).toBe(0.25);
    expect(progressFraction({ loss: 0.3, epoch: 2, of: 4 })).toBe(0.5);
  });

  it('ignores progress it cannot read', () => {
    expect(progressFraction(undefined)).toBeUndefined();
    expect(progressFraction('half')).toBeUndefined();
    expect(progressFraction({ rows: 5 })).toBeUndefined();
    expect(progressFraction({ rows: 5, of: 0 })).toBeUndefined();
    expect(progressFraction({ stage: 'upload', of: 10 })).toBeUndefined();
  });

  it('collects the progress of the nodes of a run record', () => {
    expect(
      progressOfNodes({
        a: { live: { progress: { rows: 1, of: 2 } } },
        b: { live: { progress: null } },
        c: {},
      }),
    ).toEqual({ a: 0.5 });
  });
});
