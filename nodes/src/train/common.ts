// What every trainer node shares: reading its inputs and the port values.
import { ONNX_MEDIA_TYPE, type MetricsValue, type ModelValue, type TransformValue } from '@kiln/engine';
import type { NodeContext } from '../define-node';
import type { ArtifactRef } from '@kiln/artifacts/artifact-store';
import type { DatasetRef } from '@kiln/tabular/dataset-ref';
import { encodeTarget, requireTransformSpec, type TransformSpec } from '../featurize/transform-spec';
import { getJson, putJson, readColumns, type Columns } from '../shared/tabular';
import type { Task as MlTask } from '@kiln/ml/task';
import type { Task } from '@kiln/engine';

/** ml names a model's task itself (it has no Kiln imports): this fails to compile if it ever differs from the engine's. */
export const ML_TASK_IS_PORT_TASK: [MlTask] extends [Task] ? ([Task] extends [MlTask] ? true : never) : never = true;

/** The transform spec behind a `Transform` port value. */
export async function readTransform(ctx: NodeContext, value: TransformValue): Promise<TransformSpec> {
  return requireTransformSpec(await getJson(ctx.store, value.artifact));
}

export interface TrainingInputs {
  spec: TransformSpec;
  train: DatasetRef;
  cols: Columns;
  /** Every row index of the training dataset. */
  rows: number[];
  /** The encoded target of every row (class index or value). */
  labels: Float64Array;
}

/** Reads the `train` and `transform` inputs of a trainer node. */
export async function readTrainingInputs(
  ctx: NodeContext,
  inputs: { train: DatasetRef; transform: TransformValue },
): Promise<TrainingInputs> {
  const spec = await readTransform(ctx, inputs.transform);
  const cols = await readColumns(ctx.store, inputs.train);
  const rows = Array.from({ length: cols.rowCount }, (_, i) => i);
  return { spec, train: inputs.train, cols, rows, labels: encodeTarget(spec, cols, rows) };
}

/** The `Model` port value for an ONNX model taking the raw columns of `spec`. */
export function modelRef(spec: TransformSpec, artifact: ArtifactRef): ModelValue {
  return {
    artifact,
    task: spec.task,
    features: spec.features.map((f) => ({ name: f.name, type: f.kind === 'numeric' ? 'float' : 'string' })),
    classes: spec.classes,
    target: spec.target,
  };
}

/** The loss a trainer reports while training a model of `task` (LightGBM's names). */
export function lossName(task: Task): 'logloss' | 'multi_logloss' | 'l2' {
  return task === 'binary' ? 'logloss' : task === 'multiclass' ? 'multi_logloss' : 'l2';
}

/** Stores ONNX bytes as a model artifact. */
export function putOnnx(
  ctx: NodeContext,
  bytes: Uint8Array,
  meta: Record<string, unknown>,
): Promise<ArtifactRef> {
  return ctx.store.put(bytes, { mediaType: ONNX_MEDIA_TYPE, meta });
}

/** Writes a trainer's report (`kiln.training-report/v1`) and returns the `Metrics` port value over it. */
export async function trainingMetrics(
  ctx: NodeContext,
  task: MetricsValue['task'],
  values: MetricsValue['values'],
  details: Record<string, unknown>,
): Promise<MetricsValue> {
  const report = await putJson(ctx.store, { kind: 'kiln.training-report/v1', task, values, ...details });
  return { task, values, report };
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(6));

/** A trainer's log line for one iteration (or epoch): `iteration 12/100: train logloss 0.41, valid 0.43`. */
export function iterationLine(unit: string, i: number, of: number, loss: number, valid: number | null | undefined, metricName: string): string {
  return `${unit} ${i}/${of}: train ${metricName} ${fmt(loss)}${valid === undefined || valid === null ? '' : `, valid ${fmt(valid)}`}`;
}

/** A trainer's last log line: whether it stopped early, and at which best iteration. */
export function stoppingLine(unit: string, ran: number, of: number, best: number, seconds: number): string {
  const took = `in ${seconds.toFixed(1)} s`;
  return ran < of ? `stopped early after ${ran} of ${of} ${unit}s (best ${unit} ${best}) ${took}` : `trained ${ran} ${unit}s ${took}`;
}
