import type { onnx } from 'onnx-proto';
import type { BoosterModel } from '../../ml/gbdt/booster';
import { attr, ElemType, makeNode, makeTensor, ONNX_ML_DOMAIN, serializeModel, tensorValueInfo } from '../../ml/onnx/model-builder';
import { boosterToOnnx } from '../../ml/onnx/tree-ensemble';
import { NodeFailure } from '../../define-node';
import type { TransformSpec } from '../featurize/transform-spec';

/** The value a text feature gets when it is not a known category (never a real category name). */
const UNKNOWN = '\u0000kiln:unknown';

/** The booster's input, made by concatenating the preprocessed columns. */
const FEATURES = '__kiln_features';

/** Graph outputs of the tree ensembles: a raw column cannot share their names. */
const RESERVED = new Set(['label', 'probabilities', 'variable']);

/**
 * The whole served model: one input per raw column (float or string tensors [N,1]), the fitted
 * preprocessing as ai.onnx.ml Imputer / Scaler / LabelEncoder / OneHotEncoder nodes, a Concat into the
 * booster's feature matrix `X`, then the tree ensemble.
 */
export function pipelineToOnnx(spec: TransformSpec, booster: BoosterModel): Uint8Array {
  const classLabels =
    spec.classes === null
      ? undefined
      : spec.classes.every((c) => typeof c === 'number' && Number.isInteger(c))
        ? (spec.classes as number[])
        : spec.classes.map(String);
  const model = boosterToOnnx(booster, {
    inputName: FEATURES,
    featureNames: spec.outputFeatures,
    docString: `Kiln gradient-boosted trees (${booster.objective}) predicting ${spec.target} from raw columns`,
    ...(classLabels ? { classLabels } : {}),
  });
  for (const f of spec.features) {
    if (RESERVED.has(f.name) || f.name.startsWith('__kiln_')) {
      throw new NodeFailure(
        `feature column "${f.name}" has a name the ONNX model uses for an output or an internal tensor ` +
          '(label, probabilities, variable, __kiln_*): rename it or drop it',
        { type: 'BadInput', retryable: false },
      );
    }
  }
  const graph = model.graph!;
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
  return serializeModel(model);
}
