import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { LoggedRequest } from '@kiln/nodes';
import { FolderArtifactStore } from '@kiln/artifacts';
import { PredictionLog, openDatabase, startPostgres } from '@kiln/db';
import { LineBuffer, PredictionLogger, type RequestLog } from './prediction-log';

/** The JSON Lines of some requests, through the logger's buffer. */
function logLines(requests: RequestLog[]): string {
  const lines = new LineBuffer();
  for (const r of requests) lines.add(r);
  return lines.toBuffer().toString('utf8');
}

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
      { ...base, instances: [], ids: [], predictions: [], probabilities: [[NaN, 1]] },
    ]);
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(3);
    const parsed = lines.map((l) => JSON.parse(l) as LoggedRequest);
    expect(parsed.slice(0, 2).map((p) => p.request)).toEqual([{ instances }, { instances }]);
    expect(parsed[1]!.probabilities).toBeNull();
    // No ids, and a probability JSON cannot hold: still one valid line.
    expect(parsed[2]).toMatchObject({ ids: [], predictions: [], probabilities: [[null, 1]], request: { instances: [] } });
  });

  it('keep every line whole across buffer chunks, bodies larger than a chunk included', () => {
    const small = Buffer.from(JSON.stringify({ instances: [{ x: 'ü'.repeat(100) }] }));
    const huge = Buffer.from(JSON.stringify({ instances: [{ x: 'y'.repeat(600_000) }] }));
    const requests: RequestLog[] = [];
    for (let i = 0; i < 3000; i++) requests.push({ ...base, latencyMs: i, instances: [], raw: i === 1500 ? huge : small });
    const lines = logLines(requests).trim().split('\n');
    expect(lines).toHaveLength(3000);
    const parsed = lines.map((l) => JSON.parse(l) as LoggedRequest);
    expect(parsed.map((p) => p.latencyMs)).toEqual(requests.map((r) => r.latencyMs));
    expect(parsed[1500]!.request).toEqual(JSON.parse(huge.toString()));
    expect(parsed[2999]!.request).toEqual(JSON.parse(small.toString()));
  });
});

describe('the prediction logger', () => {
  it('writes one chunk per flush however many requests pass maxRows while a write is under way', async () => {
    const db = await openDatabase({});
    const dir = await mkdtemp(join(tmpdir(), 'kiln-plog-'));
    const store = new FolderArtifactStore(dir);
    await db.query(`INSERT INTO models (name, created_by) VALUES ('m', 'test')`);
    await db.query(`INSERT INTO deployments (name, model_name, strategy, created_by) VALUES ('d', 'm', 'replace', 'test')`);
    const logger = new PredictionLogger(db, store, { flushMs: 60_000, maxRows: 100 });
    try {
      const raw = Buffer.from(JSON.stringify({ instances }));
      // 1,000 rows at two rows a request, past maxRows every 50 requests, with writes under way
      // between them (the server records as requests come).
      for (let i = 0; i < 500; i++) {
        logger.record('d', { ...base, instances, raw });
        if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
      }
      await logger.flush();
      const chunks = await db.getRepository(PredictionLog).find({ order: { firstAt: 'ASC' } });
      expect(chunks.map((c) => c.rows)).toEqual(Array(10).fill(100));
      expect(chunks.reduce((n, c) => n + c.requests, 0)).toBe(500);
      const first = Buffer.from(await store.get((chunks[0]!.artifact as unknown as { digest: string }).digest)).toString('utf8');
      expect(first.trim().split('\n')).toHaveLength(50);
    } finally {
      await logger.close();
      await db.destroy();
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the prediction logger across a database outage', () => {
  it('keeps what it could not write and writes it, in order, once PostgreSQL is back; past its bound it drops the oldest', async () => {
    const postgres = await startPostgres();
    const db = await openDatabase({ url: postgres.url });
    const dir = await mkdtemp(join(tmpdir(), 'kiln-plog-'));
    const store = new FolderArtifactStore(dir);
    await db.query(`INSERT INTO models (name, created_by) VALUES ('m', 'test')`);
    await db.query(`INSERT INTO deployments (name, model_name, strategy, created_by) VALUES ('d', 'm', 'replace', 'test')`);
    const raw = Buffer.from(JSON.stringify({ instances }));
    const lineBytes = logLines([{ ...base, instances, raw }]).length;
    // Room for 5 requests' lines waiting to be written.
    const logger = new PredictionLogger(db, store, { flushMs: 60_000, maxRows: 10_000, retryBytes: lineBytes * 5 });
    const errors: unknown[] = [];
    const consoleError = console.error;
    console.error = (...args: unknown[]) => errors.push(args);
    try {
      logger.record('d', { ...base, instances, raw });
      await logger.flush();
      await postgres.down();
      for (const batch of [2, 3]) {
        for (let i = 0; i < batch; i++) logger.record('d', { ...base, instances, raw, latencyMs: batch });
        logger.recordError('d');
        await logger.flush();
      }
      expect(logger.droppedRequests).toBe(0);
      // A third chunk while down: 5 + 2 lines waiting, past the bound, so the oldest chunk (2 requests + 1 error) goes.
      logger.record('d', { ...base, instances, raw, latencyMs: 4 });
      logger.record('d', { ...base, instances, raw, latencyMs: 4 });
      await logger.flush();
      expect(logger.droppedRequests).toBe(3);
      await postgres.up();
      await logger.flush();
      const chunks = await db.getRepository(PredictionLog).find({ order: { firstAt: 'ASC' } });
      expect(chunks.map((c) => [c.requests, c.errors, c.rows])).toEqual([
        [1, 0, 2],
        [4, 1, 6],
        [2, 0, 4],
      ]);
      const second = Buffer.from(await store.get((chunks[1]!.artifact as unknown as { digest: string }).digest)).toString('utf8');
      expect(second.trim().split('\n').map((l) => (JSON.parse(l) as LoggedRequest).latencyMs)).toEqual([3, 3, 3]);
      // The outage, the drop and the recovery are each logged once, not once per flush.
      expect(errors.map((e) => String((e as unknown[])[0])).filter((m) => m.startsWith('prediction log:'))).toEqual([
        expect.stringMatching(/^prediction log: cannot write/),
        expect.stringMatching(/^prediction log: 3 requests' log dropped/),
        'prediction log: writing again',
      ]);
    } finally {
      console.error = consoleError;
      await logger.close();
      await db.destroy();
      await postgres.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe('prediction log times', () => {
  it('are the ISO time of each millisecond, whatever came before', () => {
    const times = [Date.UTC(2026, 10, 23, 12, 0, 0, 7), Date.UTC(2026, 10, 23, 12, 0, 0, 45), Date.UTC(2026, 10, 23, 12, 0, 0, 999), Date.UTC(2026, 10, 23, 12, 0, 1, 0), Date.UTC(1999, 0, 1), Date.UTC(2026, 10, 23, 12, 0, 1, 120)];
    const lines = logLines(times.map((at) => ({ ...base, at, instances: [] }))).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as LoggedRequest).at)).toEqual(times.map((t) => new Date(t).toISOString()));
  });
});
