/**
 * A node's heartbeat progress as a fraction in [0, 1], or undefined when it carries none the studio can
 * read. Activities report what they like: a number (0–1, or a percentage over 1), `{fraction}`,
 * `{percent}`, or a count and its total (`{rows, of}`, `{done, total}`, `{current, total}`, …).
 */
export function progressFraction(progress: unknown): number | undefined {
  const clamp = (x: number) => (Number.isFinite(x) ? Math.min(1, Math.max(0, x)) : undefined);
  if (typeof progress === 'number') return clamp(progress > 1 ? progress / 100 : progress);
  if (typeof progress !== 'object' || progress === null) return undefined;
  const p = progress as Record<string, unknown>;
  const num = (k: string) => (typeof p[k] === 'number' ? (p[k] as number) : undefined);
  const fraction = num('fraction') ?? num('progress');
  if (fraction !== undefined) return clamp(fraction);
  const percent = num('percent') ?? num('pct');
  if (percent !== undefined) return clamp(percent / 100);
  const total = num('of') ?? num('total');
  if (total === undefined || total <= 0) return undefined;
  const done = ['done', 'rows', 'epoch', 'iteration', 'step', 'current', 'count', 'trials']
    .map(num)
    .find((v) => v !== undefined);
  return done === undefined ? undefined : clamp(done / total);
}

/** The live progress of every node that reports it, from a run record's `state.nodes[id].live`. */
export function progressOfNodes(
  nodes: Record<string, { live?: { progress?: unknown } }> | undefined,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [id, n] of Object.entries(nodes ?? {})) {
    const f = progressFraction(n.live?.progress);
    if (f !== undefined) out[id] = f;
  }
  return out;
}
