// The fitted preprocessing as a JSON document (`kiln.transform/v1`, on a pipeline's `transform`
// port): declared once, as a schema, which both types the code and checks a document read back.
import { z } from 'zod';
import { TASKS } from '../task';

/** How missing numbers are filled. */
export const imputeStrategySchema = z.enum(['mean', 'median', 'most_frequent', 'constant']);
export const scaleMethodSchema = z.enum(['none', 'standard', 'minmax', 'robust']);
export const encodingSchema = z.enum(['onehot', 'ordinal']);

const finite = z.number().refine(Number.isFinite, 'must be a finite number');

/** A raw numeric column (int, float, bool, date as epoch ms): served as a float tensor [N,1]. */
export const numericFeatureSchema = z.strictObject({
  name: z.string(),
  kind: z.literal('numeric'),
  /** Replaces missing values (NaN). */
  impute: finite,
  /** y = (x − offset) × scale. */
  offset: finite,
  scale: finite,
});

/** A raw text column: served as a string tensor [N,1]; a missing value is served as "". */
export const categoricalFeatureSchema = z.strictObject({
  name: z.string(),
  kind: z.literal('categorical'),
  /** Replaces missing ("") values. */
  impute: z.string(),
  encoding: encodingSchema,
  /** Known categories, in output order; an unknown one encodes as all zeros (one-hot) or −1 (ordinal). */
  categories: z.array(z.string()),
});

export const featureSpecSchema = z.discriminatedUnion('kind', [numericFeatureSchema, categoricalFeatureSchema]);

export const fitOptionsSchema = z.strictObject({
  impute: imputeStrategySchema,
  imputeConstant: finite,
  imputeConstantText: z.string(),
  scale: scaleMethodSchema,
  encoding: encodingSchema,
  maxCategories: z.int().positive(),
});

export const transformSpecSchema = z.strictObject({
  kind: z.literal('kiln.transform/v1'),
  target: z.string(),
  task: z.enum(TASKS),
  /** Ordered class labels (classification), null for regression. */
  classes: z.array(z.union([z.string(), z.number()])).nullable(),
  features: z.array(featureSpecSchema),
  /** Names of the model's input columns after preprocessing, in order. */
  outputFeatures: z.array(z.string()),
  /**
   * The options the features were fitted with, so the same preprocessing can be fitted again on
   * other rows (train.cv refits it on each fold's training rows). Absent in older transforms.
   */
  fit: fitOptionsSchema.optional(),
});

export type ImputeStrategy = z.infer<typeof imputeStrategySchema>;
export type ScaleMethod = z.infer<typeof scaleMethodSchema>;
export type Encoding = z.infer<typeof encodingSchema>;
export type NumericFeature = z.infer<typeof numericFeatureSchema>;
export type CategoricalFeature = z.infer<typeof categoricalFeatureSchema>;
export type FeatureSpec = z.infer<typeof featureSpecSchema>;
export type FitOptions = z.infer<typeof fitOptionsSchema>;
export type TransformSpec = z.infer<typeof transformSpecSchema>;
