import type { onnx } from 'onnx-proto';
import { serializeModel } from '../onnx/model-builder';
import {
  type DenseExportOptions,
  finishModel,
  GraphParts,
  mirrorBinary,
  standardizeInput,
} from '../linear/onnx-export';
import type { MlpModel } from './model';

/**
 * Exports an MLP with one float32 input `[N, numFeatures]`: `Imputer` → `Scaler` → (`Gemm` →
 * `Relu`/`Tanh`)* → `Gemm` → `Sigmoid`/`Softmax`, with outputs `label` (int64 `[N]`) and
 * `probabilities` (`[N, numClasses]`) like the GBDT export, or `variable` (`[N, 1]`) for regression.
 * A binary model's single log-odds unit is emitted as `[−s, s]` so the sigmoid gives `[1 − p, p]`.
 */
export function mlpToOnnx(model: MlpModel, options: DenseExportOptions = {}): onnx.ModelProto {
  const g = new GraphParts();
  let x = standardizeInput(g, options.inputName ?? 'X', model.featureMean, model.featureScale);
  let inputs = model.numFeatures;
  model.layers.forEach((layer, l) => {
    const outputs = layer.bias.length;
    const last = l === model.layers.length - 1;
    if (last && model.task === 'binary') {
      const m = mirrorBinary(layer.weights, layer.bias[0]!, inputs);
      x = g.gemm(x, m.weights, m.bias, inputs, 2);
    } else {
      x = g.gemm(x, layer.weights, layer.bias, inputs, outputs);
    }
    if (!last) x = g.op(model.activation === 'relu' ? 'Relu' : 'Tanh', [x]);
    inputs = outputs;
  });
  return finishModel(
    g,
    x,
    model.task,
    model.numClasses,
    model.numFeatures,
    {
      graphName: `kiln_mlp_${model.task}`,
      docString: `Kiln multilayer perceptron (${model.task})`,
      metadata: {
        hidden_layers: model.layers
          .slice(0, -1)
          .map((l) => l.bias.length)
          .join(','),
        activation: model.activation,
        best_epoch: String(model.bestEpoch),
      },
    },
    options,
  );
}

/** `mlpToOnnx` serialised to protobuf bytes. */
export function exportMlpToOnnx(model: MlpModel, options: DenseExportOptions = {}): Uint8Array {
  return serializeModel(mlpToOnnx(model, options));
}
