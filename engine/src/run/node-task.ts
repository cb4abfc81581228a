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
  /** The node's `resources.memoryMb`: the memory limit of the user code it runs. */
  memoryMb?: number;
  /** The run's `startedBy`, for the worker's capability check. */
  startedBy?: RunStarter;
  item?: { index: number; value: unknown };
}

export interface NodeResult {
  outputs: Record<string, unknown>;
  attempt: number;
  /** Set by a node that decides its downstream must not run (a rejected gate). */
  skipDownstream?: { reason: string };
  cached?: boolean;
}

/** Details a worker attaches to a node failure. */
export interface NodeFailureDetails {
  attempt: number;
}
