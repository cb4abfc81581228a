import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '@kiln/engine/free-port';

const run = promisify(execFile);

/** A private PostgreSQL cluster on a free loopback port, for tests and benchmarks. */
export interface PostgresServer {
  readonly url: string;
  /** Stops the server as a crash would (`-m immediate`), keeping its data: an outage. */
  down(): Promise<void>;
  /** Starts it again on the same port and data after `down`. */
  up(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts a throw-away cluster from Debian's `postgresql` package (`PG_BIN` overrides where its
 * binaries are). As root, the cluster runs as the `postgres` user, since PostgreSQL refuses root.
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = process.env.PG_BIN ?? findPgBin();
  const dir = mkdtempSync(join(tmpdir(), 'kiln-pg-'));
  const asRoot = userInfo().uid === 0;
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']).catch(() => {
      throw new Error('running as root needs the `postgres` user (apt-get install postgresql)');
    });
    const { stdout: gid } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(gid.trim()));
  }
  const pg = (tool: string, args: string[]) =>
    asRoot ? run('runuser', ['-u', 'postgres', '--', join(bin, tool), ...args]) : run(join(bin, tool), args);
  const data = join(dir, 'data');
  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'kiln', '--no-sync', '-E', 'UTF8']);
  const port = await freePort();
  const start = () =>
    pg('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off -c max_connections=200`,
      'start',
    ]);
  await start();
  return {
    url: `postgres://kiln@127.0.0.1:${port}/postgres`,
    async down() {
      await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
    },
    async up() {
      await start();
    },
    async stop() {
      await pg('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']).catch(() => {});
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function findPgBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'initdb'))) : [];
  if (versions.length === 0) throw new Error('PostgreSQL server binaries not found: apt-get install postgresql, or set PG_BIN');
  versions.sort((a, b) => Number(b) - Number(a));
  return join(root, versions[0]!, 'bin');
}
