import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { MIGRATIONS, openDatabase } from './data-source';
import { Pipeline, PipelineVersion } from './entities/schemas';
import { type PostgresServer, startPostgres } from './postgres-server';

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

describe.each([
  ['embedded PostgreSQL (PGlite)', () => ({})],
  ['PostgreSQL 15 server', () => ({ url: server.url })],
])('the schema on %s', (_name, options) => {
  let db: DataSource;
  beforeAll(async () => {
    db = await openDatabase(options());
  });
  afterAll(() => db?.destroy());

  it('migrates, stores a pipeline with a version, and keeps versions immutable by key', async () => {
    const id = randomUUID();
    const now = new Date();
    await db.getRepository(Pipeline).insert({ id, name: 'p', description: null, latestVersion: 1, createdAt: now, updatedAt: now, archivedAt: null, createdBy: 'test' });
    await db.getRepository(PipelineVersion).insert({ pipelineId: id, version: 1, spec: { nodes: [{ id: 'a' }] }, hash: 'sha256:x', author: 'test', createdAt: now });
    const v = await db.getRepository(PipelineVersion).findOneByOrFail({ pipelineId: id, version: 1 });
    expect(v.spec).toEqual({ nodes: [{ id: 'a' }] });
    await expect(
      db.getRepository(PipelineVersion).insert({ pipelineId: id, version: 1, spec: {}, hash: 'y', author: 't', createdAt: now }),
    ).rejects.toThrow(/duplicate key/);
  });

  it('allows one live pipeline per name; archiving frees the name', async () => {
    const repo = db.getRepository(Pipeline);
    const row = (id: string) => ({ id, name: 'unique-name', description: null, latestVersion: 1, createdAt: new Date(), updatedAt: new Date(), archivedAt: null, createdBy: 't' });
    const first = randomUUID();
    await repo.insert(row(first));
    await expect(repo.insert(row(randomUUID()))).rejects.toThrow(/duplicate key/);
    await repo.update({ id: first }, { archivedAt: new Date() });
    await repo.insert(row(randomUUID()));
  });

  it('runs migrations idempotently on an existing database', async () => {
    expect(await db.runMigrations()).toEqual([]);
  });
});

it('migrates once when replicas start together on a fresh database (an advisory lock orders them)', async () => {
  const admin = await openDatabase({ url: server.url });
  await admin.query('CREATE DATABASE replicas_race');
  await admin.destroy();
  const url = server.url.replace(/\/postgres$/, '/replicas_race');
  const replicas = await Promise.all(Array.from({ length: 4 }, () => openDatabase({ url })));
  const applied = await replicas[0]!.query('SELECT name FROM migrations ORDER BY id');
  expect(applied.map((m: { name: string }) => m.name)).toEqual(MIGRATIONS.map((m) => m.name));
  await Promise.all(replicas.map((r) => r.destroy()));
});

it('says which database it could not open', async () => {
  await expect(openDatabase({ url: 'postgres://kiln:secret@127.0.0.1:1/x' })).rejects.toThrow(
    'cannot open the database (postgres://kiln:***@127.0.0.1:1/x)',
  );
});
