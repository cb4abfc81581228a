/** Status colours and icons, shared by the run view, lists and badges. */
export const STATUS_STYLE: Record<string, { color: string; icon: string }> = {
  pending: { color: 'var(--status-pending)', icon: '○' },
  running: { color: 'var(--status-running)', icon: '◔' },
  succeeded: { color: 'var(--status-succeeded)', icon: '✓' },
  // Reused from an earlier run, not computed: a colour of its own (and a dashed frame on the graph).
  cached: { color: 'var(--status-cached)', icon: '↺' },
  failed: { color: 'var(--status-failed)', icon: '✕' },
  skipped: { color: 'var(--status-pending)', icon: '↷' },
  cancelled: { color: 'var(--status-cancelled)', icon: '⊘' },
};

/** Plain colours for SVG (the minimap), where CSS variables are not resolved in attributes. */
export const STATUS_FILL: Record<string, string> = {
  pending: '#9aa3b2',
  running: '#3b82f6',
  succeeded: '#22a35a',
  cached: '#7c5cd6',
  failed: '#e04848',
  skipped: '#9aa3b2',
  cancelled: '#d08a1c',
};

export function StatusBadge({ status }: { status: string | null | undefined }) {
  if (!status) return <span className="muted">never run</span>;
  const s = STATUS_STYLE[status] ?? { color: 'var(--muted)', icon: '?' };
  return (
    <span className="badge" style={{ borderColor: s.color, color: s.color }} aria-label={`status ${status}`}>
      <span aria-hidden="true">{s.icon}</span> {status}
    </span>
  );
}

export function formatDuration(startedAt?: string | null, endedAt?: string | null, now = Date.now()): string {
  if (!startedAt) return '';
  const ms = (endedAt ? Date.parse(endedAt) : now) - Date.parse(startedAt);
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
