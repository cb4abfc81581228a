import { parseArgs } from 'node:util';
import { openDatabase, redact } from '@kiln/db';
import type { Io } from '../io';
import { MIGRATE_USAGE } from './usage';

/**
 * Brings Kiln's database to the latest schema and exits: the Helm chart's pre-install/pre-upgrade
 * hook and compose's one-shot service. Exit 0 migrated (or already current), 1 the database failed,
 * 2 nothing to migrate was named.
 */
export async function migrateCommand(args: string[], io: Io): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { 'data-dir': { type: 'string' } } }));
  } catch (err) {
    io.err(`${(err as Error).message}\nusage: ${MIGRATE_USAGE}`);
    return 2;
  }
  const url = process.env.DATABASE_URL || undefined;
  const dataDir = values['data-dir'];
  if (!url && !dataDir) {
    io.err(`kiln migrate: set DATABASE_URL (or --data-dir for embedded PostgreSQL)\nusage: ${MIGRATE_USAGE}`);
    return 2;
  }
  const where = url ? redact(url) : `embedded PostgreSQL in ${dataDir}`;
  let db;
  try {
    db = await openDatabase(url ? { url } : { dataDir: dataDir! });
  } catch (err) {
    io.err(`kiln migrate: ${(err as Error).message}`);
    return 1;
  }
  try {
    const rows = (await db.query('SELECT name FROM migrations ORDER BY id')) as { name: string }[];
    io.out(`kiln migrate: ${where} is at ${rows.at(-1)?.name ?? 'no migration'} (${rows.length} applied)`);
    return 0;
  } finally {
    await db.destroy();
  }
}
