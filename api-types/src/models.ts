import { z } from 'zod';
import { datasetValueSchema, modelValueSchema } from '@kiln/engine';
import { jsonObject, timestamp } from './common';

export const modelStage = z.enum(['none', 'staging', 'production', 'archived']);
export type ModelStage = z.infer<typeof modelStage>;

/** A registered model in the list. */
export const modelSummary = z.object({
  name: z.string(),
  description: z.string().nullable(),
  createdAt: timestamp,
  createdBy: z.string(),
  versions: z.int().nonnegative(),
  latestVersion: z.int().nonnegative(),
  production: z.int().positive().nullable().describe('The version in production, if any.'),
});
export type ModelSummary = z.infer<typeof modelSummary>;

export const modelVersionSummary = z.object({
  version: z.int().positive(),
  stage: modelStage,
  metrics: jsonObject,
  createdAt: timestamp,
  createdBy: z.string(),
  wasProduction: z.boolean(),
  stageChangedAt: timestamp,
});
export type ModelVersionSummary = z.infer<typeof modelVersionSummary>;

/** `GET /models/{name}`: the model and its versions, oldest first. */
export const modelDetail = modelSummary.pick({ name: true, description: true, createdAt: true, createdBy: true }).extend({ versions: z.array(modelVersionSummary) });
export type ModelDetail = z.infer<typeof modelDetail>;

/** `GET /models/{name}/versions/{version}` (and what register, promote and rollback answer). */
export const modelVersionDetail = z.object({
  name: z.string(),
  version: z.int().positive(),
  stage: modelStage,
  model: modelValueSchema.describe('The registered Model port value.'),
  metrics: jsonObject,
  lineage: z.looseObject({
    runId: z.string(),
    nodeId: z.string().optional(),
    pipelineId: z.string(),
    pipelineVersion: z.int(),
    datasets: z.array(z.object({ nodeId: z.string(), digest: z.string(), rowCount: z.number().nullable(), columns: z.number().nullable() })),
  }),
  wasProduction: z.boolean(),
  stageChangedAt: timestamp,
  card: z.object({ sections: jsonObject, markdown: z.string() }).nullable(),
  reference: datasetValueSchema.nullable().optional().describe('The training data (a Dataset port value), the drift reference.'),
  createdAt: timestamp,
  createdBy: z.string(),
});
export type ModelVersionDetail = z.infer<typeof modelVersionDetail>;
