// search.select: keeps the best trial of a search. Its inputs come from a mapped trainer node, whose
// outputs are lists in item order (one `Metrics` and one `Model` per trial): the ports are typed
// `Metrics` and `Model` so the edges validate, and the node accepts a single value or a list.
import { type MetricsValue, type ModelValue } from '@kiln/engine';
import { NodeFailure, defineNode } from '../define-node';
import declaration from './select.decl';

export interface LeaderboardEntry {
  rank: number;
  trial: number;
  value: number;
  params: Record<string, unknown> | null;
  metrics: Record<string, number | null>;
}

const asList = <T>(v: unknown): T[] => (Array.isArray(v) ? (v as T[]) : v == null ? [] : [v as T]);
const bad = (message: string) => new NodeFailure(message, { type: 'BadInput', retryable: false });

/** Ranks trials by `metric`; trials without a finite value are left out. */
export function leaderboard(
  metrics: MetricsValue[],
  metric: string,
  mode: 'max' | 'min',
  trials?: Record<string, unknown>[],
): LeaderboardEntry[] {
  const rows = metrics
    .map((m, trial) => ({ trial, value: m?.values?.[metric], params: trials?.[trial] ?? null, metrics: m?.values ?? {} }))
    .filter((r): r is Omit<LeaderboardEntry, 'rank'> => typeof r.value === 'number' && Number.isFinite(r.value));
  rows.sort((a, b) => (mode === 'max' ? b.value - a.value : a.value - b.value) || a.trial - b.trial);
  return rows.map((r, i) => ({ rank: i + 1, ...r }));
}

export default defineNode({
  ...declaration,
  run: async (_ctx, inputs, p) => {
    const metrics = asList<MetricsValue>(inputs.metrics);
    const models = asList<ModelValue>(inputs.model);
    if (metrics.length === 0) throw bad('no trials: the "metrics" input is empty');
    if (metrics.length !== models.length) {
      throw bad(`"metrics" has ${metrics.length} trials but "model" has ${models.length}; feed both from the same mapped node`);
    }
    if (p.trials && p.trials.length !== metrics.length) throw bad(`"trials" lists ${p.trials.length} param sets for ${metrics.length} trials`);
    const board = leaderboard(metrics, p.metric, p.mode, p.trials);
    if (board.length === 0) {
      const known = Object.keys(metrics[0]?.values ?? {}).join(', ');
      throw bad(`no trial reports metric "${p.metric}" (metrics: ${known})`);
    }
    const best = board[0]!;
    const chosen = metrics[best.trial]!;
    return {
      outputs: {
        model: models[best.trial]!,
        metrics: { ...chosen, values: { ...chosen.values, search_trial: best.trial, search_trials: metrics.length } },
        leaderboard: { metric: p.metric, mode: p.mode, best: best.trial, entries: board },
      },
    };
  },
});
