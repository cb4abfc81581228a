import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { pipelineHash, specHash } from '@kiln/engine';
import { MIGRATIONS, openDatabase } from '../data-source';
import { Pipeline, PipelineVersion } from '../entities/schemas';
import { type PostgresServer, startPostgres } from '../postgres-server';

/** Undoes the migrations from the last one back to this one (later ones come off first). */
async function undoThrough0005(db: DataSource): Promise<void> {
  const after = MIGRATIONS.length - MIGRATIONS.findIndex((m) => m.name === 'PipelineLayout1795460000000');
  for (let i = 0; i < after; i++) await db.undoLastMigration();
}

let server: PostgresServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

const spec = (command: string, x: number) => ({
  apiVersion: 'kiln/v1',
  name: 'moved',
  nodes: [
    { id: 'a', type: 'core.command', params: { command }, position: { x, y: 0 } },
    { id: 'b', type: 'core.command', params: { command: 'echo b' } },
  ],
  edges: [{ from: 'a', to: 'b' }],
});

describe.each([
  ['embedded PostgreSQL (PGlite)', () => ({})],
  ['PostgreSQL 15 server', () => ({ url: server.url })],
])('migration 0005 on %s', (_name, options) => {
  let db: DataSource;
  beforeAll(async () => {
    db = await openDatabase(options());
  });
  afterAll(() => db?.destroy());

  it('moves positions from versions to the pipeline layout and rehashes versions without them', async () => {
    // Back to the schema before the layout column, with rows as the API wrote them then.
    await undoThrough0005(db);
    const id = randomUUID();
    const now = new Date();
    await db.query(
      `INSERT INTO pipelines (id, name, description, latest_version, created_at, updated_at, archived_at, created_by) VALUES ($1, 'moved', NULL, 2, $2, $2, NULL, 't')`,
      [id, now],
    );
    const old = [spec('echo a', 10), spec('echo a', 300)];
    for (const [i, s] of old.entries())
      await db.query(
        `INSERT INTO pipeline_versions (pipeline_id, version, spec, hash, author, created_at) VALUES ($1, $2, $3, $4, 't', $5)`,
        [id, i + 1, JSON.stringify(s), specHash(s), now],
      );

    await db.runMigrations();
    const versions = await db
      .getRepository(PipelineVersion)
      .find({ where: { pipelineId: id }, order: { version: 'ASC' } });
    expect(versions.map((v) => v.hash)).toEqual([
      pipelineHash(old[0]! as never),
      pipelineHash(old[1]! as never),
    ]);
    expect(versions[0]!.hash).toBe(versions[1]!.hash);
    expect(versions.flatMap((v) => v.spec.nodes.filter((n: { position?: unknown }) => n.position))).toEqual(
      [],
    );
    expect((await db.getRepository(Pipeline).findOneByOrFail({ id })).layout).toEqual({
      a: { x: 300, y: 0 },
    });

    // Down puts the layout back on the latest version.
    await undoThrough0005(db);
    const [latest] = (await db.query(
      `SELECT spec FROM pipeline_versions WHERE pipeline_id = $1 AND version = 2`,
      [id],
    )) as { spec: { nodes: unknown[] } }[];
    expect(latest!.spec.nodes).toEqual(old[1]!.nodes);
    await db.runMigrations();
  });
});
