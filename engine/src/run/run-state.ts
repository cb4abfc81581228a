import type { CachedFrom } from './node-task';

/** Where a node is. `cached` means its result came from the cache instead of running. */
export const NODE_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'cached', 'cancelled'] as const;
export type NodeStatus = (typeof NODE_STATUSES)[number];

export type RunStatus = 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface NodeError {
  readonly message: string;
  /** Error type: the class of a thrown error, `Timeout`, or a node's own name for it. */
  readonly type: string;
}

/** What the workflow knows about one node; a public contract (CLI `--json`, the API). */
export interface NodeState {
  status: NodeStatus;
  attempts: number;
  startedAt?: string;
  endedAt?: string;
  outputs?: Record<string, unknown>;
  error?: NodeError;
  /** Why a node was skipped or cancelled. */
  reason?: string;
  /** The task queue it ran on. */
  queue?: string;
  /** For a node that maps over items: how far it got (`cached`: how many of the done were reused from the cache). */
  items?: { total: number; done: number; failed: number; cached?: number };
  /** A `cached` node: the run and node whose outputs it reused. */
  cachedFrom?: CachedFrom;
}

export interface RunState {
  runId: string;
  pipeline: string;
  status: RunStatus;
  startedAt: string;
  endedAt?: string;
  nodes: Record<string, NodeState>;
  /** How many times the workflow continued as new to keep its history short. */
  generations: number;
}

/** The changes query: nodes whose state changed after `since`. */
export interface RunChanges {
  version: number;
  status: RunStatus;
  nodes: Record<string, NodeState>;
}

export const TERMINAL_NODE_STATUSES: ReadonlySet<NodeStatus> = new Set(['succeeded', 'failed', 'skipped', 'cached', 'cancelled']);
export const DONE_NODE_STATUSES: ReadonlySet<NodeStatus> = new Set(['succeeded', 'cached']);
