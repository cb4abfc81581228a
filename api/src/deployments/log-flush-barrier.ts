import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';

const FLUSH = 'kiln_prediction_log_flush';
const FLUSHED = 'kiln_prediction_log_flushed';
const APP_NAME_PREFIX = 'kiln-api-logs ';
/** How long a reader waits for the other replicas' buffers; a replica that does not answer by then is skipped. */
const WAIT_MS = 10_000;

interface ListenClient {
  query(sql: string, params?: unknown[]): Promise<unknown>;
  on(event: 'notification', fn: (m: { channel: string; payload?: string }) => void): void;
  on(event: 'error' | 'end', fn: (err?: Error) => void): void;
  removeAllListeners(): void;
}

/**
 * Makes every API replica's buffered prediction logs visible before a reader (monitor.drift through
 * `GET /deployments/:name/logs`) reads the window. Each replica keeps one database session that
 * LISTENs and is named `kiln-api-logs <replica id>`, so the replicas alive now are the sessions
 * PostgreSQL lists. A reader notifies them all and waits until each has flushed and answered.
 * A replica that died lost at most its last `flushMs` of logs; it has no session, so nobody waits for it.
 */
export class LogFlushBarrier {
  readonly replicaId = randomUUID();
  private client: ListenClient | null = null;
  private release: ((err?: Error) => void) | null = null;
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  private readonly waiting = new Map<string, { expect: Set<string>; done: () => void }>();

  constructor(
    private readonly db: DataSource,
    private readonly flushLocal: () => Promise<void>,
  ) {}

  /** Starts listening (and keeps reconnecting after database outages) until `close`. */
  start(): void {
    void this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    try {
      const [client, release] = (await (this.db.driver as PostgresDriver).obtainMasterConnection()) as [ListenClient, (err?: Error) => void];
      this.client = client;
      this.release = release;
      const lost = (err?: Error) => this.lost(err ?? new Error('connection ended'));
      client.on('error', lost);
      client.on('end', lost);
      client.on('notification', (m) => void this.notified(m.channel, m.payload ?? ''));
      await client.query(`SET application_name = '${APP_NAME_PREFIX}${this.replicaId}'`);
      await client.query(`LISTEN ${FLUSH}`);
      await client.query(`LISTEN ${FLUSHED}`);
    } catch (err) {
      this.lost(err as Error);
    }
  }

  private lost(err: Error): void {
    if (!this.client) return this.scheduleReconnect();
    this.client.removeAllListeners();
    this.release?.(err);
    this.client = null;
    this.release = null;
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed || this.retry) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      void this.connect();
    }, 1_000);
    this.retry.unref();
  }

  private async notified(channel: string, payload: string): Promise<void> {
    if (channel === FLUSH) {
      await this.flushLocal();
      await this.client?.query('SELECT pg_notify($1, $2)', [FLUSHED, `${payload} ${this.replicaId}`]).catch(() => {});
    } else if (channel === FLUSHED) {
      const [token, replica] = payload.split(' ');
      const wait = this.waiting.get(token!);
      if (!wait) return;
      wait.expect.delete(replica!);
      if (wait.expect.size === 0) wait.done();
    }
  }

  /** Flushes this replica's buffers and waits (bounded) until every other live replica has flushed its own. */
  async flushAll(): Promise<void> {
    await this.flushLocal();
    const client = this.client;
    if (!client) return;
    const rows = (await client.query('SELECT application_name FROM pg_stat_activity WHERE application_name LIKE $1', [`${APP_NAME_PREFIX}%`])) as {
      rows: { application_name: string }[];
    };
    const others = new Set(rows.rows.map((r) => r.application_name.slice(APP_NAME_PREFIX.length)).filter((id) => id !== this.replicaId));
    if (others.size === 0) return;
    const token = randomUUID();
    let timer: NodeJS.Timeout | undefined;
    const answered = new Promise<void>((resolve) => {
      this.waiting.set(token, { expect: others, done: resolve });
      timer = setTimeout(resolve, WAIT_MS);
    });
    try {
      await client.query('SELECT pg_notify($1, $2)', [FLUSH, token]);
      await answered;
    } finally {
      clearTimeout(timer);
      this.waiting.delete(token);
    }
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    if (this.client) {
      this.client.removeAllListeners();
      // Released with an error, the pool closes the session rather than hand it out still listening.
      this.release?.(new Error('prediction log listener closed'));
      this.client = null;
    }
  }
}
