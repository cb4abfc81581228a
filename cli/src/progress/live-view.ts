import type { NodeState, NodeStatus } from '@kiln/engine';
import { NODE_STATUSES } from '@kiln/engine';
import { STATUS_MARK, formatDuration } from './progress-lines';

const MAX_ROWS = 24;

/**
 * A view redrawn in place on a terminal: the status counts, then the nodes that matter most now
 * (running and failed first), at most 24 rows so large pipelines stay readable.
 */
export class LiveView {
  private readonly nodes = new Map<string, NodeState>();
  private drawnLines = 0;

  constructor(
    private readonly title: string,
    private readonly write: (text: string) => void,
  ) {}

  update(nodeId: string, state: NodeState): void {
    this.nodes.set(nodeId, state);
  }

  render(now = Date.now()): void {
    const counts = new Map<NodeStatus, number>();
    for (const s of this.nodes.values()) counts.set(s.status, (counts.get(s.status) ?? 0) + 1);
    const summary = NODE_STATUSES.filter((s) => counts.get(s))
      .map((s) => `${counts.get(s)} ${s}`)
      .join(', ');
    const rank: Record<string, number> = { running: 0, failed: 1, cancelled: 2, pending: 3, succeeded: 4, cached: 4, skipped: 5 };
    const rows = [...this.nodes.entries()].sort((a, b) => (rank[a[1].status] ?? 9) - (rank[b[1].status] ?? 9)).slice(0, MAX_ROWS);
    const lines = [`${this.title} — ${summary}`];
    for (const [id, s] of rows) {
      const since = s.startedAt ? formatDuration((s.endedAt ? Date.parse(s.endedAt) : now) - Date.parse(s.startedAt)) : '';
      const items = s.items ? ` ${s.items.done}/${s.items.total}` : '';
      const extra = s.error ? ` ${s.error.message.slice(0, 80)}` : '';
      lines.push(`  ${STATUS_MARK[s.status]} ${id.padEnd(24)} ${s.status.padEnd(9)}${items} ${since}${extra}`);
    }
    if (this.nodes.size > rows.length) lines.push(`  … ${this.nodes.size - rows.length} more`);
    const up = this.drawnLines > 0 ? `\x1b[${this.drawnLines}F` : '';
    this.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n\x1b[J`);
    this.drawnLines = lines.length;
  }
}
