import { StringDecoder } from 'node:string_decoder';
import type { LogAttempt, LogEnd, LogLine, LogStream } from '@kiln/engine';
import type { ArtifactStore } from '../artifact-store';
import { END_OBJECT, LOG_MEDIA_TYPE, attemptLogKey, segmentName } from './log-location';

/** How much of an attempt's log is kept, and how often it is written out. */
export interface LogLimits {
  /** The first lines of an attempt, kept whatever follows (bytes of text). */
  headBytes: number;
  /** The last lines (bytes of text): older lines past the head are dropped, and counted. */
  tailBytes: number;
  /** Longer lines are cut (characters) and end with `…`. */
  lineChars: number;
  /** How often new lines are written to the store as a segment while the attempt runs. */
  flushMs: number;
}

/** 1 MiB of text per attempt: the first 256 KiB and the last 768 KiB, flushed every second. */
export const DEFAULT_LOG_LIMITS: LogLimits = { headBytes: 256 * 1024, tailBytes: 768 * 1024, lineChars: 8192, flushMs: 1000 };

/** What a line costs besides its text (its number, time and stream, as JSON). */
const LINE_OVERHEAD = 64;

/** A node's own log: lines a user sees beside its processes' output (`ctx.log`). */
export interface NodeLogger {
  info(message: string): void;
  warn(message: string): void;
  /** Raw output of a process the node runs (split into lines per stream). */
  output(stream: 'stdout' | 'stderr', chunk: Uint8Array): void;
}

interface Segment {
  name: string;
  bytes: number;
  /** Holds head lines: never removed while the attempt runs. */
  keep: boolean;
}

/**
 * Captures one node attempt's log: process output (split into lines per stream) and the node's
 * logger, numbered and timestamped. Memory is bounded by `headBytes + tailBytes` (plus the lines
 * waiting for the next flush, bounded the same way): past the head, the oldest lines are dropped
 * and counted. Every `flushMs` the new lines go to the store as a segment under the attempt's key,
 * so a reader in another process can follow the attempt live; segments past the head are pruned to
 * the tail's size. At the end, `finish` writes the kept lines as one content-addressed artifact and
 * an `end.json` naming it, then removes the segments. Storage failures never fail the node: the live
 * view misses what could not be written and the error is logged once.
 */
export class AttemptLog {
  readonly key: string;
  readonly logger: NodeLogger;
  private n = 0;
  private readonly head: LogLine[] = [];
  private headBytes = 0;
  private headFull = false;
  private headLast = 0;
  private tail: LogLine[] = [];
  private tailFirst = 0;
  private tailBytes = 0;
  private pending: LogLine[] = [];
  /** How many of the pending lines are head lines (they come first). */
  private pendingHead = 0;
  private droppedLines = 0;
  private droppedBytes = 0;
  private readonly partial = { stdout: '', stderr: '' };
  private readonly decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
  private readonly segments: Segment[] = [];
  private chain: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;
  private warned = false;
  private finished = false;

  constructor(
    private readonly store: ArtifactStore,
    private readonly where: { runId: string; nodeId: string } & LogAttempt,
    private readonly limits: LogLimits = DEFAULT_LOG_LIMITS,
  ) {
    this.key = attemptLogKey(where.runId, where.nodeId, where);
    this.logger = {
      info: (message) => this.text('info', message),
      warn: (message) => this.text('warn', message),
      output: (stream, chunk) => this.output(stream, chunk),
    };
  }

  /**
   * Starts flushing. Nothing is written before the first line, so readers list an attempt from its
   * first flush on, and an attempt that writes no line has no log at all (most light nodes: writing
   * an empty log's `end.json` made a node-to-node step about a fifth slower, bench/orchestration).
   */
  start(): void {
    this.timer = setInterval(() => this.flush(), this.limits.flushMs);
    this.timer.unref();
  }

  /** Raw output of a process: split into lines, a partial line kept until its line feed arrives. */
  output(stream: 'stdout' | 'stderr', chunk: Uint8Array): void {
    if (this.finished) return;
    const text = this.partial[stream] + this.decoders[stream].write(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    const lines = text.split('\n');
    let rest = lines.pop()!;
    for (const line of lines) this.add(stream, line);
    while (rest.length > this.limits.lineChars) {
      this.add(stream, rest.slice(0, this.limits.lineChars));
      rest = rest.slice(this.limits.lineChars);
    }
    this.partial[stream] = rest;
  }

  /** Lines of text (a message may hold several). */
  text(stream: LogStream, message: string): void {
    if (this.finished) return;
    for (const line of message.split('\n')) this.add(stream, line);
  }

  private add(stream: LogStream, text: string): void {
    let m = text.endsWith('\r') ? text.slice(0, -1) : text;
    if (m.length > this.limits.lineChars) m = `${m.slice(0, this.limits.lineChars)}…`;
    const line: LogLine = { n: ++this.n, t: new Date().toISOString(), s: stream, m };
    const size = Buffer.byteLength(m) + LINE_OVERHEAD;
    this.pending.push(line);
    if (!this.headFull && this.headBytes + size <= this.limits.headBytes) {
      this.head.push(line);
      this.headBytes += size;
      this.headLast = line.n;
      this.pendingHead++;
      return;
    }
    this.headFull = true;
    this.tail.push(line);
    this.tailBytes += size;
    while (this.tailBytes > this.limits.tailBytes && this.tailFirst < this.tail.length - 1) {
      const old = this.tail[this.tailFirst++]!;
      const oldSize = Buffer.byteLength(old.m) + LINE_OVERHEAD;
      this.tailBytes -= oldSize;
      this.droppedLines++;
      this.droppedBytes += Buffer.byteLength(old.m);
    }
    if (this.tailFirst > 1024 && this.tailFirst * 2 > this.tail.length) {
      this.tail = this.tail.slice(this.tailFirst);
      this.tailFirst = 0;
    }
    // Lines not yet flushed that the tail has already dropped are not written live either.
    // (Pending head lines come first; the dropped ones follow them.)
    const oldestKept = this.tail[this.tailFirst]!.n;
    let cut = this.pendingHead;
    while (cut < this.pending.length && this.pending[cut]!.n < oldestKept) {
      cut++;
    }
    if (cut > this.pendingHead) this.pending.splice(this.pendingHead, cut - this.pendingHead);
  }

  /** Writes the lines since the last flush as a segment (in order with earlier writes). */
  flush(): Promise<void> {
    if (this.pending.length > 0) {
      const batch = this.pending;
      this.pending = [];
      this.pendingHead = 0;
      this.enqueue(() => this.writeSegment(batch));
    }
    return this.chain;
  }

  private async writeSegment(batch: LogLine[]): Promise<void> {
    const bytes = jsonLines(batch);
    const name = segmentName(batch[0]!.n);
    await this.store.objects.put(`${this.key}/${name}`, bytes);
    this.segments.push({ name, bytes: bytes.byteLength, keep: batch[0]!.n <= this.headLast });
    // Past the head, keep about a tail's worth of segments (the newest always).
    const prunable = this.segments.filter((s) => !s.keep);
    let size = prunable.reduce((sum, s) => sum + s.bytes, 0);
    const remove: string[] = [];
    while (prunable.length > 1 && size > this.limits.tailBytes) {
      const old = prunable.shift()!;
      size -= old.bytes;
      remove.push(old.name);
      this.segments.splice(this.segments.indexOf(old), 1);
    }
    if (remove.length > 0) await this.store.objects.remove(remove.map((r) => `${this.key}/${r}`));
  }

  /**
   * Ends the attempt's log: the kept lines as an artifact, `end.json` naming it, segments removed.
   * Returns what `end.json` holds, or undefined when the attempt wrote no line (it has no log) or the
   * store could not take it.
   */
  async finish(outcome: LogEnd['outcome']): Promise<LogEnd | undefined> {
    if (this.finished) return undefined;
    for (const stream of ['stdout', 'stderr'] as const) {
      const rest = this.partial[stream] + this.decoders[stream].end();
      if (rest) this.add(stream, rest);
    }
    this.finished = true;
    if (this.timer) clearInterval(this.timer);
    if (this.n === 0) return undefined;
    await this.flush();
    const lines = [...this.head, ...this.tail.slice(this.tailFirst)];
    try {
      const ref = await this.store.put(jsonLines(lines), { mediaType: LOG_MEDIA_TYPE, meta: { ...this.where } });
      const end: LogEnd = {
        digest: ref.digest,
        size: ref.size,
        lines: this.n,
        droppedLines: this.droppedLines,
        droppedBytes: this.droppedBytes,
        endedAt: new Date().toISOString(),
        outcome,
      };
      await this.store.objects.put(`${this.key}/${END_OBJECT}`, json(end));
      await this.store.objects.remove(this.segments.map((s) => `${this.key}/${s.name}`));
      return end;
    } catch (err) {
      this.warn(err);
      return undefined;
    }
  }

  /** The last lines of one stream among those kept (for failure messages). */
  lastLines(stream: LogStream, count: number): string[] {
    const kept = [...this.head, ...this.tail.slice(this.tailFirst)];
    return kept.filter((l) => l.s === stream).slice(-count).map((l) => l.m);
  }

  private enqueue(write: () => Promise<void>): void {
    this.chain = this.chain.then(write).catch((err: unknown) => this.warn(err));
  }

  private warn(err: unknown): void {
    if (this.warned) return;
    this.warned = true;
    console.warn(`kiln: the log of ${this.key} could not be written to the store: ${(err as Error).message}`);
  }
}

function json(value: unknown): Uint8Array {
  return Buffer.from(JSON.stringify(value));
}

function jsonLines(lines: readonly LogLine[]): Uint8Array {
  return Buffer.from(lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
}
