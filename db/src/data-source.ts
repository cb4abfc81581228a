import { mkdirSync } from 'node:fs';
import { DataSource } from 'typeorm';
import { PGliteDriver } from 'typeorm-pglite';
import { ENTITIES } from './entities/schemas';
import { Initial1795420000000 } from './migrations/0001-initial';
import { ModelRegistry1795430000000 } from './migrations/0002-model-registry';
import { Deployments1795440000000 } from './migrations/0003-deployments';
import { SealedSecrets1795450000000 } from './migrations/0004-sealed-secrets';
import { PipelineLayout1795460000000 } from './migrations/0005-pipeline-layout';
import { WebhookCreatorRole1795470000000 } from './migrations/0006-webhook-creator-role';
import { NodeTypeRegistry1795480000000 } from './migrations/0007-node-type-registry';

export const MIGRATIONS = [
  Initial1795420000000,
  ModelRegistry1795430000000,
  Deployments1795440000000,
  SealedSecrets1795450000000,
  PipelineLayout1795460000000,
  WebhookCreatorRole1795470000000,
  NodeTypeRegistry1795480000000,
];

/**
 * Bounds on a PostgreSQL server (not PGlite, which lives and dies with the process): a connection
 * (made, or waited for in the pool) within 1.5 s, so a request answers 503 within 2 s when the
 * server is down; a statement within 30 s, on the server and on the client (a hung server).
 */
export const POSTGRES_TIMEOUTS = { connectMs: 1_500, statementMs: 30_000 } as const;

export interface DatabaseOptions {
  /** `postgres://…`: a PostgreSQL server. Without it, embedded PostgreSQL (PGlite) in `dataDir`. */
  url?: string;
  /** Where embedded PostgreSQL keeps its files; omit for an in-memory database. */
  dataDir?: string;
}

/**
 * A data source for Kiln's database, migrated to the latest schema. The same migrations run on
 * PostgreSQL and on PGlite. One PGlite instance per process: open it once.
 */
export async function openDatabase(options: DatabaseOptions): Promise<DataSource> {
  const common = { entities: ENTITIES, migrations: MIGRATIONS, migrationsRun: false, synchronize: false, logging: false } as const;
  let dataSource: DataSource;
  if (options.url) {
    dataSource = new DataSource({
      type: 'postgres',
      url: options.url,
      connectTimeoutMS: POSTGRES_TIMEOUTS.connectMs,
      extra: { statement_timeout: POSTGRES_TIMEOUTS.statementMs, query_timeout: POSTGRES_TIMEOUTS.statementMs + 1_000, keepAlive: true },
      ...common,
    });
  } else {
    if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
    const driver = new PGliteDriver(options.dataDir ? { dataDir: options.dataDir } : {}).driver;
    dataSource = new DataSource({ type: 'postgres', driver, ...common });
  }
  try {
    await dataSource.initialize();
  } catch (err) {
    const where = options.url ? redact(options.url) : `embedded PostgreSQL in ${options.dataDir ?? 'memory'}`;
    throw new Error(`cannot open the database (${where}): ${(err as Error).message}`);
  }
  try {
    await migrateUnderLock(dataSource);
  } catch (err) {
    await dataSource.destroy();
    throw err;
  }
  return dataSource;
}

/** The advisory lock key every Kiln process takes around migrations (`kiln` in ASCII). */
export const MIGRATION_LOCK_KEY = 0x6b696c6e;

/**
 * Runs pending migrations while holding a session-level advisory lock, so API replicas (and
 * `kiln migrate`) starting together on one database migrate one at a time: the first applies them,
 * the others wait, then find nothing pending. TypeORM's own check of applied migrations is not
 * enough: two processes could both see a migration pending and both apply it.
 */
export async function migrateUnderLock(dataSource: DataSource): Promise<void> {
  const runner = dataSource.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    await runner.release();
  }
}

/** The URL with its password hidden, for messages. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return 'DATABASE_URL (unparseable)';
  }
}
