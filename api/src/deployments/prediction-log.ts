import type { DataSource } from 'typeorm';
import type { LoggedRequest } from '@kiln/activities';
import type { ArtifactStore } from '@kiln/activities/store';
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

/** The JSON Lines of some logged requests (`LoggedRequest`, one line per request; the body spliced in unparsed). */
export function logLines(requests: readonly RequestLog[]): string {
  let text = '';
  for (const r of requests) {
    // The raw body goes in as it came, unless it spans lines (JSON whitespace may; strings may not).
    const oneLine = r.raw && !r.raw.includes(10) && !r.raw.includes(13);
    const request = oneLine ? r.raw!.toString('utf8') : JSON.stringify({ instances: r.instances });
    text +=
      `{"at":"${new Date(r.at).toISOString()}","version":${r.version},"role":"${r.role}","ids":${JSON.stringify(r.ids)},` +
      `"predictions":${JSON.stringify(r.predictions)},"probabilities":${JSON.stringify(r.probabilities)},"latencyMs":${r.latencyMs},"request":${request}}\n`;
  }
  return text;
}

interface Pending {
  requests: RequestLog[];
  rowCount: number;
  requestCount: number;
  errors: number;
  firstAt: Date | null;
  lastAt: Date | null;
}

const empty = (): Pending => ({ requests: [], rowCount: 0, requestCount: 0, errors: 0, firstAt: null, lastAt: null });

/**
 * Buffers sampled predictions per deployment and writes them to the artifact store as JSON Lines
 * chunks, indexed in `prediction_logs` (every `flushMs`, or sooner past `maxRows`). Requests and
 * errors are counted for every request, sampled or not, so error rates stay exact.
 */
export class PredictionLogger {
  private readonly pending = new Map<string, Pending>();
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: DataSource,
    private readonly store: ArtifactStore,
    private readonly options: { flushMs: number; maxRows: number } = { flushMs: 2_000, maxRows: 10_000 },
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
      p.requests.push(request);
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

  /** Writes every non-empty buffer (one writer at a time). */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.flushNow()).catch((error) => console.error('prediction log flush failed:', error));
    return this.flushing;
  }

  private async flushNow() {
    for (const [deployment, p] of [...this.pending]) {
      if (p.requestCount === 0) continue;
      this.pending.set(deployment, empty());
      const text = logLines(p.requests);
      const artifact = await this.store.put(new TextEncoder().encode(text), { mediaType: PREDICTION_LOG_MEDIA_TYPE, meta: { deployment } });
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
  }

  async close() {
    clearInterval(this.timer);
    await this.flush();
  }
}
