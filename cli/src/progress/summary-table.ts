import type { NodeState, RunState } from '@kiln/engine';
import { cachedFromText, cut, formatDuration } from './progress-lines';
import type { NodeResult } from './node-results';

const STATUS_COLOUR: Record<string, string> = { succeeded: '32', cached: '34', failed: '31', cancelled: '33', skipped: '33', running: '36' };

/** Colours a status word on a terminal (none when not a TTY or with NO_COLOR). */
export function paint(status: string, text: string, colour: boolean): string {
  const code = STATUS_COLOUR[status];
  return colour && code ? `\x1b[${code}m${text}\x1b[39m` : text;
}

/**
 * The table printed when a run ends: node, status, attempts, duration, result. Fits `width` columns:
 * the node column is as wide as the longest id up to 24, and the result column takes what is left (at
 * least 20; cut with "…").
 */
export function summaryTable(state: RunState, results: (id: string, node: NodeState) => NodeResult, width: number, colour: boolean): string[] {
  const ids = Object.keys(state.nodes);
  const idWidth = Math.min(24, Math.max(4, ...ids.map((id) => id.length)));
  const rows = ids.map((id) => {
    const n = state.nodes[id]!;
    const r = results(id, n);
    const duration = n.startedAt && n.endedAt ? formatDuration(Date.parse(n.endedAt) - Date.parse(n.startedAt)) : '';
    const result = r.tail.at(-1) ?? r.summary;
    // A cached node says where it came from first (its result is the source run's).
    const from = n.cachedFrom ? `↺ ${cachedFromText(n.cachedFrom, id)}` : '';
    return { id, status: n.status, attempts: String(n.attempts), duration, result: from && result ? `${from}: ${result}` : from || result };
  });
  const head = { id: 'node', status: 'status', attempts: 'tries', duration: 'time', result: 'result' };
  const fixed = idWidth + 2 + 9 + 2 + 5 + 2 + 8 + 2;
  const resultWidth = Math.max(20, width - fixed);
  const line = (r: typeof head, painted: boolean) =>
    [
      cut(r.id, idWidth).padEnd(idWidth),
      paint(painted ? r.status : '', r.status.padEnd(9), colour),
      r.attempts.padStart(5),
      r.duration.padStart(8),
      cut(r.result, resultWidth),
    ]
      .join('  ')
      .trimEnd();
  return [line(head, false), ...rows.map((r) => line(r, true))];
}
