import { z } from 'zod';
import { type NodeState as EngineNodeState, type RunState as EngineRunState, logAttemptSchema, logEndSchema, logLineSchema } from '@kiln/engine';
import { jsonObject, timestamp } from './common';
import { runStatus, runTrigger } from './pipelines';

export const nodeStatus = z.enum(['pending', 'running', 'succeeded', 'failed', 'skipped', 'cached', 'cancelled']);

/** What the workflow knows about one node (the engine's `NodeState`, checked equal below). */
export const nodeState = z.object({
  status: nodeStatus,
  attempts: z.int().nonnegative(),
  startedAt: z.string().optional(),
  endedAt: z.string().optional(),
  outputs: jsonObject.optional(),
  error: z.object({ message: z.string(), type: z.string() }).optional(),
  reason: z.string().optional().describe('Why a node was skipped or cancelled.'),
  queue: z.string().optional().describe('The task queue it ran on.'),
  cachedFrom: z.object({ runId: z.string(), nodeId: z.string() }).optional().describe('A cached node: the run and node whose outputs it reused.'),
  items: z.object({ total: z.int(), done: z.int(), failed: z.int(), cached: z.int().optional() }).optional().describe('For a node that maps over items: how far it got (cached: how many of the done were reused from the cache).'),
  live: z
    .object({
      attempt: z.int().positive(),
      progress: z.unknown().describe('What the node last reported with its heartbeat (null before the first).'),
      lastHeartbeat: timestamp.nullable(),
      lastFailure: z.string().nullable().describe("The previous attempt's failure, when this one is a retry."),
    })
    .optional()
    .describe("A running node's activity as Temporal sees it (GET /runs/{runId} while the run is running)."),
});
export type NodeState = z.infer<typeof nodeState>;

export const runState = z.object({
  runId: z.string(),
  pipeline: z.string(),
  status: runStatus,
  startedAt: z.string(),
  endedAt: z.string().optional(),
  nodes: z.record(z.string(), nodeState),
  generations: z.int().nonnegative(),
});
export type RunState = z.infer<typeof runState>;

/**
 * A run as `GET /runs` lists it: the row without its state (a run's final state holds every node's
 * outputs, too much to send for a page of runs; `GET /runs/{runId}` has it).
 */
export const runSummary = z.object({
  id: z.string().describe('The Temporal workflow id.'),
  pipelineId: z.uuid(),
  version: z.int().positive(),
  params: jsonObject,
  trigger: runTrigger,
  status: runStatus,
  startedAt: timestamp,
  endedAt: timestamp.nullable(),
  createdBy: z.string().nullable(),
  source: z.string().nullable().describe('The schedule, webhook, run (rerun) or deployment (drift) that started it.'),
  error: z.string().nullable(),
});
export type RunSummary = z.infer<typeof runSummary>;

/** `GET /runs/{runId}`: the run with every node's state, live from the workflow while it runs (null until the workflow answers). */
export const runDetail = runSummary.extend({
  state: runState.nullable(),
  rerunOf: z.string().nullable().describe('The run this one re-ran (its `source`), when it is a re-run.'),
  temporalUrl: z.url().optional().describe("The run's workflow in the Temporal web UI, when the API knows the UI's address."),
});
export type RunDetail = z.infer<typeof runDetail>;

/** `POST /pipelines/{id}/runs`, `POST /runs/{runId}/rerun`: `existing` when an idempotency key matched a run. */
export const runStarted = z.object({ runId: z.string(), existing: z.boolean().optional() });
export type RunStarted = z.infer<typeof runStarted>;

/** `POST /runs/{runId}/rerun`: the new run, the run it re-ran, and the nodes whose results it reuses (none without `from`). */
export const rerunStarted = runStarted.extend({ rerunOf: z.string(), reusing: z.array(z.string()) });
export type RerunStarted = z.infer<typeof rerunStarted>;

/** `POST /runs/{runId}/nodes/{nodeId}/approve|reject`. */
export const decisionRecorded = z.object({ runId: z.string(), nodeId: z.string(), decision: z.enum(['approve', 'reject']) });
export type DecisionRecorded = z.infer<typeof decisionRecorded>;

/** `POST /runs/{runId}/cancel`: the cancellation was asked of the workflow (the run ends as cancelled). */
export const runCancelling = z.object({ runId: z.string(), cancelling: z.literal(true) });
export type RunCancelling = z.infer<typeof runCancelling>;

/**
 * `GET /runs/{runId}/events` (server-sent events): the `data` of each event by its name. `node` each
 * time a node's state changes (every node's state first), then `end` once the run has ended.
 */
export const runEvents = {
  node: nodeState.extend({ nodeId: z.string() }),
  end: z.object({
    runId: z.string(),
    status: z.union([runStatus, z.literal('unknown')]).describe('unknown when the final state could not be read.'),
  }),
};
export type RunEvents = { [E in keyof typeof runEvents]: z.infer<(typeof runEvents)[E]> };

/**
 * `GET /runs/{runId}/nodes/{nodeId}/logs?follow=true` (server-sent events): `attempt` (which attempt
 * is followed), `lines` (new lines), `dropped` (lines the cap left out: `n` jumps from `after` by
 * `count`), then `end` (with the final log's summary when the attempt wrote one).
 */
export const nodeLogEvents = {
  attempt: logAttemptSchema,
  lines: z.array(logLineSchema),
  dropped: z.object({ after: z.int().nonnegative(), count: z.int().positive() }),
  end: logAttemptSchema.partial().extend({ end: logEndSchema.optional(), reason: z.string() }),
};
export type NodeLogEvents = { [E in keyof typeof nodeLogEvents]: z.infer<(typeof nodeLogEvents)[E]> };

// The engine declares NodeState and RunState for the workflow (which may not load zod): these
// assertions fail to compile when the two drift apart.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameNodeState: Same<Omit<NodeState, 'live'>, EngineNodeState> = true;
const sameRunState: Same<Omit<RunState, 'nodes'>, Omit<EngineRunState, 'nodes'>> = true;
void sameNodeState;
void sameRunState;
