import type { NodeState } from '@kiln/engine';
import type { NodeResult } from './node-results';

const MARK: Record<string, string> = {
  pending: '·',
  running: '▶',
  succeeded: '✔',
  cached: '↺',
  failed: '✘',
  skipped: '⤼',
  cancelled: '■',
};

/**
 * One line for a node state change, e.g. `12:00:03 ✘ train failed (attempt 3): command exited with
 * code 1`. A node that succeeded gets its result after a dash (cut to `width` columns), and a
 * command's last output lines under it.
 */
export function progressLine(nodeId: string, state: NodeState, now = new Date(), result?: NodeResult, width = Infinity): string {
  const time = now.toTimeString().slice(0, 8);
  let line = `${time} ${MARK[state.status] ?? '?'} ${nodeId} ${state.status}`;
  if (state.items && state.status === 'running') line += ` (${state.items.done}/${state.items.total} items)`;
  if (state.attempts > 1) line += ` (attempt ${state.attempts})`;
  if (state.endedAt && state.startedAt && ['succeeded', 'failed'].includes(state.status)) {
    line += ` in ${formatDuration(Date.parse(state.endedAt) - Date.parse(state.startedAt))}`;
  }
  if (state.cachedFrom) line += ` from ${cachedFromText(state.cachedFrom, nodeId)}`;
  else if (state.items?.cached) line += ` (${state.items.cached} of ${state.items.total} items reused)`;
  if (state.error) line += `: ${state.error.message}`;
  else if (state.reason) line += `: ${state.reason}`;
  if (!result || !['succeeded', 'cached'].includes(state.status)) return line;
  if (result.summary) line += ` — ${cut(result.summary, Math.max(10, width - line.length - 3))}`;
  const indent = `${' '.repeat(time.length)} │ `;
  return [line, ...result.tail.map((l) => indent + cut(l, Math.max(10, width - indent.length)))].join('\n');
}

/** Where a cached node's outputs came from: `run <id>`, with the node when its id differs. */
export function cachedFromText(from: { runId: string; nodeId: string }, nodeId?: string): string {
  return `run ${from.runId}${nodeId === undefined || from.nodeId !== nodeId ? ` (node ${from.nodeId})` : ''}`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;
}

/** Text on one line, cut to `width` characters with "…". */
export function cut(text: string, width: number): string {
  const flat = text.replace(/\s*\n\s*/g, ' ');
  return flat.length <= width ? flat : `${flat.slice(0, Math.max(0, width - 1))}…`;
}

export { MARK as STATUS_MARK };
