import { describe, expect, it } from 'vitest';
import type { LoggedRequest } from '@kiln/activities';
import { type RequestLog, logLines } from './prediction-log';

const base: Omit<RequestLog, 'raw' | 'instances'> = {
  at: Date.UTC(2026, 10, 23, 12, 0, 0),
  version: 3,
  role: 'canary',
  ids: ['a', 'b'],
  predictions: [1, 0],
  probabilities: [
    [0.25, 0.75],
    [0.875, 0.125],
  ],
  latencyMs: 0.5,
};
const instances = [{ x: 1, c: 'é"\\n' }, { x: null, c: 'b' }];

describe('prediction log lines', () => {
  it('splice the raw body in as sent, one JSON line per request', () => {
    const raw = Buffer.from(JSON.stringify({ instances }));
    const lines = logLines([{ ...base, instances, raw }]).split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    const parsed = JSON.parse(lines[0]!) as LoggedRequest;
    expect(parsed).toEqual({ ...base, at: '2026-11-23T12:00:00.000Z', request: { instances } });
  });

  it('re-serialise a body that spans lines, and requests without a body, so each stays one line', () => {
    const pretty = Buffer.from(JSON.stringify({ instances }, null, 2));
    const text = logLines([
      { ...base, instances, raw: pretty },
      { ...base, instances, probabilities: null, predictions: [1.5, 2.5] },
    ]);
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.map((l) => (JSON.parse(l) as LoggedRequest).request)).toEqual([{ instances }, { instances }]);
    expect((JSON.parse(lines[1]!) as LoggedRequest).probabilities).toBeNull();
  });
});
