import type { NodeError, RunState } from '@kiln/engine';

/** The `kiln run --json` document: a public contract. */
export interface RunSummary {
  runId: string;
  pipeline: string;
  status: 'succeeded' | 'failed' | 'cancelled';
  startedAt: string;
  endedAt: string | null;
  nodes: Record<
    string,
    {
      status: string;
      attempts: number;
      startedAt: string | null;
      endedAt: string | null;
      outputs: Record<string, unknown> | null;
      error: NodeError | null;
    }
  >;
}

export function runSummary(state: RunState): RunSummary {
  return {
    runId: state.runId,
    pipeline: state.pipeline,
    status: state.status === 'running' ? 'failed' : state.status,
    startedAt: state.startedAt,
    endedAt: state.endedAt ?? null,
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
        },
      ]),
    ),
  };
}
