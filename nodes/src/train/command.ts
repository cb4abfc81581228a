import { type ModelValue } from '@kiln/engine';
import { constants, copyFile, mkdir, mkdtemp, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';
import { NodeFailure, defineNode } from '../define-node';
import { ElemType } from '@kiln/ml/onnx/model-builder';
import { handToUserCode, runUserCode } from '../core/user-code';
import { putOnnx, readTransform, trainingMetrics } from './common';
import { acquireGpuSlot } from './gpu-slots';
import declaration from './command.decl';

const { onnx: proto } = onnxProto;

const STDOUT_TAIL_BYTES = 64 * 1024;
const PROGRESS_PREFIX = 'KILN_PROGRESS ';
/** Progress records kept for the training report. */
const HISTORY_LIMIT = 10_000;

const fail = (message: string, type = 'BadOutput') => new NodeFailure(message, { type, retryable: false });

/** The raw-column inputs of the model the command wrote: float or string tensors, named after dataset columns. */
function modelFeatures(bytes: Uint8Array, columns: Set<string>): ModelValue['features'] {
  let model: onnx.ModelProto;
  try {
    model = proto.ModelProto.decode(bytes);
  } catch (error) {
    throw fail(`model.onnx is not an ONNX model: ${(error as Error).message}`);
  }
  const initializers = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  const inputs = (model.graph?.input ?? []).filter((i) => !initializers.has(i.name));
  if (!model.graph || inputs.length === 0)
    throw fail('model.onnx is not an ONNX model with a graph that takes inputs');
  return inputs.map((i) => {
    const name = i.name ?? '';
    const elem = i.type?.tensorType?.elemType;
    if (!columns.has(name)) {
      throw fail(`model.onnx takes an input "${name}", which is not a column of the training dataset`);
    }
    if (elem !== ElemType.FLOAT && elem !== ElemType.STRING) {
      throw fail(
        `model.onnx input "${name}" must be a float or string tensor [N,1] (element type ${String(elem)})`,
      );
    }
    return { name, type: elem === ElemType.FLOAT ? 'float' : 'string' };
  });
}

/** metrics.json: a JSON object whose top-level numbers (and nulls) become the metrics values. */
function metricValues(text: string): {
  document: Record<string, unknown>;
  values: Record<string, number | null>;
} {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw fail(`metrics.json is not JSON: ${(error as Error).message}`);
  }
  if (!document || typeof document !== 'object' || Array.isArray(document)) {
    throw fail('metrics.json must hold a JSON object, e.g. {"accuracy": 0.91}');
  }
  const values: Record<string, number | null> = {};
  for (const [key, value] of Object.entries(document)) {
    if (typeof value === 'number' && Number.isFinite(value)) values[key] = value;
    else if (value === null) values[key] = null;
  }
  return { document: document as Record<string, unknown>, values };
}

async function readOutput(dir: string, name: string): Promise<Buffer> {
  try {
    // Never through a link: code running as another account must not make the worker read its files.
    const file = await open(join(dir, name), constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      return await file.readFile();
    } finally {
      await file.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw fail(`the command exited 0 but wrote no ${name} in KILN_OUTPUT_DIR (${dir})`, 'MissingOutput');
    }
    if ((error as NodeJS.ErrnoException).code === 'ELOOP') throw fail(`${name} in KILN_OUTPUT_DIR is a symbolic link; write the file itself`);
    throw error;
  }
}

export default defineNode({
  ...declaration,
  run: async (ctx, inputs, p) => {
    const train = inputs.train;
    const spec = await readTransform(ctx, inputs.transform);
    // A folder of this run's own inside the attempt's scratch folder, so KILN_OUTPUT_DIR starts empty.
    const scratch = await mkdtemp(join(await ctx.scratchDir(), 'train-command-'));
    const outDir = join(scratch, 'output');
    await mkdir(outDir, { recursive: true });
    const transformPath = join(scratch, 'transform.json');
    await writeFile(transformPath, JSON.stringify(spec));
    let datasetPath = await ctx.store.localPath(train.artifact.digest);
    if (ctx.userCode.runAs) {
      // The unprivileged account may not reach the store: it gets a copy (a reflink where the file system has them).
      const copy = join(scratch, 'train.arrow');
      await copyFile(datasetPath, copy, constants.COPYFILE_FICLONE);
      datasetPath = copy;
    }
    await handToUserCode(ctx, { passable: [scratch], writable: [outDir] });
    const history: Record<string, unknown>[] = [];
    const started = Date.now();
    const gpu = await acquireGpuSlot(ctx.signal, () =>
      ctx.progress({ waiting: 'a free GPU slot (KILN_GPU_SLOTS)' }),
    );
    let result;
    try {
      result = await runUserCode(ctx, p.command, {
        ...(p.env ? { env: p.env } : {}),
        contract: {
          KILN_TRAIN_DATASET: datasetPath,
          KILN_TRANSFORM: transformPath,
          KILN_OUTPUT_DIR: outDir,
          ...(gpu ? { CUDA_VISIBLE_DEVICES: gpu.slot } : {}),
        },
        ...(p.cwd ? { cwd: p.cwd } : {}),
        stdoutTailBytes: STDOUT_TAIL_BYTES,
        onLine: (line) => {
          if (!line.startsWith(PROGRESS_PREFIX)) return ctx.progress({ line: line.slice(0, 500) });
          let details: unknown;
          try {
            details = JSON.parse(line.slice(PROGRESS_PREFIX.length));
          } catch {
            details = undefined;
          }
          if (!details || typeof details !== 'object' || Array.isArray(details)) {
            return ctx.progress({ line: line.slice(0, 500) });
          }
          if (history.length < HISTORY_LIMIT) history.push(details as Record<string, unknown>);
          ctx.progress(details as Record<string, unknown>);
        },
      });
    } finally {
      gpu?.release();
    }
    if (result.exitCode !== 0) {
      const how = result.signal ? `was killed by ${result.signal}` : `exited with code ${result.exitCode}`;
      const tail = result.stderrTail.trim();
      throw new NodeFailure(`training command ${how}${tail ? `: ${tail}` : ''}`, { type: 'CommandFailed' });
    }
    const modelBytes = await readOutput(outDir, 'model.onnx');
    const { document, values } = metricValues((await readOutput(outDir, 'metrics.json')).toString('utf8'));
    const features = modelFeatures(modelBytes, new Set(train.schema.map((c) => c.name)));
    const artifact = await putOnnx(ctx, modelBytes, {
      task: spec.task,
      target: spec.target,
      producer: 'train.command',
    });
    const allValues = {
      ...values,
      train_seconds: (Date.now() - started) / 1000,
      model_bytes: modelBytes.length,
    };
    const metrics = await trainingMetrics(ctx, spec.task, allValues, {
      params: { command: p.command },
      metrics: document,
      history,
      ...(gpu ? { gpuSlot: gpu.slot } : {}),
    });
    const model: ModelValue = { artifact, task: spec.task, features, classes: spec.classes, target: spec.target };
    return { outputs: { model, metrics } };
  },
});
