import { z } from 'zod';

/** Node ids name ports as `node.port`, so they never contain dots. */
export const NODE_ID_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,127}$/;

export const API_VERSION = 'kiln/v1';

const positiveSeconds = z.number().positive().max(31_536_000);

export const retrySchema = z
  .strictObject({
    maxAttempts: z.int().min(1).max(100).optional().describe('Attempts in all, the first included (default 1).'),
    initialIntervalSeconds: positiveSeconds.optional().describe('Wait before the first retry (default 1).'),
    backoffCoefficient: z.number().min(1).max(100).optional().describe('Each wait is this times the last (default 2).'),
    maximumIntervalSeconds: positiveSeconds.optional().describe('Longest wait between attempts (default 100 × the first).'),
    nonRetryableErrors: z.array(z.string()).optional().describe('Error types that are never retried.'),
  })
  .describe('How a failed node is tried again.');

export const resourcesSchema = z
  .strictObject({
    queue: z.string().min(1).max(200).optional().describe('Task queue to run on; overrides cpu/gpu routing.'),
    gpu: z.int().min(0).max(64).optional().describe('GPUs the node needs; any routes it to the gpu queue.'),
    cpu: z
      .number()
      .positive()
      .max(1024)
      .optional()
      .describe(
        'Cores the node uses. The worker runs nodes that ask for cores while their sum fits its KILN_WORKER_CPUS ' +
          '(default: its core count; more than that counts as all of them), and the node uses that many threads.',
      ),
    memoryMb: z.int().positive().optional().describe('Memory limit of the user code the node runs (address space, MB).'),
  })
  .describe('What the node needs from the worker that runs it; its type may declare defaults, which these override field by field.');

/** What a node type may declare as its nodes' default resources: all but the queue (a type's queue is where its workers serve it). */
export const typeResourcesSchema = resourcesSchema.omit({ queue: true }).describe("Defaults for the type's nodes' `resources`.");

export const mapSchema = z
  .strictObject({
    items: z.unknown().describe('A list, or {"$param": name} / {"$output": "node.port"} that gives one.'),
    maxParallel: z.int().min(1).max(10_000).optional().describe('Items run at once (default: the pipeline limit).'),
  })
  .describe('Run the node once per item; `{"$item": ""}` in params is the current item.');

/** A node's place on the studio's canvas. */
export const positionSchema = z.strictObject({ x: z.number(), y: z.number() });

export const nodeSchema = z.strictObject({
  id: z.string().regex(NODE_ID_PATTERN, 'a node id starts with a letter or _ and holds letters, digits, _ and - only'),
  type: z.string().min(1),
  version: z.int().min(1).optional().describe('Node type version the params were written for.'),
  title: z.string().max(200).optional(),
  description: z.string().max(10_000).optional(),
  params: z.record(z.string(), z.unknown()).optional(),
  resources: resourcesSchema.optional(),
  retry: retrySchema.optional(),
  timeoutSeconds: positiveSeconds.optional().describe('Longest one attempt may run.'),
  heartbeatTimeoutSeconds: positiveSeconds.optional().describe('A worker silent this long is presumed lost (default 30).'),
  cache: z
    .boolean()
    .optional()
    .describe(
      'Reuse an earlier identical execution (same type and implementation, params, inputs, cacheVersion). ' +
        'Default: on for deterministic node types, off for the rest; true opts a non-deterministic type in, false turns it off.',
    ),
  cacheVersion: z
    .string()
    .min(1)
    .max(200)
    .optional()
    .describe('Part of the cache key: change it to make this node compute again instead of reusing a cached result.'),
  map: mapSchema.optional(),
  position: positionSchema.optional().describe('Where the studio draws the node: layout, not part of the pipeline\'s identity.'),
});

/** Node positions by node id: a pipeline's layout, kept apart from its versions. */
export const pipelineLayoutSchema = z.record(z.string(), positionSchema);
export type PipelineLayout = z.infer<typeof pipelineLayoutSchema>;

export const edgeSchema = z.strictObject({
  from: z.string().min(1).describe('"node" (ordering) or "node.output" (data).'),
  to: z.string().min(1).describe('"node" (ordering) or "node.input" (data).'),
});

export const pipelineSpecSchema = z.strictObject({
  apiVersion: z.literal(API_VERSION),
  name: z.string().min(1).max(200),
  description: z.string().max(10_000).optional(),
  params: z
    .looseObject({ type: z.literal('object').optional(), properties: z.record(z.string(), z.unknown()).optional() })
    .optional()
    .describe('JSON Schema of the run parameters.'),
  maxParallel: z.int().min(1).max(10_000).optional().describe('Activities running at once (default 8).'),
  failFast: z.boolean().optional().describe('Stop the whole run at the first failure.'),
  nodes: z.array(nodeSchema),
  edges: z.array(edgeSchema).optional(),
});

export type PipelineSpec = z.infer<typeof pipelineSpecSchema>;
export type NodeSpec = z.infer<typeof nodeSchema>;
export type EdgeSpec = z.infer<typeof edgeSchema>;
export type RetrySpec = z.infer<typeof retrySchema>;
export type ResourcesSpec = z.infer<typeof resourcesSchema>;
export type TypeResources = z.infer<typeof typeResourcesSchema>;

/** JSON Schema of the pipeline spec, for other tools and the API docs. */
export function pipelineSpecJsonSchema(): Record<string, unknown> {
  return z.toJSONSchema(pipelineSpecSchema, { unrepresentable: 'any' }) as Record<string, unknown>;
}
