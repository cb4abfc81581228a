/**
 * Value expressions inside node params and `map.items`:
 * `{"$param": "name"}` (a run parameter), `{"$item": "path"}` (the current map item, or a field of it;
 * "" for the item itself) and `{"$output": "node.port"}` (an upstream node's output).
 * Pure: the workflow uses this module.
 */
export type ValueRef = { $param: string } | { $item: string } | { $output: string };

const REF_KEYS = ['$param', '$item', '$output'] as const;
type RefKey = (typeof REF_KEYS)[number];

export function refKind(value: unknown): RefKey | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const keys = Object.keys(value);
  if (keys.length !== 1) return undefined;
  const key = keys[0] as RefKey;
  return REF_KEYS.includes(key) && typeof (value as Record<string, unknown>)[key] === 'string' ? key : undefined;
}

/** Every reference in a value, with its path. */
export function findRefs(
  value: unknown,
  path: (string | number)[] = [],
  out: { kind: RefKey; target: string; path: (string | number)[] }[] = [],
): { kind: RefKey; target: string; path: (string | number)[] }[] {
  const kind = refKind(value);
  if (kind) {
    out.push({ kind, target: (value as Record<string, string>)[kind]!, path });
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => findRefs(v, [...path, i], out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) findRefs(v, [...path, k], out);
  }
  return out;
}

export interface RefScope {
  params: Record<string, unknown>;
  outputs?: (nodeId: string, port: string) => unknown;
  item?: { value: unknown };
}

/** Replaces every reference in `value` from `scope`; throws on a reference it cannot resolve. */
export function resolveRefs(value: unknown, scope: RefScope): unknown {
  const kind = refKind(value);
  if (kind) {
    const target = (value as Record<string, string>)[kind]!;
    if (kind === '$param') {
      if (!(target in scope.params)) throw new Error(`run parameter "${target}" has no value`);
      return scope.params[target];
    }
    if (kind === '$item') {
      if (!scope.item) throw new Error(`{"$item": "${target}"} is only meaningful in a node that maps over items`);
      return target === '' ? scope.item.value : pick(scope.item.value, target);
    }
    const [node, port] = splitPortRef(target);
    if (!scope.outputs || port === undefined) throw new Error(`{"$output": "${target}"} cannot be resolved here`);
    return scope.outputs(node, port);
  }
  if (Array.isArray(value)) return value.map((v) => resolveRefs(v, scope));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = resolveRefs(v, scope);
    return out;
  }
  return value;
}

function pick(value: unknown, path: string): unknown {
  let cur = value;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object' || !(key in cur)) {
      throw new Error(`{"$item": "${path}"}: the item has no field "${key}" (item: ${JSON.stringify(value)?.slice(0, 200)})`);
    }
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

/** `"node.port"` → `["node", "port"]`; `"node"` → `["node", undefined]`. */
export function splitPortRef(ref: string): [string, string | undefined] {
  const dot = ref.indexOf('.');
  return dot < 0 ? [ref, undefined] : [ref.slice(0, dot), ref.slice(dot + 1)];
}
