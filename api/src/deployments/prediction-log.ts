import type { DataSource } from 'typeorm';
import type { LoggedRequest } from '@kiln/nodes/monitor/prediction-logs';
import type { ArtifactStore } from '@kiln/artifacts';
import { type JsonDoc, PredictionLog } from '@kiln/db';

export const PREDICTION_LOG_MEDIA_TYPE = 'application/x-ndjson; kiln=prediction-log';

/** One served request as logged: kept as is until its chunk is written. */
export interface RequestLog {
  at: number;
  version: number;
  role: LoggedRequest['role'];
  ids: string[];
  instances: Record<string, unknown>[];
  /** The request body as received (JSON of `{instances}`), when there is one. */
  raw?: Buffer | undefined;
  predictions: (string | number)[];
  probabilities: number[][] | null;
  latencyMs: number;
}

/**
 * The ISO time of a millisecond: the text up to the second is made once a second (a `Date` and its
 * `toISOString` cost more than the rest of a log line), the milliseconds appended.
 */
let secondAt = NaN;
let secondIso = '';

function isoTime(at: number): string {
  if (!Number.isInteger(at) || at < 0) return new Date(at).toISOString();
  const ms = at % 1000;
  const second = at - ms;
  if (second !== secondAt) {
    secondAt = second;
    secondIso = new Date(second).toISOString().slice(0, 20);
  }
  return `${secondIso}${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}

/** JSON of a list of numbers (probabilities): joined when all are finite, as they are but for a broken model. */
function numbers(values: readonly number[]): string {
  return values.every(Number.isFinite) ? `[${values.join(',')}]` : JSON.stringify(values);
}

/**
 * One logged request as a JSON line (`LoggedRequest`), in two parts: the body goes between them.
 * Prediction ids are UUIDs (nothing to escape) and probabilities numbers, so both are joined.
 */
function lineParts(r: RequestLog): [head: string, tail: string] {
  const probabilities = r.probabilities === null ? 'null' : `[${r.probabilities.map(numbers).join(',')}]`;
  return [
    `{"at":"${isoTime(r.at)}","version":${r.version},"role":"${r.role}","ids":${r.ids.length === 0 ? '[]' : `["${r.ids.join('","')}"]`},` +
      `"predictions":${JSON.stringify(r.predictions)},"probabilities":${probabilities},"latencyMs":${r.latencyMs},"request":`,
    '}\n',
  ];
}

/** Whether a raw body can go into a line as it came: JSON whitespace may span lines (strings may not). */
function isOneLine(raw: Buffer | undefined): raw is Buffer {
  return raw !== undefined && !raw.includes(10) && !raw.includes(13);
}

const CHUNK_BYTES = 256 * 1024;

/**
 * Log lines as UTF-8 bytes in large chunks: a request is serialised when it is recorded, so nothing
 * of it stays on the JS heap until the flush (2 s of requests kept as objects cost more in garbage
 * collection than the serialisation), and the raw body is copied as bytes, never decoded.
 */
export class LineBuffer {
  private chunks: Buffer[] = [];
  private current = Buffer.allocUnsafeSlow(CHUNK_BYTES);
  private used = 0;

  add(r: RequestLog): void {
    const [head, tail] = lineParts(r);
    if (isOneLine(r.raw)) {
      this.text(head);
      this.bytes(r.raw);
      this.text(tail);
    } else {
      this.text(head + JSON.stringify({ instances: r.instances }) + tail);
    }
  }

  /** Every line so far, as one buffer. */
  toBuffer(): Buffer {
    return Buffer.concat([...this.chunks, this.current.subarray(0, this.used)]);
  }

  private room(bytes: number): void {
    if (this.used + bytes <= this.current.length) return;
    if (this.used > 0) this.chunks.push(this.current.subarray(0, this.used));
    this.current = Buffer.allocUnsafeSlow(Math.max(CHUNK_BYTES, bytes));
    this.used = 0;
  }

  private text(s: string): void {
    // A UTF-16 unit is at most 3 UTF-8 bytes.
    this.room(s.length * 3);
    this.used += this.current.write(s, this.used);
  }

  private bytes(b: Buffer): void {
    this.room(b.length);
    this.used += b.copy(this.current, this.used);
  }
}

interface Pending {
  lines: LineBuffer;
  rowCount: number;
  requestCount: number;
  errors: number;
  firstAt: Date | null;
  lastAt: Date | null;
}

const empty = (): Pending => ({ lines: new LineBuffer(), rowCount: 0, requestCount: 0, errors: 0, firstAt: null, lastAt: null });

/** A buffer taken for writing, as bytes (kept as they are while a write of it is retried). */
interface Chunk {
  deployment: string;
  bytes: Buffer;
  pending: Pending;
}

/**
 * How many bytes of chunks that could not be written (the database or the store is down) are kept to
 * write again. Past it, the oldest are dropped, with their counts, and the drop is logged.
 */
export const RETRY_BYTES = 64 * 1024 * 1024;

/**
 * Buffers sampled predictions per deployment and writes them to the artifact store as JSON Lines
 * chunks, indexed in `prediction_logs` (every `flushMs`, or sooner past `maxRows`). Requests and
 * errors are counted for every request, sampled or not, so error rates stay exact. A chunk whose
 * write fails (database or store unreachable) is kept and written again at the next flush, in order,
 * so an outage loses nothing up to `retryBytes` of log; past that the oldest chunks are dropped
 * (logged with how many requests they held).
 */
export class PredictionLogger {
  private readonly pending = new Map<string, Pending>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  /** Chunks taken but not written yet, oldest first. */
  private queue: Chunk[] = [];
  private queuedBytes = 0;
  /** The last write failed (so its failure was logged once, and its recovery will be). */
  private failing = false;
  /** Requests dropped past the retry bound since the process started. */
  droppedRequests = 0;

  constructor(
    private readonly db: DataSource,
    private readonly store: ArtifactStore,
    private readonly options: { flushMs: number; maxRows: number; retryBytes?: number } = { flushMs: 2_000, maxRows: 10_000 },
  ) {
    this.timer = setInterval(() => void this.flush(), options.flushMs);
    this.timer.unref();
  }

  private bucket(deployment: string): Pending {
    let p = this.pending.get(deployment);
    if (!p) this.pending.set(deployment, (p = empty()));
    return p;
  }

  private touch(p: Pending) {
    const now = new Date();
    p.firstAt ??= now;
    p.lastAt = now;
  }

  /** Counts a request and keeps its rows (when sampled). */
  record(deployment: string, request: RequestLog | null) {
    const p = this.bucket(deployment);
    p.requestCount++;
    this.touch(p);
    if (request) {
      p.lines.add(request);
      p.rowCount += request.ids.length;
      if (p.rowCount >= this.options.maxRows) void this.flush();
    }
  }

  recordError(deployment: string) {
    const p = this.bucket(deployment);
    p.requestCount++;
    p.errors++;
    this.touch(p);
  }

  /**
   * Writes every non-empty buffer (one writer at a time), after the chunks an earlier flush could not
   * write. The buffers are taken at once, so the requests recorded while earlier writes finish fill
   * new ones: a busy deployment past `maxRows` asks for one write, not one per request.
   */
  flush(): Promise<void> {
    for (const [deployment, p] of this.pending) {
      if (p.requestCount === 0) continue;
      this.enqueue({ deployment, bytes: p.lines.toBuffer(), pending: p });
      this.pending.set(deployment, empty());
    }
    this.flushing = this.flushing.then(() => this.writeQueued());
    return this.flushing;
  }

  private enqueue(chunk: Chunk) {
    this.queue.push(chunk);
    this.queuedBytes += chunk.bytes.length;
    const bound = this.options.retryBytes ?? RETRY_BYTES;
    let dropped = 0;
    while (this.queuedBytes > bound && this.queue.length > 1) {
      const oldest = this.queue.shift()!;
      this.queuedBytes -= oldest.bytes.length;
      dropped += oldest.pending.requestCount;
    }
    if (dropped > 0) {
      this.droppedRequests += dropped;
      console.error(`prediction log: ${dropped} requests' log dropped (more than ${bound} bytes waiting to be written)`);
    }
  }

  /** Writes queued chunks in order; stops at the first failure and keeps it and the rest for the next flush. */
  private async writeQueued() {
    while (this.queue.length > 0) {
      const chunk = this.queue[0]!;
      try {
        await this.write(chunk);
      } catch (error) {
        if (!this.failing) console.error(`prediction log: cannot write (${(error as Error).message}); keeping it to write again`);
        this.failing = true;
        return;
      }
      if (this.queue[0] === chunk) {
        this.queue.shift();
        this.queuedBytes -= chunk.bytes.length;
      }
      if (this.failing) console.error('prediction log: writing again');
      this.failing = false;
    }
  }

  private async write({ deployment, bytes, pending: p }: Chunk) {
    // Content-addressed: a chunk stored before its row failed is stored again under the same digest.
    const artifact = await this.store.put(bytes, { mediaType: PREDICTION_LOG_MEDIA_TYPE, meta: { deployment } });
    await this.db.getRepository(PredictionLog).insert({
      deployment,
      artifact: artifact as unknown as JsonDoc,
      rows: p.rowCount,
      requests: p.requestCount,
      errors: p.errors,
      firstAt: p.firstAt!,
      lastAt: p.lastAt!,
    });
  }

  async close() {
    clearInterval(this.timer);
    await this.flush();
  }
}
