import type { RunStarter } from '../catalog/capabilities';
import type { PipelineSpec } from '../spec/schema';
import type { NodeState } from './run-state';

/** The workflow's input. `resume` is set when the workflow continues as new. */
export interface RunInput {
  spec: PipelineSpec;
  /** Run parameter values, already checked and with defaults filled in. */
  params: Record<string, unknown>;
  trigger?: string;
  /**
   * Who started the run, as the starter claims it: the API puts the authenticated token's name and
   * role here; workers check role-restricted capabilities against it, under their own policy (a
   * worker that disables a capability refuses it whatever the claim).
   */
  startedBy?: RunStarter;
  /** History thresholds that make the workflow continue as new (tests set them low). */
  limits?: { maxHistoryEvents?: number; maxHistoryBytes?: number };
  resume?: {
    startedAt: string;
    generations: number;
    /** The changes-query version reached, so watchers see one increasing count across generations. */
    version: number;
    nodes: Record<string, NodeState>;
    /** Outputs of the items a mapped node had finished, by index (null: not finished). */
    mapResults: Record<string, (Record<string, unknown> | null)[]>;
  };
}

export const WORKFLOW_TASK_QUEUE = 'kiln-workflows';
export const PIPELINE_WORKFLOW_TYPE = 'pipelineWorkflow';
export const STATE_QUERY = 'state';
export const CHANGES_QUERY = 'changes';
export const DEFAULT_MAX_HISTORY_EVENTS = 10_000;
export const DEFAULT_MAX_HISTORY_BYTES = 10 * 1024 * 1024;
/** Extra attempts granted beyond a node's policy for attempts lost with a worker (heartbeat timeouts). */
export const INFRA_RETRY_ALLOWANCE = 2;
export const DEFAULT_NODE_TIMEOUT_SECONDS = 7 * 24 * 3600;
