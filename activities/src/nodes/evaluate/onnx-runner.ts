import { type ModelValue } from '@kiln/engine';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { NodeFailure } from '../../define-node';
import type { Columns } from '../shared/tabular';
import { cellNumber, cellText } from '../featurize/transform-spec';

type Ort = typeof import('onnxruntime-node');

/** Loads onnxruntime-node on first use (a native module: only workers that evaluate pay for it). */
export async function loadOrt(): Promise<Ort> {
  const mod = (await import('onnxruntime-node')) as Ort & { default?: Ort };
  return mod.InferenceSession ? mod : mod.default!;
}

/** Opens a session on model bytes, failing clearly when they are not an ONNX model. */
export async function openSession(ort: Ort, bytes: Uint8Array, what: string): Promise<InferenceSession> {
  try {
    return await ort.InferenceSession.create(bytes);
  } catch (error) {
    throw new NodeFailure(`${what} is not a valid ONNX model: ${(error as Error).message.split('\n')[0]}`, {
      type: 'NotOnnx',
      retryable: false,
    });
  }
}

/** Input tensors for rows of raw columns: float [n,1] (missing → NaN) or string [n,1] (missing → ""). */
export function feedsFor(ort: Ort, model: Pick<ModelValue, 'features'>, cols: Columns, rows: readonly number[]): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  for (const f of model.features) {
    const values = cols.values[f.name];
    if (!values) {
      throw new NodeFailure(`the dataset has no column "${f.name}", which the model takes as input`, {
        type: 'BadInput',
        retryable: false,
      });
    }
    feeds[f.name] =
      f.type === 'float'
        ? new ort.Tensor('float32', Float32Array.from(rows, (r) => cellNumber(values[r])), [rows.length, 1])
        : new ort.Tensor('string', rows.map((r) => cellText(values[r])), [rows.length, 1]);
  }
  return feeds;
}

/** What a model said about some rows. */
export interface Predictions {
  /** Predicted class label (classification) or value (regression), per row. */
  predicted: (string | number)[];
  /** Row-major n × classes probabilities (classification), else null. */
  proba: number[] | null;
}

export async function predict(
  ort: Ort,
  session: InferenceSession,
  model: Pick<ModelValue, 'features' | 'task'>,
  cols: Columns,
  rows: readonly number[],
): Promise<Predictions> {
  const out = await session.run(feedsFor(ort, model, cols, rows));
  if (model.task === 'regression') {
    const v = out.variable ?? Object.values(out)[0]!;
    return { predicted: Array.from(v.data as Float32Array), proba: null };
  }
  const label = out.label!.data as BigInt64Array | string[];
  return {
    predicted: Array.from(label as ArrayLike<bigint | string>, (x) => (typeof x === 'bigint' ? Number(x) : x)),
    proba: Array.from(out.probabilities!.data as Float32Array),
  };
}
