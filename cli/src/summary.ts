import type { NodeError, RunState } from '@kiln/engine';

/** The `kiln run --json` document: a public contract. */
export interface RunSummary {
  runId: string;
  pipeline: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  startedAt: string;
  endedAt: string | null;
  /** The run this one re-ran (`kiln run --resume`), or null. */
  rerunOf: string | null;
  nodes: Record<
    string,
    {
      status: string;
      attempts: number;
      startedAt: string | null;
      endedAt: string | null;
      outputs: Record<string, unknown> | null;
      error: NodeError | null;
      /** A `cached` node: the run (and node) whose outputs it reused; null otherwise. */
      cachedFrom: { runId: string; nodeId: string } | null;
    }
  >;
}

export function runSummary(state: RunState, rerunOf?: string): RunSummary {
  return {
    runId: state.runId,
    pipeline: state.pipeline,
    status: state.status === 'running' ? 'failed' : state.status,
    startedAt: state.startedAt,
    endedAt: state.endedAt ?? null,
    rerunOf: rerunOf ?? null,
    nodes: Object.fromEntries(
      Object.entries(state.nodes).map(([id, n]) => [
        id,
        {
          status: n.status,
          attempts: n.attempts,
          startedAt: n.startedAt ?? null,
          endedAt: n.endedAt ?? null,
          outputs: n.outputs ?? null,
          error: n.error ?? null,
          cachedFrom: n.cachedFrom ?? null,
        },
      ]),
    ),
  };
}
