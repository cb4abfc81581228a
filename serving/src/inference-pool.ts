// Model inference off the event loop: onnxruntime sessions in worker threads (inference-thread.mjs),
// one per loaded model in every thread, with micro-batching of concurrent requests for a model.
//
// A request goes straight to a free thread. While every thread is busy, requests queue per model; the
// next thread to come free takes the model whose oldest request waited longest, with as many of its
// queued requests as fit in `maxBatchRows`, as one session.run, and the outputs are split back per
// request. No timer: a lone request pays no batching delay, and batches grow only under load.
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { mergeColumns, splitOutputs, transferables } from './batching';
import { InferenceError, ModelLoadError, ModelNotLoadedError } from './errors';
import { instancesToColumns, type Columns } from './instances';
import { outputsFor, signatureProblems } from './model-check';
import { formatValuePath, modelSignatureSchema } from '@kiln/engine';
import type { ModelSignature, PredictResult } from './signature';
import type { FromThread, ToThread } from './thread-protocol';
import { type InferenceHost, createInferenceHost } from './inference-host.mjs';

export interface InferencePoolOptions {
  /** Worker threads; default one per core but one, at least 1. */
  threads?: number;
  /** Rows one session.run may take when queued requests are batched (default 512). */
  maxBatchRows?: number;
  /**
   * A request of at most this many rows that arrives while nothing is running is run on the calling
   * thread instead (default 8; 0: never). A lone small request then skips the hop to a thread and
   * back; it blocks the event loop only for that one run, and only when nothing else is waiting.
   */
  inlineMaxRows?: number;
}

export interface InferencePoolStats {
  threads: number;
  /** Requests waiting for a thread. */
  queuedRequests: number;
  /** session.run calls so far. */
  batches: number;
  /** Rows predicted so far. */
  rows: number;
}

type Reply = Exclude<FromThread, { op: 'ready' } | { op: 'failed' }>;

interface Call {
  resolve(reply: Reply): void;
  reject(error: Error): void;
}

interface Thread {
  worker: Worker;
  /** Started and holding every model: may take batches. */
  available: boolean;
  /** The batch being run, if any. */
  busy: Promise<void> | null;
  dead: boolean;
  calls: Map<number, Call>;
  nextId: number;
  started: Promise<void>;
  /** Why it stopped (its uncaught error), for the failure of its in-flight work. */
  lastError?: string;
}

interface Request {
  seq: number;
  cols: Columns;
  resolve(result: PredictResult): void;
  reject(error: Error): void;
}

interface Model {
  key: string;
  onnx: Uint8Array;
  sig: ModelSignature;
  outputs: string[];
  state: 'loading' | 'ready' | 'unloading';
  ready: Promise<void>;
  unloaded?: Promise<void>;
  /** Requests queued or running. */
  pending: number;
  drained: (() => void)[];
}

const THREAD_URL = new URL('./inference-thread.mjs', import.meta.url);

export class InferencePool {
  private readonly threads: Thread[] = [];
  private readonly models = new Map<string, Model>();
  private readonly queues = new Map<string, Request[]>();
  private readonly running = new Set<Promise<void>>();
  /** Every message awaiting a thread's answer (loads, unloads and runs). */
  private readonly inFlight = new Set<Promise<Reply>>();
  private seq = 0;
  private batches = 0;
  private rows = 0;
  private closed = false;

  /** Threads in a row that died before they were ready; replacing stops after a few. */
  private failedStarts = 0;

  /** Sessions on the calling thread, for lone small requests (null: inline running is off). */
  private inline: InferenceHost | null = null;
  private inlineBusy = false;
  /** The float inputs of inline runs (one at a time), reused: see mergeColumns. */
  private inlineScratch: Float32Array = new Float32Array(0);

  private constructor(
    private readonly maxBatchRows: number,
    private readonly inlineMaxRows: number,
  ) {}

  /** Starts the threads (each loads onnxruntime-node) and resolves when all are ready. */
  static async start(opts: InferencePoolOptions = {}): Promise<InferencePool> {
    const threads = opts.threads ?? Math.max(1, availableParallelism() - 1);
    const maxBatchRows = opts.maxBatchRows ?? 512;
    const inlineMaxRows = opts.inlineMaxRows ?? 8;
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError(`threads must be a positive integer, got ${threads}`);
    if (!Number.isInteger(maxBatchRows) || maxBatchRows < 1)
      throw new RangeError(`maxBatchRows must be a positive integer, got ${maxBatchRows}`);
    if (!Number.isInteger(inlineMaxRows) || inlineMaxRows < 0)
      throw new RangeError(`inlineMaxRows must be a non-negative integer, got ${inlineMaxRows}`);
    const pool = new InferencePool(maxBatchRows, inlineMaxRows);
    try {
      // One after the other: several threads loading the onnxruntime-node addon at the same moment
      // have crashed the process in some versions (onnxruntime issues 20084, 24486).
      for (let i = 0; i < threads; i++) await pool.spawn().started;
      if (inlineMaxRows > 0) pool.inline = await createInferenceHost();
    } catch (error) {
      await pool.close();
      throw error;
    }
    for (const t of pool.threads) t.available = true;
    return pool;
  }

  /**
   * Opens a session for the model in every thread. `key` names the model (its artifact digest):
   * loading a key that is loaded or loading does nothing more. Rejects with ModelLoadError when the
   * bytes are not an ONNX model or its inputs/outputs do not match the signature.
   */
  async load(key: string, onnx: Uint8Array, sig: ModelSignature): Promise<void> {
    this.checkOpen();
    let existing = this.models.get(key);
    while (existing?.state === 'unloading') {
      await existing.unloaded;
      existing = this.models.get(key);
    }
    if (existing) return existing.ready;
    const problems = signatureShapeProblems(sig);
    if (problems.length > 0) throw new ModelLoadError(`invalid model signature: ${problems.join('; ')}`);
    const model: Model = {
      key,
      // A copy of its own: the caller's buffer may be a view of a larger one, or be reused.
      onnx: onnx.slice(),
      sig,
      outputs: [],
      state: 'loading',
      ready: Promise.resolve(),
      pending: 0,
      drained: [],
    };
    this.models.set(key, model);
    model.ready = this.loadEverywhere(model);
    return model.ready;
  }

  private async loadEverywhere(model: Model): Promise<void> {
    if (this.threads.length === 0) {
      this.models.delete(model.key);
      throw new InferenceError('no inference thread is running');
    }
    const replies = await Promise.allSettled(
      this.threads.map((t) => this.call(t, { op: 'load', id: 0, key: model.key, onnx: model.onnx })),
    );
    const fail = async (error: Error): Promise<never> => {
      this.models.delete(model.key);
      await Promise.allSettled(
        this.threads.map((t) => this.call(t, { op: 'unload', id: 0, key: model.key })),
      );
      throw error;
    };
    const rejected = replies.find((r) => r.status === 'rejected');
    if (rejected) {
      const error = rejected.reason as Error;
      await fail(
        error instanceof InferenceError
          ? error
          : new ModelLoadError(`not a valid ONNX model: ${error.message}`, { notOnnx: true }),
      );
    }
    const first = (replies[0] as PromiseFulfilledResult<Reply>).value as Extract<Reply, { op: 'loaded' }>;
    const problems = signatureProblems(model.sig, first.inputs, first.outputs);
    if (problems.length > 0)
      await fail(new ModelLoadError(`the ONNX model does not match its signature: ${problems.join('; ')}`));
    model.outputs = outputsFor(model.sig, first.outputs);
    // The calling thread's session is optional: without it, every request goes to the threads.
    if (this.inline) await this.inline.handle({ op: 'load', id: 0, key: model.key, onnx: model.onnx }).catch(() => undefined);
    model.state = 'ready';
  }

  /** Whether the key is loaded and accepting predictions. */
  has(key: string): boolean {
    return this.models.get(key)?.state === 'ready';
  }

  /** Stops accepting predictions for the key, waits for its queued and running ones, then releases its sessions. */
  async unload(key: string): Promise<void> {
    const model = this.models.get(key);
    if (!model) return;
    if (model.state === 'unloading') return model.unloaded;
    if (model.state === 'loading') {
      try {
        await model.ready;
      } catch {
        return; // the load failed: nothing is held
      }
      return this.unload(key);
    }
    model.state = 'unloading';
    model.unloaded = (async () => {
      if (model.pending > 0) await new Promise<void>((resolve) => model.drained.push(resolve));
      await Promise.allSettled(this.threads.map((t) => this.call(t, { op: 'unload', id: 0, key })));
      await this.inline?.handle({ op: 'unload', id: 0, key }).catch(() => undefined);
      this.models.delete(key);
    })();
    return model.unloaded;
  }

  /**
   * Predicts for JSON instances (`[{column: value}, …]`). Throws InstanceError for bad instances,
   * ModelNotLoadedError for an unknown key, InferenceError when the model could not run.
   */
  async predict(key: string, instances: unknown): Promise<PredictResult> {
    this.checkOpen();
    const model = this.models.get(key);
    if (!model || model.state === 'unloading') throw new ModelNotLoadedError(key);
    const cols = instancesToColumns(model.sig, instances);
    if (model.state === 'loading') {
      await model.ready;
      if (this.models.get(key) !== model || (model.state as Model['state']) !== 'ready')
        throw new ModelNotLoadedError(key);
    }
    this.checkOpen();
    if (this.inline && !this.inlineBusy && this.running.size === 0 && this.queues.size === 0 && cols.rowCount <= this.inlineMaxRows) {
      return this.runInline(model, cols);
    }
    if (this.threads.length === 0) throw new InferenceError('no inference thread is running');
    return new Promise<PredictResult>((resolve, reject) => {
      model.pending++;
      let queue = this.queues.get(key);
      if (!queue) this.queues.set(key, (queue = []));
      queue.push({ seq: this.seq++, cols, resolve, reject });
      this.dispatch();
    });
  }

  stats(): InferencePoolStats {
    let queuedRequests = 0;
    for (const q of this.queues.values()) queuedRequests += q.length;
    return { threads: this.threads.length, queuedRequests, batches: this.batches, rows: this.rows };
  }

  /** Fails queued requests, lets running batches finish, and stops the threads. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [key, queue] of this.queues) {
      for (const r of queue.splice(0)) {
        r.reject(new InferenceError('the inference pool is closed'));
        this.settled(key);
      }
    }
    // A thread must not be stopped inside native onnxruntime code (a session being created or run):
    // onnxruntime-node then throws a C++ exception out of the dying environment and aborts the process.
    await Promise.allSettled([...this.running, ...this.inFlight]);
    await Promise.allSettled(this.threads.map((t) => t.worker.terminate()));
    this.threads.length = 0;
  }

  private checkOpen(): void {
    if (this.closed) throw new InferenceError('the inference pool is closed');
  }

  /** Gives free threads the queued requests: per thread, one model's oldest requests up to maxBatchRows. */
  private dispatch(): void {
    for (const thread of this.threads) {
      if (!thread.available || thread.busy || thread.dead) continue;
      let key: string | undefined;
      let oldest = Infinity;
      for (const [k, q] of this.queues) {
        if (q.length > 0 && q[0]!.seq < oldest) {
          oldest = q[0]!.seq;
          key = k;
        }
      }
      if (key === undefined) return;
      const queue = this.queues.get(key)!;
      const batch: Request[] = [queue.shift()!];
      let rows = batch[0]!.cols.rowCount;
      while (queue.length > 0 && rows + queue[0]!.cols.rowCount <= this.maxBatchRows) {
        const r = queue.shift()!;
        rows += r.cols.rowCount;
        batch.push(r);
      }
      if (queue.length === 0) this.queues.delete(key);
      const run = this.runBatch(thread, this.models.get(key)!, batch, rows);
      thread.busy = run;
      this.running.add(run);
      void run.finally(() => {
        this.running.delete(run);
        thread.busy = null;
        this.dispatch();
      });
    }
  }

  private async runBatch(thread: Thread, model: Model, batch: Request[], rows: number): Promise<void> {
    this.batches++;
    this.rows += rows;
    try {
      const { feeds } = mergeColumns(
        model.sig,
        batch.map((r) => r.cols),
      );
      const reply = (await this.call(
        thread,
        { op: 'run', id: 0, key: model.key, rows, feeds, outputs: model.outputs },
        transferables(feeds),
      )) as Extract<Reply, { op: 'ran' }>;
      const results = splitOutputs(
        model.sig,
        reply.outputs,
        model.outputs,
        batch.map((r) => r.cols.rowCount),
      );
      batch.forEach((r, i) => r.resolve(results[i]!));
    } catch (error) {
      const e =
        error instanceof InferenceError
          ? error
          : new InferenceError(`inference failed: ${(error as Error).message}`);
      for (const r of batch) r.reject(e);
    } finally {
      for (let i = 0; i < batch.length; i++) this.settled(model.key);
    }
  }

  /** Runs one small request on the calling thread (the pool was idle). */
  private async runInline(model: Model, cols: Columns): Promise<PredictResult> {
    this.inlineBusy = true;
    model.pending++;
    this.batches++;
    this.rows += cols.rowCount;
    try {
      const { feeds, buffer } = mergeColumns(model.sig, [cols], this.inlineScratch);
      this.inlineScratch = buffer;
      const { reply } = await this.inline!.handle({ op: 'run', id: 0, key: model.key, rows: cols.rowCount, feeds, outputs: model.outputs }, false);
      if (reply.op !== 'ran') throw new Error(`unexpected reply ${reply.op}`);
      return splitOutputs(model.sig, reply.outputs, model.outputs, [cols.rowCount])[0]!;
    } catch (error) {
      throw new InferenceError(`inference failed: ${this.inline!.firstLine(error)}`);
    } finally {
      this.inlineBusy = false;
      this.settled(model.key);
    }
  }

  /** One request of the model finished (either way). */
  private settled(key: string): void {
    const model = this.models.get(key);
    if (!model) return;
    model.pending--;
    if (model.pending === 0) for (const resolve of model.drained.splice(0)) resolve();
  }

  private call(thread: Thread, msg: ToThread, transfer: ArrayBuffer[] = []): Promise<Reply> {
    if (thread.dead)
      return Promise.reject(
        new InferenceError(`the inference thread stopped${thread.lastError ? `: ${thread.lastError}` : ''}`),
      );
    const id = thread.nextId++;
    const reply = new Promise<Reply>((resolve, reject) => {
      thread.calls.set(id, { resolve, reject });
      thread.worker.postMessage({ ...msg, id }, transfer);
    });
    this.inFlight.add(reply);
    const forget = () => this.inFlight.delete(reply);
    reply.then(forget, forget);
    return reply;
  }

  private spawn(): Thread {
    // No execArgv: the thread is plain JavaScript and needs none of the parent's loaders.
    const worker = new Worker(THREAD_URL, { execArgv: [], name: 'kiln-inference' });
    let started!: () => void;
    let failedToStart!: (e: Error) => void;
    const thread: Thread = {
      worker,
      available: false,
      busy: null,
      dead: false,
      calls: new Map(),
      nextId: 1,
      started: new Promise<void>((resolve, reject) => {
        started = resolve;
        failedToStart = reject;
      }),
    };
    thread.started.catch(() => {});
    this.threads.push(thread);
    let ready = false;
    worker.on('message', (msg: FromThread) => {
      if (msg.op === 'ready') {
        ready = true;
        this.failedStarts = 0;
        return started();
      }
      const call = thread.calls.get(msg.id);
      if (!call) return;
      thread.calls.delete(msg.id);
      if (msg.op === 'failed') call.reject(new Error(msg.message));
      else call.resolve(msg);
    });
    worker.on('error', (error) => {
      thread.lastError = error.message;
    });
    worker.on('exit', (code) => {
      thread.dead = true;
      thread.available = false;
      const i = this.threads.indexOf(thread);
      if (i >= 0) this.threads.splice(i, 1);
      const reason = `the inference thread stopped (exit code ${code}${thread.lastError ? `: ${thread.lastError}` : ''})`;
      failedToStart(new InferenceError(reason));
      for (const call of thread.calls.values()) call.reject(new InferenceError(reason));
      thread.calls.clear();
      if (this.closed) return;
      if (!ready && ++this.failedStarts >= 3)
        return this.failQueued(`no inference thread could be started: ${reason}`);
      void this.replace();
    });
    return thread;
  }

  /** A new thread in place of one that died, holding every model before it takes batches. */
  private async replace(): Promise<void> {
    const thread = this.spawn();
    try {
      await thread.started;
      await Promise.allSettled(
        [...this.models.values()].map((m) =>
          this.call(thread, { op: 'load', id: 0, key: m.key, onnx: m.onnx }),
        ),
      );
    } catch {
      return; // it died too: its own exit handler deals with that
    }
    if (this.closed) return;
    thread.available = true;
    this.dispatch();
  }

  private failQueued(message: string): void {
    for (const [key, queue] of this.queues) {
      for (const r of queue.splice(0)) {
        r.reject(new InferenceError(message));
        this.settled(key);
      }
      this.queues.delete(key);
    }
  }
}

/** Problems of the signature itself (before any model is opened). */
function signatureShapeProblems(sig: ModelSignature): string[] {
  const parsed = modelSignatureSchema.safeParse(sig);
  if (!parsed.success) return parsed.error.issues.map((i) => `${formatValuePath(i.path as (string | number)[]) || 'signature'}: ${i.message}`);
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const f of sig.features) {
    if (seen.has(f.name)) problems.push(`feature "${f.name}" appears twice`);
    seen.add(f.name);
  }
  return problems;
}
