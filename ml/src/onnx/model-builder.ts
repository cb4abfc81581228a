import onnxProto from 'onnx-proto';
import type { onnx } from 'onnx-proto';

// onnx-proto is CommonJS (`module.exports = { onnx }`): only the default import is reliable from ESM.
const { onnx: proto } = onnxProto;

/** The ONNX-ML operator domain (tree ensembles, scalers, encoders). */
export const ONNX_ML_DOMAIN = 'ai.onnx.ml';

/** Default opsets: ONNX 17 and ONNX-ML 3 (what onnxruntime 1.30 runs; `TreeEnsemble*` v3). */
export const DEFAULT_OPSETS: Readonly<Record<string, number>> = { '': 17, [ONNX_ML_DOMAIN]: 3 };

/** IR version 8 goes with opset 17. */
const IR_VERSION = 8;

/** Tensor element types used here (values from onnx.TensorProto.DataType). */
export const ElemType = {
  FLOAT: 1,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  DOUBLE: 11,
} as const;
export type ElemType = (typeof ElemType)[keyof typeof ElemType];

const AttrType = proto.AttributeProto.AttributeType;
const utf8 = new TextEncoder();

/** Attribute constructors; ONNX distinguishes ints from floats, so the caller says which. */
export const attr = {
  int: (name: string, i: number): onnx.IAttributeProto => ({ name, type: AttrType.INT, i }),
  float: (name: string, f: number): onnx.IAttributeProto => ({ name, type: AttrType.FLOAT, f }),
  string: (name: string, s: string): onnx.IAttributeProto => ({
    name,
    type: AttrType.STRING,
    s: utf8.encode(s),
  }),
  ints: (name: string, ints: readonly number[]): onnx.IAttributeProto => ({
    name,
    type: AttrType.INTS,
    ints: [...ints],
  }),
  floats: (name: string, floats: readonly number[]): onnx.IAttributeProto => ({
    name,
    type: AttrType.FLOATS,
    floats: [...floats],
  }),
  strings: (name: string, strings: readonly string[]): onnx.IAttributeProto => ({
    name,
    type: AttrType.STRINGS,
    strings: strings.map((s) => utf8.encode(s)),
  }),
  tensor: (name: string, t: onnx.ITensorProto): onnx.IAttributeProto => ({ name, type: AttrType.TENSOR, t }),
};

/** One graph node. `domain` defaults to the standard ONNX domain. */
export function makeNode(
  opType: string,
  inputs: readonly string[],
  outputs: readonly string[],
  attributes: readonly onnx.IAttributeProto[] = [],
  options: { name?: string; domain?: string } = {},
): onnx.INodeProto {
  return {
    opType,
    input: [...inputs],
    output: [...outputs],
    attribute: [...attributes],
    name: options.name ?? opType,
    domain: options.domain ?? '',
  };
}

/** A dimension: a fixed size, a symbolic name (`'N'`), or null for unknown. */
export type Dim = number | string | null;

/** A typed tensor graph input or output. */
export function tensorValueInfo(
  name: string,
  elemType: ElemType,
  shape: readonly Dim[],
): onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: {
          dim: shape.map((d) =>
            typeof d === 'number' ? { dimValue: d } : d === null ? {} : { dimParam: d },
          ),
        },
      },
    },
  };
}

/** A constant tensor (for initializers or `Constant` nodes). */
export function makeTensor(
  name: string,
  elemType: ElemType,
  dims: readonly number[],
  values: ArrayLike<number> | readonly string[],
): onnx.ITensorProto {
  const t: onnx.ITensorProto = { name, dataType: elemType, dims: [...dims] };
  const list = Array.from(values as ArrayLike<number | string>);
  switch (elemType) {
    case ElemType.FLOAT:
      t.floatData = list as number[];
      break;
    case ElemType.DOUBLE:
      t.doubleData = list as number[];
      break;
    case ElemType.INT32:
      t.int32Data = list as number[];
      break;
    case ElemType.INT64:
      t.int64Data = list as number[];
      break;
    case ElemType.STRING:
      t.stringData = (list as string[]).map((s) => utf8.encode(s));
      break;
  }
  return t;
}

/** Everything a model needs. */
export interface ModelSpec {
  readonly graphName: string;
  readonly nodes: readonly onnx.INodeProto[];
  readonly inputs: readonly onnx.IValueInfoProto[];
  readonly outputs: readonly onnx.IValueInfoProto[];
  readonly initializers?: readonly onnx.ITensorProto[];
  /** Domain → version; defaults to `DEFAULT_OPSETS`. */
  readonly opsets?: Readonly<Record<string, number>>;
  readonly producerName?: string;
  readonly producerVersion?: string;
  readonly docString?: string;
  /** Free-form key/values stored in the model (`metadata_props`). */
  readonly metadata?: Readonly<Record<string, string>>;
}

/** Builds a `ModelProto`. */
export function makeModel(spec: ModelSpec): onnx.ModelProto {
  const opsets = spec.opsets ?? DEFAULT_OPSETS;
  return proto.ModelProto.create({
    irVersion: IR_VERSION,
    producerName: spec.producerName ?? 'kiln',
    producerVersion: spec.producerVersion ?? '',
    docString: spec.docString ?? '',
    opsetImport: Object.entries(opsets).map(([domain, version]) => ({ domain, version })),
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => ({ key, value })),
    graph: {
      name: spec.graphName,
      node: [...spec.nodes],
      input: [...spec.inputs],
      output: [...spec.outputs],
      initializer: [...(spec.initializers ?? [])],
    },
  });
}

/** Protobuf bytes, ready for `InferenceSession.create` or the artifact store. */
export function serializeModel(model: onnx.IModelProto): Uint8Array {
  return proto.ModelProto.encode(model).finish();
}

/** Parses protobuf bytes back into a `ModelProto` (for inspection and tests). */
export function parseModel(bytes: Uint8Array): onnx.ModelProto {
  return proto.ModelProto.decode(bytes);
}
