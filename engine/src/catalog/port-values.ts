import { z } from 'zod';
import type { OptionalKeys, PortMap, PortType, RequiredKeys, TypeOf } from './port-types';

/**
 * What flows between nodes: one zod schema per port type, the only declaration of these shapes. The
 * TypeScript types are inferred from them, the catalog serves their JSON Schema, and the worker checks
 * every input and output value against them. They describe references and metadata, never row data
 * (a Dataset is a pointer to an Arrow file plus its schema and column statistics), so checking a
 * value is cheap.
 *
 * Objects are not strict: a value written by a newer node may carry more than these fields.
 */

/** What a model predicts. */
export const TASKS = ['binary', 'multiclass', 'regression'] as const;
export const taskSchema = z.enum(TASKS);
export type Task = z.infer<typeof taskSchema>;

/** A cell type of a dataset column. */
export const COLUMN_TYPES = ['int', 'float', 'bool', 'date', 'string'] as const;
export const columnTypeSchema = z.enum(COLUMN_TYPES);
export type ColumnType = z.infer<typeof columnTypeSchema>;

/** How `deploy.model` rolls a version out. */
export const DEPLOY_STRATEGIES = ['replace', 'canary', 'blue-green', 'shadow'] as const;
export const deployStrategySchema = z.enum(DEPLOY_STRATEGIES);
export type DeployStrategy = z.infer<typeof deployStrategySchema>;

/** `sha256:<64 lowercase hex>`: an artifact's identity. */
export const artifactDigestSchema = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'is not a sha256:<64 hex> digest');

/**
 * A pointer to immutable bytes in an artifact store. The digest is the identity: two refs with the
 * same digest name the same bytes, wherever `uri` says they live.
 */
export const artifactRefSchema = z.object({
  uri: z.string().min(1).describe('Where the bytes live: file://… for the folder store, s3://… for the S3 store.'),
  digest: artifactDigestSchema,
  size: z.number().int().nonnegative().describe('Byte length.'),
  mediaType: z.string().min(1).describe('IANA media type, e.g. application/vnd.apache.arrow.file.'),
  meta: z.record(z.string(), z.unknown()).optional().describe('Free-form facts about the artifact (not part of its identity).'),
});
export type ArtifactRef = z.infer<typeof artifactRefSchema>;

/** One column of a dataset. */
export const columnSchemaSchema = z.object({ name: z.string(), type: columnTypeSchema, nullable: z.boolean() });
export type ColumnSchema = z.infer<typeof columnSchemaSchema>;

/** Cells that did not fit a column's inferred type, read as null: how many, and the first few with their line and value. */
export const typeOffendersSchema = z.object({
  count: z.number().int().nonnegative(),
  samples: z.array(z.object({ line: z.number().int(), value: z.string() })),
});
export type TypeOffenders = z.infer<typeof typeOffendersSchema>;

const baseStats = {
  name: z.string(),
  type: columnTypeSchema,
  count: z.number().int().nonnegative().describe('Non-null values.'),
  nullCount: z.number().int().nonnegative().describe('Nulls, offenders included.'),
  offenders: typeOffendersSchema.optional().describe('Cells that did not fit the inferred type (absent when there are none).'),
};

/** Equal-width bins from min to max; bin k is `[edges[k], edges[k+1])`, the last one closed. */
export const histogramSchema = z.object({ edges: z.array(z.number()), counts: z.array(z.number()) });
export type Histogram = z.infer<typeof histogramSchema>;

/** int and float columns. `std` is the sample standard deviation (n − 1); nulls when undefined. */
export const numericStatsSchema = z.object({
  ...baseStats,
  kind: z.literal('numeric'),
  min: z.number().nullable(),
  max: z.number().nullable(),
  mean: z.number().nullable(),
  std: z.number().nullable(),
  histogram: histogramSchema.nullable(),
});
export type NumericStats = z.infer<typeof numericStatsSchema>;

/**
 * string columns. Past the distinct-value cap, counting stops: `distinctCount` reads `">100000"` and
 * `topValuesExact` is false (values first seen after that point are not counted).
 */
export const categoricalStatsSchema = z.object({
  ...baseStats,
  kind: z.literal('categorical'),
  distinctCount: z.union([z.number().int().nonnegative(), z.templateLiteral(['>', z.number()])]),
  topValues: z.array(z.object({ value: z.string(), count: z.number().int().nonnegative() })),
  topValuesExact: z.boolean(),
});
export type CategoricalStats = z.infer<typeof categoricalStatsSchema>;

export const boolStatsSchema = z.object({ ...baseStats, kind: z.literal('bool'), trueCount: z.number().int().nonnegative(), falseCount: z.number().int().nonnegative() });
export type BoolStats = z.infer<typeof boolStatsSchema>;

/** date columns: ISO 8601 strings (UTC). */
export const dateStatsSchema = z.object({ ...baseStats, kind: z.literal('date'), min: z.string().nullable(), max: z.string().nullable() });
export type DateStats = z.infer<typeof dateStatsSchema>;

/** Per-column statistics of a dataset: plain JSON, with no NaN or Infinity. */
export const columnStatsSchema = z.discriminatedUnion('kind', [numericStatsSchema, categoricalStatsSchema, boolStatsSchema, dateStatsSchema]);
export type ColumnStats = z.infer<typeof columnStatsSchema>;

/** `Dataset`: an Arrow IPC file in the artifact store, with what a consumer wants to know before opening it. */
export const datasetValueSchema = z.object({
  artifact: artifactRefSchema,
  schema: z.array(columnSchemaSchema),
  rowCount: z.number().int().nonnegative(),
  stats: z.array(columnStatsSchema),
});
export type DatasetValue = z.infer<typeof datasetValueSchema>;

/** A raw input column of a model: one ONNX input `[n, 1]`, float32 or string. */
export const modelFeatureSchema = z.object({ name: z.string().min(1), type: z.enum(['float', 'string']) });
export type ModelFeature = z.infer<typeof modelFeatureSchema>;

/** What a model takes and gives: its task, raw feature columns and classes (in probability order; null for regression). */
export const modelSignatureSchema = z.object({
  task: taskSchema,
  features: z.array(modelFeatureSchema).min(1),
  classes: z.array(z.union([z.string(), z.number()])).nullable(),
});
export type ModelSignature = z.infer<typeof modelSignatureSchema>;

/** `Model`: an ONNX model over the raw columns, with its signature and the column it predicts. */
export const modelValueSchema = modelSignatureSchema
  .extend({ artifact: artifactRefSchema, target: z.string().min(1) })
  .superRefine((m, ctx) => {
    if (m.task === 'regression' && m.classes !== null) ctx.addIssue({ code: 'custom', path: ['classes'], message: 'must be null for a regression model' });
    if (m.task !== 'regression' && (m.classes === null || m.classes.length < 1)) {
      ctx.addIssue({ code: 'custom', path: ['classes'], message: `must list the classes of a ${m.task} model` });
    }
  });
export type ModelValue = z.infer<typeof modelValueSchema>;

/** `Transform`: fitted preprocessing (a JSON artifact), with the target, task and the raw features it takes. */
export const transformValueSchema = z.object({
  artifact: artifactRefSchema,
  target: z.string().min(1),
  task: taskSchema,
  classes: z.array(z.union([z.string(), z.number()])).nullable(),
  features: z.array(modelFeatureSchema),
  outputFeatures: z.number().int().nonnegative().describe('Columns the preprocessing produces.'),
});
export type TransformValue = z.infer<typeof transformValueSchema>;

/** `Metrics`: headline numbers (null where undefined) plus the full report as an artifact. */
export const metricsValueSchema = z.object({
  task: taskSchema,
  values: z.record(z.string(), z.number().nullable()),
  report: artifactRefSchema,
});
export type MetricsValue = z.infer<typeof metricsValueSchema>;

/** `Report`: a JSON report in the store, with a summary small enough to show. */
export const reportValueSchema = z.object({ artifact: artifactRefSchema, summary: z.record(z.string(), z.unknown()) });
export type ReportValue = z.infer<typeof reportValueSchema>;

/** `Deployment`: a model version rolled out to a deployment, and how it serves after the rollout. */
export const deploymentValueSchema = z.object({
  name: z.string().min(1),
  model: z.string().min(1),
  version: z.number().int().positive(),
  strategy: deployStrategySchema,
  role: z.enum(['primary', 'canary', 'shadow']).describe('All traffic, a canary share, or shadow traffic.'),
});
export type DeploymentValue = z.infer<typeof deploymentValueSchema>;

/** Media type of a `Model` artifact: every trainer exports ONNX. */
export const ONNX_MEDIA_TYPE = 'application/onnx';

/** `Json`: any plain JSON value (a count, stdout, a list to map over). */
export const jsonValueSchema = z.json();

/** The schema of each port type's value. */
export const PORT_VALUE_SCHEMAS = {
  Dataset: datasetValueSchema,
  Model: modelValueSchema,
  Transform: transformValueSchema,
  Metrics: metricsValueSchema,
  Report: reportValueSchema,
  Deployment: deploymentValueSchema,
  Json: jsonValueSchema,
} as const satisfies Record<PortType, z.ZodType>;

/**
 * The TypeScript type of a port type's value. A `Json` value is `unknown` to the compiler: any
 * object that survives `JSON.stringify` fits, which the worker checks when the node runs.
 */
export type PortValue<T extends PortType> = T extends 'Json' ? unknown : z.infer<(typeof PORT_VALUE_SCHEMAS)[T]>;

/**
 * The values a node's `run` gets for its input ports (checked by the worker before the call); an
 * optional input not connected is `undefined`.
 */
export type PortValues<I extends PortMap> = { [K in RequiredKeys<I>]: PortValue<TypeOf<I[K]>> } & {
  [K in OptionalKeys<I>]?: PortValue<TypeOf<I[K]>>;
};

/** One way a value breaks its port's schema: where (a path into the value) and what. */
export interface PortValueIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * Every way `value` breaks the schema of port type `type` (empty when it fits). `list` says the
 * value is a list of such values (an input fed by a mapped node: one value per item).
 */
export function checkPortValue(type: PortType, value: unknown, options: { list?: boolean } = {}): PortValueIssue[] {
  const schema: z.ZodType = options.list ? listSchema(type) : PORT_VALUE_SCHEMAS[type];
  const result = schema.safeParse(value);
  if (result.success) return [];
  return result.error.issues.map((i) => ({ path: i.path.filter((s): s is string | number => typeof s !== 'symbol'), message: i.message }));
}

const listSchemas = new Map<PortType, z.ZodType>();
function listSchema(type: PortType): z.ZodType {
  let schema = listSchemas.get(type);
  if (!schema) listSchemas.set(type, (schema = z.array(PORT_VALUE_SCHEMAS[type])));
  return schema;
}

/** `path` as `a.b[2].c`, for messages. */
export function formatValuePath(path: readonly (string | number)[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

/** A port type's value as JSON Schema (draft 2020-12), for the catalog and API docs. */
export function portValueJsonSchema(type: PortType): Record<string, unknown> {
  return z.toJSONSchema(PORT_VALUE_SCHEMAS[type], { unrepresentable: 'any' }) as Record<string, unknown>;
}
