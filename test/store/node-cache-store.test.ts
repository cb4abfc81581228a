// The node cache's storage on both stores: conditional creates (one winner among racing creators),
// entries (filters, TTL, sweeping) and compute leases (takeover only after a silent holder).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FolderArtifactStore, S3ArtifactStore, type ArtifactStore } from '@kiln/artifacts';
import { NodeCacheEntries } from '@kiln/artifacts/cache/node-cache';
import { LeaseClaim } from '@kiln/artifacts/cache/compute-lease';
import type { CacheEntry } from '@kiln/engine';
import { tempDir } from '../support/harness';
import { type MinioServer, startMinio } from '../support/minio-server';

let minio: MinioServer;
const stores: Record<string, ArtifactStore> = {};
beforeAll(async () => {
  minio = await startMinio();
  stores.folder = new FolderArtifactStore(tempDir());
  stores.s3 = new S3ArtifactStore({ endpoint: minio.endpoint, bucket: 'kiln-cache', accessKey: minio.accessKey, secretKey: minio.secretKey, cacheDir: tempDir() });
});
afterAll(() => minio?.stop());

const key = (n: number) => n.toString(16).padStart(64, '0');
const entry = (n: number, extra: Partial<CacheEntry> = {}): CacheEntry => ({
  key: key(n),
  type: 'train.gbdt',
  typeVersion: 1,
  pipeline: 'churn',
  runId: `run-${n}`,
  nodeId: 'train',
  createdAt: new Date(Date.UTC(2026, 0, n)).toISOString(),
  outputs: { model: { n } },
  ...extra,
});

describe.each(['folder', 's3'])('the node cache on the %s store', (kind) => {
  it('creates an object for exactly one of racing creators, and never replaces one', async () => {
    const objects = stores[kind]!.objects;
    const won = await Promise.all(Array.from({ length: 8 }, (_, i) => objects.create('race/one', new TextEncoder().encode(`creator ${i}`))));
    expect(won.filter(Boolean)).toHaveLength(1);
    const winner = won.indexOf(true);
    expect(new TextDecoder().decode(await objects.get('race/one'))).toBe(`creator ${winner}`);
    expect(await objects.create('race/one', new Uint8Array([1]))).toBe(false);
  });

  it('lists and purges entries by type, pipeline and age; expired ones are ignored and swept', async () => {
    const now = Date.UTC(2026, 0, 10);
    const entries = new NodeCacheEntries(stores[kind]!.objects, 5 * 86_400, () => now);
    await entries.put(entry(1)); // expired (9 days old, TTL 5 days)
    await entries.put(entry(6));
    await entries.put(entry(7, { type: 'featurize.tabular', nodeId: 'featurize' }));
    await entries.put(entry(8, { pipeline: 'other' }));
    expect(await entries.get('train.gbdt', key(1))).toBeUndefined();
    expect(await entries.get('train.gbdt', key(6))).toMatchObject({ runId: 'run-6' });
    expect((await entries.list()).map((e) => e.runId)).toEqual(['run-8', 'run-7', 'run-6']);
    expect((await entries.list({ type: 'featurize.tabular' })).map((e) => e.runId)).toEqual(['run-7']);
    expect((await entries.list({ pipeline: 'churn' })).map((e) => e.runId)).toEqual(['run-7', 'run-6']);
    expect((await entries.list({ olderThan: new Date(Date.UTC(2026, 0, 7, 12)) })).map((e) => e.runId)).toEqual(['run-7', 'run-6']);
    expect(await entries.purge({ type: 'train.gbdt', pipeline: 'churn' })).toBe(1);
    expect((await entries.list()).map((e) => e.runId)).toEqual(['run-8', 'run-7']);
    expect(await new NodeCacheEntries(stores[kind]!.objects, Infinity).get('train.gbdt', key(1))).toBeUndefined(); // swept
    expect(await entries.purge()).toBe(2);
    expect(await entries.list()).toEqual([]);
  });

  it('gives a lease to one claimant; another takes over only after seeing it unrenewed for the stale time', async () => {
    const objects = stores[kind]!.objects;
    let clock = 0;
    const claim = (owner: string) => new LeaseClaim(objects, 'train.gbdt', key(99), owner, 30_000, () => clock);
    const a = claim('a');
    const b = claim('b');
    const c = claim('c');
    const [la, lb] = await Promise.all([a.tryAcquire(), b.tryAcquire()]);
    expect([la, lb].filter(Boolean)).toHaveLength(1);
    const held = (la ?? lb)!;
    expect(await c.tryAcquire()).toBeUndefined();
    clock += 20_000;
    await held.renew();
    expect(await c.tryAcquire()).toBeUndefined(); // renewed: seen changing
    clock += 29_000;
    expect(await c.tryAcquire()).toBeUndefined(); // silent for 29 s only
    clock += 2_000;
    const taken = await c.tryAcquire(); // silent for 31 s: the holder is presumed dead
    expect(taken?.generation).toBe(held.generation + 1);
    expect(await claim('d').tryAcquire()).toBeUndefined();
    await held.release(); // the old holder coming back removes only its own generation
    expect(await claim('e').tryAcquire()).toBeUndefined();
    await taken!.release();
    const next = await claim('f').tryAcquire();
    expect(next?.generation).toBe(1);
    await next!.release();
  });
});
