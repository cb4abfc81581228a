// The fitted preprocessing as ONNX nodes in front of a model, so the exported graph takes the raw
// columns (training and serving cannot drift apart); `pipelineToOnnx` is a whole GBDT model.
import type { onnx } from 'onnx-proto';
import type { BoosterModel } from '../gbdt/booster';
import { attr, ElemType, makeNode, makeTensor, ONNX_ML_DOMAIN, serializeModel, tensorValueInfo } from './model-builder';
import { boosterToOnnx } from './tree-ensemble';
import { TransformError, type TransformSpec } from '../preprocess/transform';

/** The value a text feature gets when it is not a known category (never a real category name). */
const UNKNOWN = '\u0000kiln:unknown';

/** Graph outputs of the tree ensembles: a raw column cannot share their names. */
const RESERVED = new Set(['label', 'probabilities', 'variable']);

/** The dense feature matrix a trainer's ONNX graph takes: the preprocessed columns, concatenated. */
export const FEATURES_INPUT = '__kiln_features';
const FEATURES = FEATURES_INPUT;

/** What the `label` output of a classifier reports: the transform's classes (ints stay ints), or none. */
export function classLabelsOf(spec: TransformSpec): number[] | string[] | undefined {
  if (spec.classes === null) return undefined;
  return spec.classes.every((c) => typeof c === 'number' && Number.isInteger(c)) ? (spec.classes as number[]) : spec.classes.map(String);
}

/**
 * The whole served model: one input per raw column (float or string tensors [N,1]), the fitted
 * preprocessing as ai.onnx.ml Imputer / Scaler / LabelEncoder / OneHotEncoder nodes, a Concat into the
 * booster's feature matrix, then the tree ensemble.
 */
export function pipelineToOnnx(spec: TransformSpec, booster: BoosterModel): Uint8Array {
  const classLabels = classLabelsOf(spec);
  const model = boosterToOnnx(booster, {
    inputName: FEATURES,
    featureNames: spec.outputFeatures,
    docString: `Kiln gradient-boosted trees (${booster.objective}) predicting ${spec.target} from raw columns`,
    ...(classLabels ? { classLabels } : {}),
  });
  return serializeModel(withRawInputs(spec, model));
}

/**
 * Puts the fitted preprocessing of `spec` in front of `model`, a graph whose one input is the float
 * feature matrix named {@link FEATURES_INPUT} (`[N, outputFeatures]`): the result takes the raw columns.
 * Used by every trainer node, whatever model follows.
 */
export function withRawInputs(spec: TransformSpec, model: onnx.IModelProto): onnx.IModelProto {
  const graph = model.graph!;
  if ((graph.input ?? []).length !== 1 || graph.input![0]!.name !== FEATURES) {
    throw new Error(`withRawInputs: the model must take one input named ${FEATURES}`);
  }
  const taken = new Set<string>([
    ...RESERVED,
    ...(graph.node ?? []).flatMap((n) => n.output ?? []),
    ...(graph.initializer ?? []).map((t) => t.name ?? ''),
  ]);
  for (const f of spec.features) {
    if (taken.has(f.name) || f.name.startsWith('__kiln_')) {
      throw new TransformError(
        `feature column "${f.name}" has a name the ONNX model uses for an output or an internal tensor ` +
          '(label, probabilities, variable, __kiln_*, or a tensor of the model): rename it or drop it',
        'BadInput',
      );
    }
  }
  const nodes: onnx.INodeProto[] = [];
  const inputs: onnx.IValueInfoProto[] = [];
  const initializers: onnx.ITensorProto[] = [];
  const pieces: string[] = [];
  const ml = { domain: ONNX_ML_DOMAIN };
  spec.features.forEach((f, i) => {
    const tag = `__kiln_f${i}`;
    if (f.kind === 'numeric') {
      inputs.push(tensorValueInfo(f.name, ElemType.FLOAT, ['N', 1]));
      nodes.push(
        makeNode('Imputer', [f.name], [`${tag}_imputed`], [attr.floats('imputed_value_floats', [f.impute]), attr.float('replaced_value_float', NaN)], {
          ...ml,
          name: `${tag}_impute`,
        }),
        makeNode('Scaler', [`${tag}_imputed`], [`${tag}_scaled`], [attr.floats('offset', [f.offset]), attr.floats('scale', [f.scale])], {
          ...ml,
          name: `${tag}_scale`,
        }),
      );
      pieces.push(`${tag}_scaled`);
      return;
    }
    inputs.push(tensorValueInfo(f.name, ElemType.STRING, ['N', 1]));
    const keys = [...f.categories, ''];
    if (f.encoding === 'ordinal') {
      const imputed = f.categories.indexOf(f.impute);
      nodes.push(
        makeNode(
          'LabelEncoder',
          [f.name],
          [`${tag}_codes`],
          [
            attr.strings('keys_strings', keys),
            attr.floats('values_floats', [...f.categories.map((_, k) => k), imputed]),
            attr.float('default_float', -1),
          ],
          { ...ml, name: `${tag}_ordinal` },
        ),
      );
      pieces.push(`${tag}_codes`);
      return;
    }
    const shape = `${tag}_shape`;
    initializers.push(makeTensor(shape, ElemType.INT64, [2], [-1, f.categories.length]));
    nodes.push(
      makeNode(
        'LabelEncoder',
        [f.name],
        [`${tag}_filled`],
        [attr.strings('keys_strings', keys), attr.strings('values_strings', [...f.categories, f.impute]), attr.string('default_string', UNKNOWN)],
        { ...ml, name: `${tag}_impute` },
      ),
      makeNode('OneHotEncoder', [`${tag}_filled`], [`${tag}_onehot3d`], [attr.strings('cats_strings', f.categories), attr.int('zeros', 1)], {
        ...ml,
        name: `${tag}_onehot`,
      }),
      makeNode('Reshape', [`${tag}_onehot3d`, shape], [`${tag}_onehot`], [], { name: `${tag}_reshape` }),
    );
    pieces.push(`${tag}_onehot`);
  });
  nodes.push(makeNode('Concat', pieces, [FEATURES], [attr.int('axis', 1)], { name: 'concat_features' }));
  graph.node = [...nodes, ...(graph.node ?? [])];
  graph.input = inputs;
  graph.initializer = [...initializers, ...(graph.initializer ?? [])];
  model.metadataProps = [
    ...(model.metadataProps ?? []),
    { key: 'kiln_target', value: spec.target },
    { key: 'kiln_raw_features', value: JSON.stringify(spec.features.map((f) => ({ name: f.name, type: f.kind === 'numeric' ? 'float' : 'string' }))) },
  ];
  return model;
}
