import type { RunStarter } from '../catalog/capabilities';

/**
 * What the workflow sends a worker to run one node (or one item of a mapped node), and what comes
 * back. The activity type name is the node type.
 */
export interface NodeTask {
  runId: string;
  pipeline: string;
  nodeId: string;
  type: string;
  params: Record<string, unknown>;
  inputs: Record<string, unknown>;
  /** Attempts the node's retry policy allows; the worker makes the last one final. */
  maxAttempts: number;
  /** Longest one attempt may run; the worker enforces it and kills what the node started. */
  timeoutSeconds?: number;
  /** The node's `resources.memoryMb` (its type's default, else its own): the memory limit of the user code it runs. */
  memoryMb?: number;
  /** The node's `resources.cpu` (likewise): the cores it holds of its worker's budget while it runs, and the threads it uses. */
  cpu?: number;
  /** The run's `startedBy`, for the worker's capability check. */
  startedBy?: RunStarter;
  item?: { index: number; value: unknown };
  /**
   * Outputs an earlier run produced for this node (or this item), to reuse instead of running: the
   * worker checks that every artifact they point at is still stored and returns them as a `cached`
   * result; when one is gone (or a value no longer fits its port) the node runs as usual.
   */
  reuse?: NodeReuse;
  /**
   * The node's cache setting as the run decides it: false when the node or the run turned caching
   * off, true when the node opted in; absent, the worker follows the type's `deterministic`.
   */
  cache?: boolean;
  /** The node's `cacheVersion` (part of the cache key). */
  cacheVersion?: string;
}

/** Where a reused result came from: the run and node that computed it. */
export interface CachedFrom {
  runId: string;
  nodeId: string;
}

/** A node's result from an earlier run, offered for reuse (see {@link NodeTask.reuse}). */
export interface NodeReuse {
  outputs: Record<string, unknown>;
  from: CachedFrom;
  /** The source node decided its downstream must not run (a rejected gate): the reuse decides so again. */
  skipDownstream?: { reason: string };
}

export interface NodeResult {
  outputs: Record<string, unknown>;
  attempt: number;
  /** Set by a node that decides its downstream must not run (a rejected gate). */
  skipDownstream?: { reason: string };
  /** The outputs were reused (0 attempts); `cachedFrom` says from where. */
  cached?: boolean;
  cachedFrom?: CachedFrom;
}

/** Details a worker attaches to a node failure. */
export interface NodeFailureDetails {
  attempt: number;
}
