import type { NodeState, NodeTypeInfo, PortType } from '@kiln/engine';

/** What a finished node produced, for people: a short summary and, for commands, their last output lines. */
export interface NodeResult {
  /** One line, e.g. `1,000 rows × 9 columns` or `roc_auc 0.912, accuracy 0.871`; empty when there is nothing to say. */
  summary: string;
  /** The last lines of a command's output (`stdout` of a `Json` port), at most `MAX_TAIL_LINES`. */
  tail: string[];
}

const MAX_TAIL_LINES = 3;
const MAX_FIGURES = 4;

/**
 * Reads a node's outputs by their port types (from the catalog), so a new node type needs no change
 * here: datasets as rows × columns, metrics as their first figures, gate decisions as passed/failed
 * with the failed rules, an approval as its decision, a command's stdout as its last lines.
 */
export function nodeResult(state: NodeState, info: Pick<NodeTypeInfo, 'outputs'> | undefined): NodeResult {
  const parts: { port: string; type: PortType | undefined; said: string }[] = [];
  let tail: string[] = [];
  if (state.status === 'skipped' || state.status === 'cancelled') return { summary: state.reason ?? '', tail };
  if (state.status === 'failed') return { summary: state.error?.message.split('\n')[0] ?? '', tail };
  for (const [port, value] of Object.entries(state.outputs ?? {})) {
    const type = info?.outputs[port] as PortType | undefined;
    if (port === 'stdout' && typeof value === 'string') {
      tail = lastLines(value, MAX_TAIL_LINES);
      continue;
    }
    const said = describe(type, value);
    if (said) parts.push({ port, type, said });
    else if (value !== null && typeof value !== 'object') parts.push({ port, type, said: `${port} ${typeof value === 'number' ? number(value) : String(value)}` });
  }
  // Two outputs of one type (a split's train and test datasets) are told apart by their port names.
  const shared = (type: PortType | undefined) => type !== undefined && parts.filter((p) => p.type === type).length > 1;
  return { summary: parts.map((p) => (shared(p.type) ? `${p.port}: ${p.said}` : p.said)).join('; '), tail };
}

function describe(type: PortType | undefined, value: unknown): string {
  if (value === null || typeof value !== 'object') return '';
  if (Array.isArray(value)) {
    // A mapped node's outputs: one value per item.
    return `${value.length} items`;
  }
  const v = value as Record<string, unknown>;
  switch (type) {
    case 'Dataset':
      return typeof v.rowCount === 'number' && Array.isArray(v.schema) ? `${count(v.rowCount)} rows × ${v.schema.length} columns` : '';
    case 'Metrics':
      return figures(v.values);
    case 'Model': {
      const size = (v.artifact as { size?: unknown } | undefined)?.size;
      return typeof size === 'number' ? `model ${bytes(size)}` : '';
    }
    case 'Report':
    case 'Transform':
      return '';
    default:
      return describeJson(v);
  }
}

/** Gate decisions and other small JSON values. */
function describeJson(v: Record<string, unknown>): string {
  if (typeof v.passed === 'boolean' && Array.isArray(v.checks)) {
    const checks = v.checks as { passed?: boolean; message?: string }[];
    const failed = checks.filter((c) => c.passed === false);
    if (failed.length === 0) return `passed (${checks.length} rule${checks.length === 1 ? '' : 's'})`;
    return `failed: ${failed.map((c) => c.message ?? '').join('; ')}`;
  }
  if (typeof v.decision === 'string') {
    const by = typeof v.by === 'string' ? ` by ${v.by}` : '';
    const comment = typeof v.comment === 'string' && v.comment ? `: ${v.comment}` : '';
    return `${v.decision}${by}${comment}`;
  }
  return '';
}

function figures(values: unknown): string {
  if (!values || typeof values !== 'object') return '';
  return Object.entries(values as Record<string, unknown>)
    .filter(([, x]) => typeof x === 'number')
    .slice(0, MAX_FIGURES)
    .map(([k, x]) => `${k} ${number(x as number)}`)
    .join(', ');
}

export function number(x: number): string {
  if (Number.isInteger(x)) return count(x);
  const abs = Math.abs(x);
  return abs !== 0 && (abs < 0.001 || abs >= 1e6) ? x.toExponential(2) : String(Number(x.toPrecision(4)));
}

const count = (n: number) => n.toLocaleString('en-US');

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

function lastLines(text: string, n: number): string[] {
  return text.replace(/\s+$/, '').split('\n').filter((l) => l.trim() !== '').slice(-n);
}
