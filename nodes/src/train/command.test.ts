import { type ModelValue } from '@kiln/engine';
import { chmodSync, copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson } from '../shared/tabular';
import command from './command';
import linear from './linear';
import { churn, maxAbsDiff, runOnnx, type Prepared } from './test-helpers';

/** A training program: checks its inputs, prints progress, copies $SRC_MODEL and writes metrics. */
const PROGRAM = `
const fs = require('fs');
const path = require('path');
const data = fs.readFileSync(process.env.KILN_TRAIN_DATASET);
if (data.subarray(0, 6).toString() !== 'ARROW1') throw new Error('not an Arrow IPC file');
const transform = JSON.parse(fs.readFileSync(process.env.KILN_TRANSFORM, 'utf8'));
for (let i = 1; i <= 3; i++) console.log('KILN_PROGRESS ' + JSON.stringify({ iteration: i, loss: 1 / i }));
console.log('plain log line');
const out = process.env.KILN_OUTPUT_DIR;
if (process.env.SRC_MODEL) fs.copyFileSync(process.env.SRC_MODEL, path.join(out, 'model.onnx'));
const metrics = process.env.BAD_METRICS ?? JSON.stringify({ accuracy: 0.9, target: transform.target, gpu: process.env.CUDA_VISIBLE_DEVICES ?? 'none', bytes: data.length });
if (!process.env.NO_METRICS) fs.writeFileSync(path.join(out, 'metrics.json'), metrics);
`;

const RUN = `"${process.execPath}" -e "$PROGRAM"`;

let prepared: Promise<{ p: Prepared; modelPath: string; linearModel: ModelValue }> | undefined;
function withLinearModel() {
  return (prepared ??= (async () => {
    const p = await churn();
    const t = await linear.run(p.ctx, p.inputs, linear.params.parse({}));
    const linearModel = t.outputs.model as ModelValue;
    const modelPath = join(mkdtempSync(join(tmpdir(), 'kiln-train-command-')), 'source.onnx');
    writeFileSync(modelPath, await p.ctx.store.get(linearModel.artifact.digest));
    return { p, modelPath, linearModel };
  })());
}

const savedSlots = process.env.KILN_GPU_SLOTS;
afterEach(() => {
  if (savedSlots === undefined) delete process.env.KILN_GPU_SLOTS;
  else process.env.KILN_GPU_SLOTS = savedSlots;
});

describe('train.command', () => {
  it('runs the program under the contract: dataset, transform, model.onnx, metrics.json, progress lines', async () => {
    delete process.env.KILN_GPU_SLOTS;
    const { p, modelPath, linearModel } = await withLinearModel();
    const before = p.ctx.progressLog.length;
    const t = await command.run(
      p.ctx,
      p.inputs,
      command.params.parse({ command: RUN, env: { PROGRAM, SRC_MODEL: modelPath } }),
    );
    expect(p.ctx.progressLog.slice(before)).toEqual([
      { iteration: 1, loss: 1 },
      { iteration: 2, loss: 0.5 },
      { iteration: 3, loss: 1 / 3 },
      { line: 'plain log line' },
    ]);
    const model = t.outputs.model as ModelValue;
    expect(model.artifact.digest).toBe(linearModel.artifact.digest);
    expect(model).toMatchObject({
      task: 'binary',
      classes: [0, 1],
      target: 'churned',
      features: linearModel.features,
    });
    const metrics = t.outputs.metrics as { task: string; values: Record<string, number | null>; report: any };
    expect(metrics.task).toBe('binary');
    expect(metrics.values.accuracy).toBe(0.9);
    expect(metrics.values.bytes).toBeGreaterThan(0);
    const report = await getJson<any>(p.ctx.store, metrics.report);
    expect(report.metrics).toMatchObject({ target: 'churned', gpu: 'none' });
    expect(report.history).toHaveLength(3);
    const a = await runOnnx(p, model);
    const b = await runOnnx(p, linearModel);
    expect(maxAbsDiff(a.scores, b.scores)).toBe(0);
  });

  it('gives each running command a free GPU slot from KILN_GPU_SLOTS', async () => {
    process.env.KILN_GPU_SLOTS = '0,1';
    const { p, modelPath } = await withLinearModel();
    const params = command.params.parse({
      command: `sleep 0.3; ${RUN}`,
      env: { PROGRAM, SRC_MODEL: modelPath },
    });
    const runs = await Promise.all([1, 2, 3].map(() => command.run(p.ctx, p.inputs, params)));
    const gpus = await Promise.all(
      runs.map(async (r) => (await getJson<any>(p.ctx.store, (r.outputs.metrics as any).report)).metrics.gpu),
    );
    // Two slots for three commands: every command got one, both were used, the third waited for one.
    for (const gpu of gpus) expect(['0', '1']).toContain(gpu);
    expect(new Set(gpus).size).toBe(2);
  });

  it('fails clearly: non-zero exit with the stderr tail, no model.onnx, metrics.json not JSON', async () => {
    delete process.env.KILN_GPU_SLOTS;
    const { p, modelPath } = await withLinearModel();
    await expect(
      command.run(p.ctx, p.inputs, command.params.parse({ command: 'echo boom >&2; exit 3' })),
    ).rejects.toThrow('training command exited with code 3: boom');
    await expect(
      command.run(p.ctx, p.inputs, command.params.parse({ command: RUN, env: { PROGRAM } })),
    ).rejects.toThrow(/wrote no model\.onnx in KILN_OUTPUT_DIR/);
    await expect(
      command.run(
        p.ctx,
        p.inputs,
        command.params.parse({ command: RUN, env: { PROGRAM, SRC_MODEL: modelPath, NO_METRICS: '1' } }),
      ),
    ).rejects.toThrow(/wrote no metrics\.json/);
    await expect(
      command.run(
        p.ctx,
        p.inputs,
        command.params.parse({
          command: RUN,
          env: { PROGRAM, SRC_MODEL: modelPath, BAD_METRICS: 'accuracy: 0.9' },
        }),
      ),
    ).rejects.toThrow(/metrics\.json is not JSON/);
    await expect(
      command.run(
        p.ctx,
        p.inputs,
        command.params.parse({
          command: `echo not onnx > "$KILN_OUTPUT_DIR/model.onnx"; echo '{}' > "$KILN_OUTPUT_DIR/metrics.json"`,
        }),
      ),
    ).rejects.toThrow(/model\.onnx is not an ONNX model/);
  });

  it.skipIf(process.getuid?.() !== 0)('runs as the unprivileged account on a root worker, and never reads an output through a link', async () => {
    delete process.env.KILN_GPU_SLOTS;
    const { p, modelPath } = await withLinearModel();
    const shared = mkdtempSync(join(tmpdir(), 'kiln-train-command-shared-'));
    chmodSync(shared, 0o755);
    copyFileSync(modelPath, join(shared, 'source.onnx'));
    const scratch = mkdtemp(join(tmpdir(), 'kiln-train-command-scratch-'));
    const ctx = { ...p.ctx, scratchDir: () => scratch, userCode: { runAs: { name: 'nobody', uid: 65534, gid: 65534 } } };
    const t = await command.run(
      ctx,
      p.inputs,
      command.params.parse({
        command:
          'test "$(id -u)" = 65534 && head -c 6 "$KILN_TRAIN_DATASET" | grep -q ARROW1 && cat "$KILN_TRANSFORM" >/dev/null && ' +
          'cp "$SRC" "$KILN_OUTPUT_DIR/model.onnx" && echo \'{"accuracy": 0.5}\' > "$KILN_OUTPUT_DIR/metrics.json"',
        env: { SRC: join(shared, 'source.onnx') },
      }),
    );
    expect((t.outputs.metrics as { values: Record<string, number> }).values.accuracy).toBe(0.5);
    const second = mkdtemp(join(tmpdir(), 'kiln-train-command-scratch-'));
    await expect(
      command.run(
        { ...ctx, scratchDir: () => second },
        p.inputs,
        command.params.parse({
          command: 'cp "$SRC" "$KILN_OUTPUT_DIR/model.onnx" && ln -s /etc/shadow "$KILN_OUTPUT_DIR/metrics.json"',
          env: { SRC: join(shared, 'source.onnx') },
        }),
      ),
    ).rejects.toThrow('metrics.json in KILN_OUTPUT_DIR is a symbolic link');
  });

  it('kills the program when the signal aborts', async () => {
    const { p } = await withLinearModel();
    const controller = new AbortController();
    const ctx = { ...p.ctx, signal: controller.signal };
    const started = Date.now();
    const run = command.run(
      ctx,
      p.inputs,
      command.params.parse({ command: 'echo "KILN_PROGRESS {\\"iteration\\":1}"; sleep 30' }),
    );
    setTimeout(() => controller.abort(new Error('cancelled')), 300);
    await expect(run).rejects.toThrow('cancelled');
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
