import type { onnx } from 'onnx-proto';
import type { BoosterModel } from '../gbdt/booster';
import type { Tree } from '../gbdt/types';
import {
  attr,
  ElemType,
  makeModel,
  makeNode,
  ONNX_ML_DOMAIN,
  serializeModel,
  tensorValueInfo,
} from './model-builder';

/** How to export a booster. */
export interface TreeEnsembleExportOptions {
  /** Name of the float32 `[N, numFeatures]` input (default `X`). */
  readonly inputName?: string;
  /** What the `label` output reports per class; default the class indices 0..K−1 (int64). */
  readonly classLabels?: readonly number[] | readonly string[];
  /** Stored as model metadata (`feature_names`, comma-separated). */
  readonly featureNames?: readonly string[];
  readonly docString?: string;
}

/**
 * Flat `nodes_*` attributes for ONNX tree ensembles, plus each tree's leaves as (node id, value).
 * Internal node k keeps id k; leaf l gets id `internalCount + l`. `BRANCH_LEQ` on the float32
 * threshold reproduces training's routing exactly (training compares `fround(x) <= threshold` and
 * thresholds are float32 values); missing values follow the learned default direction through
 * `nodes_missing_value_tracks_true` (the true branch is the left child).
 */
interface FlatTrees {
  treeIds: number[];
  nodeIds: number[];
  featureIds: number[];
  modes: string[];
  values: number[];
  trueIds: number[];
  falseIds: number[];
  missingTracksTrue: number[];
  leafTree: number[];
  leafNode: number[];
  leafValue: number[];
}

function flattenTrees(trees: readonly Tree[]): FlatTrees {
  const flat: FlatTrees = {
    treeIds: [],
    nodeIds: [],
    featureIds: [],
    modes: [],
    values: [],
    trueIds: [],
    falseIds: [],
    missingTracksTrue: [],
    leafTree: [],
    leafNode: [],
    leafValue: [],
  };
  trees.forEach((tree, t) => {
    const m = tree.splitFeature.length;
    const childId = (c: number) => (c >= 0 ? c : m + ~c);
    for (let k = 0; k < m; k++) {
      flat.treeIds.push(t);
      flat.nodeIds.push(k);
      flat.featureIds.push(tree.splitFeature[k]!);
      flat.modes.push('BRANCH_LEQ');
      flat.values.push(tree.threshold[k]!);
      flat.trueIds.push(childId(tree.left[k]!));
      flat.falseIds.push(childId(tree.right[k]!));
      flat.missingTracksTrue.push(tree.defaultLeft[k] ? 1 : 0);
    }
    tree.leafValue.forEach((value, l) => {
      flat.treeIds.push(t);
      flat.nodeIds.push(m + l);
      flat.featureIds.push(0);
      flat.modes.push('LEAF');
      flat.values.push(0);
      flat.trueIds.push(0);
      flat.falseIds.push(0);
      flat.missingTracksTrue.push(0);
      flat.leafTree.push(t);
      flat.leafNode.push(m + l);
      flat.leafValue.push(value);
    });
  });
  return flat;
}

function nodeAttributes(flat: FlatTrees): onnx.IAttributeProto[] {
  return [
    attr.ints('nodes_treeids', flat.treeIds),
    attr.ints('nodes_nodeids', flat.nodeIds),
    attr.ints('nodes_featureids', flat.featureIds),
    attr.strings('nodes_modes', flat.modes),
    attr.floats('nodes_values', flat.values),
    attr.ints('nodes_truenodeids', flat.trueIds),
    attr.ints('nodes_falsenodeids', flat.falseIds),
    attr.ints('nodes_missing_value_tracks_true', flat.missingTracksTrue),
  ];
}

/**
 * Exports a trained booster as an ONNX model with one float32 input `[N, numFeatures]`.
 *
 * - binary and multiclass: `TreeEnsembleClassifier` with outputs `label` `[N]` and
 *   `probabilities` `[N, numClasses]`;
 * - regression: `TreeEnsembleRegressor` with output `variable` `[N, 1]`.
 *
 * Binary models follow what skl2onnx emits for HistGradientBoostingClassifier (and onnxmltools for
 * LightGBM): every leaf votes for class id 0, one base value, `LOGISTIC`. onnxruntime then reports
 * `[1 − p, p]` and labels a row 1 when the raw score is > 0, except when no leaf weight is negative:
 * it then labels by raw score > 0.5. A single-leaf tree with a negligible negative weight keeps it on
 * the raw score > 0 rule, which is the booster's own (P(1) > 0.5). A multiclass model with two
 * classes goes the same way (as one logistic ensemble on the score difference), since onnxruntime
 * routes every two-class classifier through that binary path.
 */
export function boosterToOnnx(
  booster: BoosterModel,
  options: TreeEnsembleExportOptions = {},
): onnx.ModelProto {
  const inputName = options.inputName ?? 'X';
  const input = tensorValueInfo(inputName, ElemType.FLOAT, ['N', booster.numFeatures]);
  const metadata: Record<string, string> = {
    objective: booster.objective,
    num_features: String(booster.numFeatures),
    num_iterations: String(booster.bestIteration),
  };
  if (options.featureNames) {
    if (options.featureNames.length !== booster.numFeatures) {
      throw new Error(
        `featureNames has ${options.featureNames.length} names but the model has ${booster.numFeatures} features`,
      );
    }
    metadata.feature_names = options.featureNames.join(',');
  }
  const common = {
    producerName: 'kiln',
    docString: options.docString ?? `Kiln gradient-boosted trees (${booster.objective})`,
    metadata,
    inputs: [input],
  };

  if (booster.objective === 'regression') {
    const flat = flattenTrees(booster.trees);
    const node = makeNode(
      'TreeEnsembleRegressor',
      [inputName],
      ['variable'],
      [
        ...nodeAttributes(flat),
        attr.ints('target_treeids', flat.leafTree),
        attr.ints('target_nodeids', flat.leafNode),
        attr.ints(
          'target_ids',
          flat.leafTree.map(() => 0),
        ),
        attr.floats('target_weights', flat.leafValue),
        attr.int('n_targets', 1),
        attr.floats('base_values', [booster.initScores[0]!]),
        attr.string('aggregate_function', 'SUM'),
        attr.string('post_transform', 'NONE'),
      ],
      { domain: ONNX_ML_DOMAIN },
    );
    return makeModel({
      ...common,
      graphName: 'kiln_gbdt_regressor',
      nodes: [node],
      outputs: [tensorValueInfo('variable', ElemType.FLOAT, ['N', 1])],
    });
  }

  const numClasses = booster.numClasses;
  const labels = options.classLabels ?? Array.from({ length: numClasses }, (_, k) => k);
  if (labels.length !== numClasses) {
    throw new Error(`classLabels has ${labels.length} labels but the model has ${numClasses} classes`);
  }
  const stringLabels = labels.length > 0 && typeof labels[0] === 'string';
  const K = booster.initScores.length;
  // onnxruntime treats any two-class ensemble through its binary path, which mishandles per-class
  // scores; a two-class softmax model is exported as the equivalent logistic one on s₁ − s₀.
  const binary = booster.objective === 'binary' || K === 2;
  let trees = [...booster.trees];
  let baseValues = [...booster.initScores];
  if (K === 2) {
    trees = trees.map((t, i) => (i % 2 === 0 ? { ...t, leafValue: t.leafValue.map((v) => -v) } : t));
    baseValues = [booster.initScores[1]! - booster.initScores[0]!];
  }
  if (binary && !trees.some((t) => t.leafValue.some((v) => v < 0))) trees.push(negativeStub());
  const flat = flattenTrees(trees);
  const node = makeNode(
    'TreeEnsembleClassifier',
    [inputName],
    ['label', 'probabilities'],
    [
      ...nodeAttributes(flat),
      attr.ints('class_treeids', flat.leafTree),
      attr.ints('class_nodeids', flat.leafNode),
      attr.ints('class_ids', binary ? flat.leafTree.map(() => 0) : flat.leafTree.map((t) => t % K)),
      attr.floats('class_weights', flat.leafValue),
      stringLabels
        ? attr.strings('classlabels_strings', labels as readonly string[])
        : attr.ints('classlabels_int64s', labels as readonly number[]),
      attr.floats('base_values', baseValues),
      attr.string('post_transform', binary ? 'LOGISTIC' : 'SOFTMAX'),
    ],
    { domain: ONNX_ML_DOMAIN },
  );
  return makeModel({
    ...common,
    graphName: binary ? 'kiln_gbdt_binary' : 'kiln_gbdt_multiclass',
    nodes: [node],
    outputs: [
      tensorValueInfo('label', stringLabels ? ElemType.STRING : ElemType.INT64, ['N']),
      tensorValueInfo('probabilities', ElemType.FLOAT, ['N', numClasses]),
    ],
  });
}

/** A one-leaf tree worth −1e−30: below float32 resolution of any score, but negative. */
function negativeStub(): Tree {
  return {
    splitFeature: [],
    splitBin: [],
    threshold: [],
    defaultLeft: [],
    left: [],
    right: [],
    splitGain: [],
    leafValue: [-1e-30],
    leafCount: [0],
  };
}

/** `boosterToOnnx` serialised to protobuf bytes. */
export function exportBoosterToOnnx(
  booster: BoosterModel,
  options: TreeEnsembleExportOptions = {},
): Uint8Array {
  return serializeModel(boosterToOnnx(booster, options));
}
