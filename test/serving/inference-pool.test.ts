// The pool, and the single session evaluate.model runs (ModelSession), against real ONNX models
// trained by train.gbdt, checked row by row against an onnxruntime-node session opened directly on
// the same bytes.
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InferenceError, ModelLoadError, ModelNotLoadedError } from '@kiln/serving/errors';
import { InferencePool } from '@kiln/serving/inference-pool';
import { ModelSession } from '@kiln/serving/model-session';
import { InstanceError } from '@kiln/serving/instances';
import type { ModelSignature, PredictResult } from '@kiln/serving/signature';
import { csvFile, trainChurnModel, trainGbdtModel, type TrainedModel } from '../support/trained-models';

type Row = TrainedModel['instances'][number];

/** What a session opened directly says about the rows, in the pool's result shape (feeds built here, independently). */
async function direct(model: TrainedModel, rows: Row[]): Promise<PredictResult> {
  const session = await ort.InferenceSession.create(model.onnx, { intraOpNumThreads: 1 });
  try {
    const n = rows.length;
    const feeds: Record<string, ort.Tensor> = {};
    for (const f of model.signature.features) {
      feeds[f.name] =
        f.type === 'float'
          ? new ort.Tensor(
              'float32',
              Float32Array.from(rows, (r) => (r[f.name] === null ? NaN : Number(r[f.name]))),
              [n, 1],
            )
          : new ort.Tensor(
              'string',
              rows.map((r) => (r[f.name] === null ? '' : String(r[f.name]))),
              [n, 1],
            );
    }
    const out = await session.run(feeds);
    if (model.signature.task === 'regression') {
      return { predictions: Array.from(out.variable!.data as Float32Array), probabilities: null };
    }
    const k = model.signature.classes!.length;
    const proba = out.probabilities!.data as Float32Array;
    return {
      predictions: Array.from(out.label!.data as ArrayLike<bigint | string>, (v) =>
        typeof v === 'bigint' ? Number(v) : v,
      ),
      probabilities: rows.map((_, i) => Array.from(proba.subarray(i * k, (i + 1) * k))),
    };
  } finally {
    await session.release();
  }
}

/** Results of several requests joined back into one, to compare with one direct run. */
function join(results: PredictResult[]): PredictResult {
  return {
    predictions: results.flatMap((r) => r.predictions),
    probabilities: results[0]!.probabilities === null ? null : results.flatMap((r) => r.probabilities!),
  };
}

let churn: TrainedModel;
let multi: TrainedModel;
let reg: TrainedModel;

beforeAll(async () => {
  churn = await trainChurnModel();
  multi = await trainGbdtModel(
    csvFile(
      'v,c,band',
      400,
      (i) => `${i % 100},${['x', 'y'][i % 2]},${['low', 'mid', 'high'][Math.floor((i % 100) / 34)]}`,
    ),
    { featurize: { target: 'band' }, train: { numIterations: 30 } },
  );
  reg = await trainGbdtModel(
    csvFile(
      'v,c,y',
      300,
      (i) => `${i % 3 === 0 ? '' : (i % 50) / 10},${['a', 'b'][i % 2]},${((i % 50) / 10) * 2 + (i % 2)}`,
    ),
    { featurize: { target: 'y' }, train: { numIterations: 30 } },
  );
});

describe('InferencePool', () => {
  let pool: InferencePool;
  beforeAll(async () => {
    pool = await InferencePool.start({ threads: 2 });
  });
  afterAll(() => pool.close());

  it('answers 200 concurrent single-row requests exactly as a direct session, in fewer batches than requests', async () => {
    expect(churn.signature).toMatchObject({ task: 'binary', classes: [0, 1] });
    expect(pool.stats().threads).toBe(2);
    await pool.load('churn', churn.onnx, churn.signature);
    expect(pool.has('churn')).toBe(true);
    const rows = Array.from({ length: 200 }, (_, i) => churn.instances[i % churn.instances.length]!);
    const before = pool.stats();
    const results = await Promise.all(rows.map((r) => pool.predict('churn', [r])));
    const after = pool.stats();
    for (const r of results) {
      expect(r.predictions).toHaveLength(1);
      expect(r.probabilities![0]).toHaveLength(2);
    }
    expect(join(results)).toEqual(await direct(churn, rows));
    expect(after.rows - before.rows).toBe(200);
    expect(after.batches - before.batches).toBeGreaterThan(0);
    expect(after.batches - before.batches).toBeLessThan(200);
    expect(after.queuedRequests).toBe(0);
  });

  it('splits batches of multi-row requests back per request, within maxBatchRows', async () => {
    const small = await InferencePool.start({ threads: 1, maxBatchRows: 7 });
    try {
      await small.load('churn', churn.onnx, churn.signature);
      const sizes = Array.from({ length: 60 }, (_, i) => 1 + (i % 5));
      let at = 0;
      const requests = sizes.map((n) => {
        const rows = Array.from({ length: n }, (_, j) => churn.instances[(at + j) % churn.instances.length]!);
        at += n;
        return rows;
      });
      const results = await Promise.all(requests.map((rows) => small.predict('churn', rows)));
      results.forEach((r, i) => expect(r.predictions).toHaveLength(sizes[i]!));
      expect(join(results)).toEqual(await direct(churn, requests.flat()));
      const stats = small.stats();
      expect(stats.rows).toBe(at);
      // Batches hold at most 7 rows, and more than one request whenever two queued ones fit.
      expect(stats.batches).toBeGreaterThanOrEqual(Math.ceil(at / 7));
      expect(stats.batches).toBeLessThan(60);
      // A request larger than maxBatchRows still runs, alone.
      const big = churn.instances.slice(0, 50);
      expect(await small.predict('churn', big)).toEqual(await direct(churn, big));
    } finally {
      await small.close();
    }
  });

  it('serves multiclass models with string classes and regression models, several models at once', async () => {
    expect(multi.signature).toMatchObject({ task: 'multiclass', classes: ['high', 'low', 'mid'] });
    expect(reg.signature).toMatchObject({ task: 'regression', classes: null });
    await Promise.all([
      pool.load('multi', multi.onnx, multi.signature),
      pool.load('reg', reg.onnx, reg.signature),
    ]);
    expect(reg.instances.some((r) => r.v === null)).toBe(true);
    const [m, r] = await Promise.all([
      Promise.all(multi.instances.map((row) => pool.predict('multi', [row]))),
      Promise.all(reg.instances.map((row) => pool.predict('reg', [row]))),
    ]);
    const mj = join(m);
    expect(mj).toEqual(await direct(multi, multi.instances));
    expect(new Set(mj.predictions)).toEqual(new Set(['high', 'low', 'mid']));
    const rj = join(r);
    expect(rj).toEqual(await direct(reg, reg.instances));
    expect(rj.probabilities).toBeNull();
  });

  it('validates instances against the model before queueing them', async () => {
    await pool.load('churn', churn.onnx, churn.signature);
    const row = churn.instances[0]!;
    await expect(pool.predict('churn', { instances: [row] })).rejects.toThrow(InstanceError);
    const { tenure_months: _, ...missing } = row;
    await expect(pool.predict('churn', [row, row, missing])).rejects.toThrow(
      'instances[2]: missing column "tenure_months"',
    );
    await expect(pool.predict('churn', [{ ...row, tenure: 3 }])).rejects.toThrow(
      /^instances\[0\]: unknown column "tenure" \(the model takes: tenure_months, /,
    );
    await expect(pool.predict('churn', [{ ...row, monthly_charges: 'abc' }])).rejects.toThrow(
      'instances[0].monthly_charges: expected a finite number, got "abc" (a string)',
    );
    expect(pool.stats().queuedRequests).toBe(0);
  });

  it('loads idempotently by key, and refuses unknown keys', async () => {
    const before = pool.stats().threads;
    await Promise.all([
      pool.load('again', churn.onnx, churn.signature),
      pool.load('again', churn.onnx, churn.signature),
    ]);
    await pool.load('again', churn.onnx, churn.signature);
    expect(pool.has('again')).toBe(true);
    expect(pool.stats().threads).toBe(before);
    expect(pool.has('nope')).toBe(false);
    await expect(pool.predict('nope', [churn.instances[0]])).rejects.toThrow(ModelNotLoadedError);
    await pool.unload('again');
  });

  it('rejects bytes that are not an ONNX model, and a model whose inputs do not match the signature', async () => {
    const junk = new TextEncoder().encode('this is not a model');
    const e = await pool.load('junk', junk, churn.signature).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ModelLoadError);
    expect((e as Error).message).toMatch(/^not a valid ONNX model: /);
    expect((e as ModelLoadError).notOnnx).toBe(true);
    expect(pool.has('junk')).toBe(false);
    await expect(pool.predict('junk', [churn.instances[0]])).rejects.toThrow(ModelNotLoadedError);

    const renamed: ModelSignature = {
      ...churn.signature,
      features: churn.signature.features.map((f) =>
        f.name === 'contract' ? { ...f, name: 'contract_type' } : f,
      ),
    };
    await expect(pool.load('renamed', churn.onnx, renamed)).rejects.toThrow(
      'the ONNX model does not match its signature: the signature\'s feature "contract_type" is not an input of the model; ' +
        'the model\'s input "contract" is not a feature of the signature',
    );
    const retyped: ModelSignature = {
      ...churn.signature,
      features: churn.signature.features.map((f) =>
        f.name === 'tenure_months' ? { ...f, type: 'string' as const } : f,
      ),
    };
    await expect(pool.load('retyped', churn.onnx, retyped)).rejects.toThrow(
      'input "tenure_months" is float32 in the model but string in the signature',
    );
    await expect(pool.load('three', churn.onnx, { ...churn.signature, classes: [0, 1, 2] })).rejects.toThrow(
      ModelLoadError,
    );
    await expect(
      pool.load('as-regression', multi.onnx, { ...multi.signature, task: 'regression', classes: null }),
    ).rejects.toThrow('output "label" is string, not float32');
    expect(pool.has('renamed') || pool.has('retyped') || pool.has('three')).toBe(false);
    // The pool is unharmed.
    expect((await pool.predict('churn', [churn.instances[0]])).predictions).toHaveLength(1);
  });

  it('unload waits for the key’s queued and running requests, then refuses new ones', async () => {
    await pool.load('u', churn.onnx, churn.signature);
    const rows = churn.instances.slice(0, 100);
    const inFlight = rows.map((r) => pool.predict('u', [r]));
    const unloaded = pool.unload('u');
    expect(pool.has('u')).toBe(false);
    await expect(pool.predict('u', [rows[0]])).rejects.toThrow(ModelNotLoadedError);
    expect(join(await Promise.all(inFlight))).toEqual(await direct(churn, rows));
    await unloaded;
    await pool.unload('u'); // nothing left: a no-op
    await expect(pool.predict('u', [rows[0]])).rejects.toThrow('model u is not loaded for serving');
    // The key can be loaded again.
    await pool.load('u', churn.onnx, churn.signature);
    expect(await pool.predict('u', rows.slice(0, 3))).toEqual(await direct(churn, rows.slice(0, 3)));
    await pool.unload('u');
  });
});

describe('ModelSession (the same session code on the calling thread, for batch scoring)', () => {
  /** The instances as the session's input columns (float32 with NaN, or text with ""). */
  const feedsOf = (model: TrainedModel, rows: Row[]) =>
    Object.fromEntries(
      model.signature.features.map((f) => [
        f.name,
        f.type === 'float'
          ? Float32Array.from(rows, (r) => (r[f.name] === null ? NaN : Number(r[f.name])))
          : rows.map((r) => (r[f.name] === null ? '' : String(r[f.name]))),
      ]),
    );

  it('predicts exactly as a direct session: binary, multiclass with string classes, regression', async () => {
    for (const model of [churn, multi, reg]) {
      const rows = model.instances.slice(0, 150);
      const session = await ModelSession.open(model.onnx, model.signature);
      try {
        const got = await session.predict(rows.length, feedsOf(model, rows));
        const want = await direct(model, rows);
        expect(got.predictions).toEqual(want.predictions);
        const k = model.signature.classes?.length ?? 0;
        expect(got.probabilities && rows.map((_, i) => Array.from(got.probabilities!.subarray(i * k, (i + 1) * k)))).toEqual(want.probabilities);
      } finally {
        await session.close();
      }
    }
  });

  it('rejects bytes that are not an ONNX model, and a model that does not match its signature', async () => {
    const junk = await ModelSession.open(new TextEncoder().encode('this is not a model'), churn.signature).catch((x: unknown) => x);
    expect(junk).toBeInstanceOf(ModelLoadError);
    expect(junk).toMatchObject({ notOnnx: true, message: expect.stringMatching(/^not a valid ONNX model: /) });
    const retyped = await ModelSession.open(churn.onnx, {
      ...churn.signature,
      features: churn.signature.features.map((f) => (f.name === 'tenure_months' ? { ...f, type: 'string' as const } : f)),
    }).catch((x: unknown) => x);
    expect(retyped).toMatchObject({
      notOnnx: false,
      message: 'the ONNX model does not match its signature: input "tenure_months" is float32 in the model but string in the signature',
    });
  });
});

describe('InferencePool lifecycle', () => {
  it('fails a dead thread’s in-flight requests and replaces the thread', async () => {
    const pool = await InferencePool.start({ threads: 1, inlineMaxRows: 0 });
    try {
      await pool.load('churn', churn.onnx, churn.signature);
      // Stop the only thread, then ask: the request is posted to the stopping thread, which never
      // answers it. (Stopping a thread in the middle of session.run would abort the whole process:
      // onnxruntime-node throws a C++ exception out of a dying environment. The pool itself only stops
      // threads in close(), after their batches.)
      const threads = (pool as unknown as { threads: { worker: { terminate(): Promise<number> } }[] })
        .threads;
      const stopped = threads[0]!.worker.terminate();
      const doomed = pool.predict('churn', churn.instances.slice(0, 5));
      expect(await stopped).toBe(1);
      const e = await doomed.catch((x: unknown) => x);
      expect(e).toBeInstanceOf(InferenceError);
      expect((e as Error).message).toMatch(/^the inference thread stopped \(exit code 1/);
      // A new thread took its place, with the model loaded.
      const rows = churn.instances.slice(0, 20);
      expect(join(await Promise.all(rows.map((r) => pool.predict('churn', [r]))))).toEqual(
        await direct(churn, rows),
      );
      expect(pool.stats().threads).toBe(1);
    } finally {
      await pool.close();
    }
  });

  it('runs a lone small request on the calling thread, with the same answers, and sends the rest to threads', async () => {
    const pool = await InferencePool.start({ threads: 1, inlineMaxRows: 4 });
    try {
      await pool.load('churn', churn.onnx, churn.signature);
      const threadRuns = () => (pool as unknown as { running: Set<unknown> }).running.size;
      // Alone and small: answered without a thread (nothing was running before or during it).
      const lone = pool.predict('churn', churn.instances.slice(0, 3));
      expect(threadRuns()).toBe(0);
      expect(await lone).toEqual(await direct(churn, churn.instances.slice(0, 3)));
      // Inline runs reuse one input buffer: fewer rows after more still read only their own.
      for (const rows of [churn.instances.slice(3, 4), churn.instances.slice(4, 6), churn.instances.slice(6, 10)]) {
        expect(await pool.predict('churn', rows)).toEqual(await direct(churn, rows));
      }
      // Too many rows for the calling thread: a thread takes it.
      const big = pool.predict('churn', churn.instances.slice(0, 5));
      expect(threadRuns()).toBe(1);
      expect(await big).toEqual(await direct(churn, churn.instances.slice(0, 5)));
      // Under concurrency only the first goes inline; the others queue for the thread and batch.
      const many = await Promise.all(churn.instances.slice(0, 50).map((r) => pool.predict('churn', [r])));
      expect(many).toEqual(await Promise.all(churn.instances.slice(0, 50).map((r) => direct(churn, [r]))));
      await expect(pool.predict('churn', [{ ...churn.instances[0], nope: 1 }])).rejects.toBeInstanceOf(InstanceError);
    } finally {
      await pool.close();
    }
  });

  it('close lets the running batch finish, fails the queued requests, then refuses work', async () => {
    const pool = await InferencePool.start({ threads: 1, inlineMaxRows: 0 });
    await pool.load('churn', churn.onnx, churn.signature);
    const rows = churn.instances.slice(0, 30);
    const settled = Promise.allSettled(rows.map((r) => pool.predict('churn', [r])));
    expect(pool.stats().queuedRequests).toBe(29);
    await pool.close();
    const outcomes = await settled;
    expect(outcomes[0]).toEqual({ status: 'fulfilled', value: await direct(churn, rows.slice(0, 1)) });
    for (const o of outcomes.slice(1)) {
      expect(o.status).toBe('rejected');
      expect((o as PromiseRejectedResult).reason).toBeInstanceOf(InferenceError);
      expect((o as PromiseRejectedResult).reason.message).toBe('the inference pool is closed');
    }
    expect(pool.stats()).toMatchObject({ threads: 0, queuedRequests: 0 });
    await expect(pool.predict('churn', [rows[0]])).rejects.toThrow('the inference pool is closed');
    await expect(pool.load('other', churn.onnx, churn.signature)).rejects.toThrow(
      'the inference pool is closed',
    );
    await pool.close(); // twice is fine
  });

  it('close waits for a model being loaded before stopping the threads', async () => {
    const pool = await InferencePool.start({ threads: 2 });
    const loading = pool.load('churn', churn.onnx, churn.signature);
    await pool.close();
    await expect(loading).resolves.toBeUndefined();
    expect(pool.stats().threads).toBe(0);
    await expect(pool.predict('churn', [churn.instances[0]])).rejects.toThrow(InferenceError);
  });

  it('refuses bad options', async () => {
    await expect(InferencePool.start({ threads: 0 })).rejects.toThrow(
      'threads must be a positive integer, got 0',
    );
    await expect(InferencePool.start({ maxBatchRows: 1.5 })).rejects.toThrow(
      'maxBatchRows must be a positive integer, got 1.5',
    );
  });
});
