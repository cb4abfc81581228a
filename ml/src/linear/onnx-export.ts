import type { onnx } from 'onnx-proto';
import {
  attr,
  ElemType,
  makeModel,
  makeNode,
  makeTensor,
  ONNX_ML_DOMAIN,
  serializeModel,
  tensorValueInfo,
} from '../onnx/model-builder';
import type { Task } from './data';
import type { LinearModel } from './model';

/** How to export a linear model or an MLP. */
export interface DenseExportOptions {
  /** Name of the float32 `[N, numFeatures]` input (default `X`). */
  readonly inputName?: string;
  /** What the `label` output reports per class; default the class indices 0..K−1 (int64). Classifiers only. */
  readonly classLabels?: readonly number[] | readonly string[];
  /** Stored as model metadata (`feature_names`, comma-separated). */
  readonly featureNames?: readonly string[];
  readonly docString?: string;
}

/** A graph under construction: nodes and initializers, with fresh names. */
export class GraphParts {
  readonly nodes: onnx.INodeProto[] = [];
  readonly initializers: onnx.ITensorProto[] = [];
  private counter = 0;

  name(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  constant(prefix: string, dims: readonly number[], values: ArrayLike<number>): string {
    const name = this.name(prefix);
    this.initializers.push(makeTensor(name, ElemType.FLOAT, dims, Array.from(values, Math.fround)));
    return name;
  }

  /** Adds a node with one output and returns that output's name. */
  op(
    opType: string,
    inputs: readonly string[],
    attributes: onnx.IAttributeProto[] = [],
    domain = '',
  ): string {
    const out = this.name(opType.toLowerCase());
    this.nodes.push(makeNode(opType, inputs, [out], attributes, { name: out, domain }));
    return out;
  }

  /** `Gemm(x, W, b)` with W given row-major `[rows, cols]`. */
  gemm(x: string, weights: ArrayLike<number>, bias: ArrayLike<number>, rows: number, cols: number): string {
    return this.op('Gemm', [x, this.constant('W', [rows, cols], weights), this.constant('B', [cols], bias)]);
  }
}

/**
 * Missing values → training mean (`Imputer`), then standardisation (`Scaler`): the models below are
 * trained on standardised features but the exported graph takes raw `X`.
 */
export function standardizeInput(
  g: GraphParts,
  inputName: string,
  mean: readonly number[],
  scale: readonly number[],
): string {
  const imputed = g.op(
    'Imputer',
    [inputName],
    [attr.floats('imputed_value_floats', mean.map(Math.fround)), attr.float('replaced_value_float', NaN)],
    ONNX_ML_DOMAIN,
  );
  return g.op(
    'Scaler',
    [imputed],
    [
      attr.floats('offset', mean.map(Math.fround)),
      attr.floats(
        'scale',
        scale.map((s) => Math.fround(1 / s)),
      ),
    ],
    ONNX_ML_DOMAIN,
  );
}

/**
 * The output head, from raw scores `[N, outputs]`: binary (one log-odds column, expanded by the caller
 * to `[−s, s]`) → `Sigmoid`; multiclass → `Softmax`; then `label` = `ArgMax` (int64 `[N]`), mapped
 * through `Gather` when `classLabels` are given.
 * Regression: the scores are renamed `variable` (`[N, 1]`).
 */
export function finishModel(
  g: GraphParts,
  scores: string,
  task: Task,
  numClasses: number,
  numFeatures: number,
  meta: { graphName: string; docString: string; metadata: Record<string, string> },
  options: DenseExportOptions,
): onnx.ModelProto {
  const inputName = options.inputName ?? 'X';
  const metadata: Record<string, string> = { ...meta.metadata, task, num_features: String(numFeatures) };
  if (options.featureNames) {
    if (options.featureNames.length !== numFeatures) {
      throw new Error(
        `featureNames has ${options.featureNames.length} names but the model has ${numFeatures} features`,
      );
    }
    metadata.feature_names = options.featureNames.join(',');
  }
  let outputs: onnx.IValueInfoProto[];
  if (task === 'regression') {
    g.nodes.push(makeNode('Identity', [scores], ['variable'], [], { name: 'variable' }));
    outputs = [tensorValueInfo('variable', ElemType.FLOAT, ['N', 1])];
  } else {
    const post = task === 'binary' ? 'Sigmoid' : 'Softmax';
    g.nodes.push(
      makeNode(post, [scores], ['probabilities'], task === 'binary' ? [] : [attr.int('axis', 1)], {
        name: 'probabilities',
      }),
    );
    const labels = options.classLabels;
    if (labels && labels.length !== numClasses) {
      throw new Error(`classLabels has ${labels.length} labels but the model has ${numClasses} classes`);
    }
    const stringLabels = labels !== undefined && labels.length > 0 && typeof labels[0] === 'string';
    const argmax = labels ? 'label_index' : 'label';
    g.nodes.push(
      makeNode('ArgMax', ['probabilities'], [argmax], [attr.int('axis', 1), attr.int('keepdims', 0)], {
        name: argmax,
      }),
    );
    if (labels) {
      const type = stringLabels ? ElemType.STRING : ElemType.INT64;
      g.initializers.push(makeTensor('class_labels', type, [numClasses], labels));
      g.nodes.push(
        makeNode('Gather', ['class_labels', argmax], ['label'], [attr.int('axis', 0)], { name: 'label' }),
      );
    }
    outputs = [
      tensorValueInfo('label', stringLabels ? ElemType.STRING : ElemType.INT64, ['N']),
      tensorValueInfo('probabilities', ElemType.FLOAT, ['N', numClasses]),
    ];
  }
  return makeModel({
    graphName: meta.graphName,
    producerName: 'kiln',
    docString: options.docString ?? meta.docString,
    metadata,
    inputs: [tensorValueInfo(inputName, ElemType.FLOAT, ['N', numFeatures])],
    outputs,
    nodes: g.nodes,
    initializers: g.initializers,
  });
}

/** Binary heads: one log-odds column (weights `[rows, 1]`) becomes two, `[−s, s]`, so Sigmoid gives `[1 − p, p]`. */
export function mirrorBinary(weights: ArrayLike<number>, bias: number, rows: number) {
  const w = new Float64Array(rows * 2);
  for (let r = 0; r < rows; r++) {
    w[2 * r] = -weights[r]!;
    w[2 * r + 1] = weights[r]!;
  }
  return { weights: w, bias: [-bias, bias] };
}

/**
 * Exports a linear model with one float32 input `[N, numFeatures]`: `Imputer` → `Scaler` → `Gemm` →
 * `Sigmoid`/`Softmax` with outputs `label` (int64 `[N]`, the class index) and `probabilities`
 * (`[N, numClasses]`), like the GBDT export; ridge: `LinearRegressor` with output `variable` `[N, 1]`.
 * Binary models emit `[−s, s]` before the sigmoid so the probabilities are `[1 − p, p]` and `ArgMax`
 * gives class 1 exactly when p > 0.5.
 */
export function linearToOnnx(model: LinearModel, options: DenseExportOptions = {}): onnx.ModelProto {
  const d = model.numFeatures;
  const K = model.numOutputs;
  const g = new GraphParts();
  const z = standardizeInput(g, options.inputName ?? 'X', model.featureMean, model.featureScale);
  // Standardised-space weights vₖⱼ = wₖⱼ·sⱼ and intercepts cₖ = bₖ + Σⱼ wₖⱼ·mⱼ, as [d, K].
  const weights = new Float64Array(d * K);
  const bias = model.intercept.map((b, k) => {
    let c = b;
    for (let j = 0; j < d; j++) {
      const w = model.coef[k * d + j]!;
      weights[j * K + k] = w * model.featureScale[j]!;
      c += w * model.featureMean[j]!;
    }
    return c;
  });
  let scores: string;
  if (model.task === 'regression') {
    scores = g.op(
      'LinearRegressor',
      [z],
      [
        attr.floats('coefficients', Array.from(weights, Math.fround)),
        attr.floats('intercepts', [Math.fround(bias[0]!)]),
      ],
      ONNX_ML_DOMAIN,
    );
  } else if (model.task === 'binary') {
    const m = mirrorBinary(weights, bias[0]!, d);
    scores = g.gemm(z, m.weights, m.bias, d, 2);
  } else {
    scores = g.gemm(z, weights, bias, d, K);
  }
  return finishModel(
    g,
    scores,
    model.task,
    model.numClasses,
    d,
    {
      graphName: `kiln_linear_${model.task}`,
      docString: `Kiln ${model.task === 'regression' ? 'ridge' : model.task === 'binary' ? 'logistic' : 'softmax'} regression`,
      metadata: {},
    },
    options,
  );
}

/** `linearToOnnx` serialised to protobuf bytes. */
export function exportLinearToOnnx(model: LinearModel, options: DenseExportOptions = {}): Uint8Array {
  return serializeModel(linearToOnnx(model, options));
}
