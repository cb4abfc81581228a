// What the linear and MLP trainer nodes share after training: the model as ONNX over the raw
// columns, stored. (GBDT builds its graph in one step: `pipelineToOnnx`.)
import type { DenseExportOptions } from '@kiln/ml/linear';
import { serializeModel } from '@kiln/ml/onnx/model-builder';
import { classLabelsOf, FEATURES_INPUT, withRawInputs } from '@kiln/ml/onnx/preprocessing';
import type { ArtifactRef } from '@kiln/artifacts/artifact-store';
import type { NodeContext } from '../define-node';
import type { TransformSpec } from '../featurize/transform-spec';
import { failingAsNode } from '../shared/ml-failure';
import { putOnnx } from './common';

/**
 * Exports a dense model (`toOnnx`: the ml package's exporter for it) with the fitted preprocessing
 * in front, so it takes the raw columns, and stores it with `meta`. `what` names the model in the
 * ONNX doc string.
 */
export async function putDenseModel(
  ctx: NodeContext,
  spec: TransformSpec,
  what: string,
  toOnnx: (options: DenseExportOptions) => Parameters<typeof withRawInputs>[1],
  meta: Record<string, unknown>,
): Promise<{ bytes: Uint8Array; artifact: ArtifactRef }> {
  const classLabels = classLabelsOf(spec);
  const onnx = toOnnx({
    inputName: FEATURES_INPUT,
    featureNames: spec.outputFeatures,
    docString: `Kiln ${what} (${spec.task}) predicting ${spec.target} from raw columns`,
    ...(classLabels ? { classLabels } : {}),
  });
  const bytes = serializeModel(failingAsNode(() => withRawInputs(spec, onnx)));
  const artifact = await putOnnx(ctx, bytes, { task: spec.task, target: spec.target, ...meta });
  return { bytes, artifact };
}
