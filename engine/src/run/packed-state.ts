import { NODE_STATUSES, type NodeState, type RunChanges, type RunState } from './run-state';

/**
 * Node states as columns: what crosses Temporal's payload boundary (continue-as-new, the workflow's
 * result and failure details, the `state` and `changes` queries). A node costs ~30 bytes instead of
 * ~140 as a record of ISO timestamps, so a 20,000-node run carries under 1 MB. Pure: the workflow
 * packs, clients unpack (the public contract stays {@link RunState}).
 */
export interface PackedNodes {
  /** Milliseconds since the epoch that `started` and `ended` count from. */
  t0: number;
  ids: string[];
  /** Index into {@link NODE_STATUSES}. */
  status: number[];
  attempts: number[];
  /** Milliseconds after `t0`; -1 when unset. */
  started: number[];
  ended: number[];
  /** Strings that repeat across nodes (queues, reasons), interned. */
  strings: string[];
  /** Index into `strings`; -1 when unset. */
  queue: number[];
  reason: number[];
  /** Sparse, by node index: errors, non-empty outputs, map progress `[total, done, failed]`. */
  error: Record<number, { message: string; type: string }>;
  outputs: Record<number, Record<string, unknown>>;
  /** total, done, failed, and cached when some were. */
  items: Record<number, [number, number, number] | [number, number, number, number]>;
  /** Sparse, by node index: where a `cached` node's outputs came from, `[runId, nodeId]` as indexes into `strings`. */
  cachedFrom?: Record<number, [number, number]>;
}

export interface PackedRunState extends Omit<RunState, 'nodes'> {
  nodes: PackedNodes;
}

export interface PackedRunChanges extends Omit<RunChanges, 'nodes'> {
  nodes: PackedNodes;
}

const STATUS_INDEX = new Map<string, number>(NODE_STATUSES.map((s, i) => [s, i]));
/** Statuses whose node always has outputs (`{}` when it produced none); only non-empty ones are packed. */
const WITH_OUTPUTS = new Set<string>(['succeeded', 'cached']);

export function packNodes(nodes: Iterable<[string, NodeState]>, t0: number): PackedNodes {
  const packed: PackedNodes = {
    t0,
    ids: [],
    status: [],
    attempts: [],
    started: [],
    ended: [],
    strings: [],
    queue: [],
    reason: [],
    error: {},
    outputs: {},
    items: {},
    cachedFrom: {},
  };
  const interned = new Map<string, number>();
  const intern = (s: string | undefined): number => {
    if (s === undefined) return -1;
    let at = interned.get(s);
    if (at === undefined) {
      at = packed.strings.push(s) - 1;
      interned.set(s, at);
    }
    return at;
  };
  const time = (iso: string | undefined) => (iso === undefined ? -1 : Date.parse(iso) - t0);
  for (const [id, node] of nodes) {
    const i = packed.ids.push(id) - 1;
    packed.status.push(STATUS_INDEX.get(node.status)!);
    packed.attempts.push(node.attempts);
    packed.started.push(time(node.startedAt));
    packed.ended.push(time(node.endedAt));
    packed.queue.push(intern(node.queue));
    packed.reason.push(intern(node.reason));
    if (node.error) packed.error[i] = { message: node.error.message, type: node.error.type };
    if (node.outputs && (!WITH_OUTPUTS.has(node.status) || Object.keys(node.outputs).length > 0)) packed.outputs[i] = node.outputs;
    if (node.items) {
      const { total, done, failed, cached } = node.items;
      packed.items[i] = cached ? [total, done, failed, cached] : [total, done, failed];
    }
    if (node.cachedFrom) packed.cachedFrom![i] = [intern(node.cachedFrom.runId), intern(node.cachedFrom.nodeId)];
  }
  return packed;
}

export function unpackNodes(packed: PackedNodes): Record<string, NodeState> {
  const nodes: Record<string, NodeState> = {};
  const time = (ms: number) => (ms < 0 ? undefined : new Date(packed.t0 + ms).toISOString());
  packed.ids.forEach((id, i) => {
    const status = NODE_STATUSES[packed.status[i]!]!;
    const node: NodeState = { status, attempts: packed.attempts[i]! };
    const startedAt = time(packed.started[i]!);
    const endedAt = time(packed.ended[i]!);
    if (startedAt !== undefined) node.startedAt = startedAt;
    if (endedAt !== undefined) node.endedAt = endedAt;
    const outputs = packed.outputs[i] ?? (WITH_OUTPUTS.has(status) ? {} : undefined);
    if (outputs !== undefined) node.outputs = outputs;
    const error = packed.error[i];
    if (error) node.error = error;
    if (packed.reason[i]! >= 0) node.reason = packed.strings[packed.reason[i]!]!;
    if (packed.queue[i]! >= 0) node.queue = packed.strings[packed.queue[i]!]!;
    const items = packed.items[i];
    if (items) node.items = { total: items[0], done: items[1], failed: items[2], ...(items[3] ? { cached: items[3] } : {}) };
    const from = packed.cachedFrom?.[i];
    if (from) node.cachedFrom = { runId: packed.strings[from[0]]!, nodeId: packed.strings[from[1]]! };
    nodes[id] = node;
  });
  return nodes;
}

export function packRunState(state: RunState): PackedRunState {
  return { ...state, nodes: packNodes(Object.entries(state.nodes), Date.parse(state.startedAt)) };
}

export function unpackRunState(packed: PackedRunState): RunState {
  return { ...packed, nodes: unpackNodes(packed.nodes) };
}

export function unpackRunChanges(packed: PackedRunChanges): RunChanges {
  return { ...packed, nodes: unpackNodes(packed.nodes) };
}

/** A packed state as Temporal carries it (workflow result, failure details)? */
export function isPackedRunState(value: unknown): value is PackedRunState {
  if (value === null || typeof value !== 'object') return false;
  const nodes = (value as { nodes?: unknown }).nodes;
  return nodes !== null && typeof nodes === 'object' && Array.isArray((nodes as PackedNodes).ids);
}

/** UTF-8 bytes of a value's JSON: what Temporal's JSON payload converter sends (pure, no Buffer). */
export function jsonBytes(value: unknown): number {
  const text = JSON.stringify(value) ?? '';
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) bytes += 1;
    else if (c >= 0xd800 && c <= 0xdbff) {
      bytes += 2; // a surrogate pair: 4 bytes for 2 UTF-16 units
      i++;
    } else bytes += 2;
  }
  return bytes;
}
