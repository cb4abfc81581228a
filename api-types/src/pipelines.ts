import { z } from 'zod';
import { pipelineSpecSchema } from '@kiln/engine';
import { timestamp } from './common';

export const runStatus = z.enum(['running', 'succeeded', 'failed', 'cancelled']);
export const runTrigger = z.enum(['api', 'schedule', 'webhook', 'rerun', 'cli', 'drift']);

/** A pipeline in the list: its latest version number and its last run. */
export const pipelineSummary = z.object({
  id: z.uuid(),
  name: z.string(),
  description: z.string().nullable(),
  latestVersion: z.int().positive(),
  createdAt: timestamp,
  updatedAt: timestamp,
  archivedAt: timestamp.nullable(),
  createdBy: z.string(),
  lastRun: z.object({ id: z.string(), status: runStatus, startedAt: timestamp, trigger: runTrigger }).nullable(),
});
export type PipelineSummary = z.infer<typeof pipelineSummary>;

/** `GET /pipelines/{id}`: the pipeline with its latest version's spec (as saved: a `kiln/v1` document) and hash. */
export const pipelineDetail = pipelineSummary.omit({ lastRun: true }).extend({ spec: pipelineSpecSchema, hash: z.string() });
export type PipelineDetail = z.infer<typeof pipelineDetail>;

/** One line of `GET /pipelines/{id}/versions`. */
export const pipelineVersionSummary = z.object({ version: z.int().positive(), hash: z.string(), author: z.string().nullable(), createdAt: timestamp });
export type PipelineVersionSummary = z.infer<typeof pipelineVersionSummary>;

/** `GET /pipelines/{id}/versions/{version}`: an immutable version. */
export const pipelineVersion = pipelineVersionSummary.extend({ pipelineId: z.uuid(), spec: pipelineSpecSchema });
export type PipelineVersion = z.infer<typeof pipelineVersion>;

/** `POST /pipelines`. */
export const pipelineCreated = z.object({ id: z.uuid(), version: z.int().positive() });
/**
 * `PUT /pipelines/{id}`: `created` is false when the spec (node positions aside) equals the latest
 * version's; `layoutChanged` when the node positions sent differ from the stored layout.
 */
export const pipelineUpdated = pipelineCreated.extend({ created: z.boolean(), layoutChanged: z.boolean() });
export type PipelineCreated = z.infer<typeof pipelineCreated>;
export type PipelineUpdated = z.infer<typeof pipelineUpdated>;
