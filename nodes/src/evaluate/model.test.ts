import { describe, expect, it } from 'vitest';
import type { ArtifactRef, ModelValue } from '@kiln/engine';
import type { DatasetRef } from '@kiln/tabular/dataset-ref';
import { NodeFailure } from '../define-node';
import ingest from '../ingest/file';
import { tempFile, testContext } from '../shared/test-context';
import evaluate from './model';

async function setup() {
  const ctx = testContext();
  const { outputs } = await ingest.run(ctx, {}, ingest.params.parse({ uri: tempFile('d.csv', 'x,y\n1,0\n2,1\n') }));
  return { ctx, dataset: outputs.dataset as DatasetRef };
}

const modelRef = (artifact: ArtifactRef): ModelValue => ({ artifact, task: 'binary', features: [{ name: 'x', type: 'float' }], classes: [0, 1], target: 'y' });

describe('evaluate.model', () => {
  it('refuses a model artifact that is not ONNX by media type', async () => {
    const { ctx, dataset } = await setup();
    const artifact = await ctx.store.put(new TextEncoder().encode('{"trees":[]}'), { mediaType: 'application/json' });
    const error = (await evaluate.run(ctx, { model: modelRef(artifact), dataset }, evaluate.params.parse({})).catch((e: unknown) => e)) as NodeFailure;
    expect(error).toBeInstanceOf(NodeFailure);
    expect(error.retryable).toBe(false);
    expect(error.message).toMatch(/has media type "application\/json", not application\/onnx: evaluate.model scores ONNX models only/);
  });

  it('refuses bytes labelled ONNX that onnxruntime cannot load', async () => {
    const { ctx, dataset } = await setup();
    const artifact = await ctx.store.put(new TextEncoder().encode('definitely not protobuf'), { mediaType: 'application/onnx' });
    const error = (await evaluate.run(ctx, { model: modelRef(artifact), dataset }, evaluate.params.parse({})).catch((e: unknown) => e)) as NodeFailure;
    expect(error).toBeInstanceOf(NodeFailure);
    expect(error.type).toBe('NotOnnx');
    expect(error.message).toMatch(/^model artifact sha256:[0-9a-f]{64} is not a valid ONNX model: /);
  });
});
