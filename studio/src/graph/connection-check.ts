import { type PortDecl, portTypeOf } from '@kiln/engine';
import type { NodeTypeJson } from '../api/catalog';
import { ORDER_PORT, type KilnEdge, portOfHandle } from './spec-graph';

export interface ConnectionAttempt {
  source: string;
  sourceHandle: string | null | undefined;
  target: string;
  targetHandle: string | null | undefined;
}

/** Why a connection may not be made, or undefined when it may. The sentence is shown to the user. */
export function refuseConnection(
  c: ConnectionAttempt,
  typeOf: (nodeId: string) => NodeTypeJson | undefined,
  edges: readonly KilnEdge[],
): string | undefined {
  const from = portOfHandle(c.sourceHandle);
  const to = portOfHandle(c.targetHandle);
  if (c.source === c.target) return `node "${c.source}" cannot be connected to itself`;
  if ((from === ORDER_PORT) !== (to === ORDER_PORT)) {
    return from === ORDER_PORT
      ? `the order handle of "${c.source}" only connects to another node's order handle, not to input "${to}"`
      : `output "${from}" of "${c.source}" carries data: connect it to an input, not to the order handle of "${c.target}"`;
  }
  if (from !== ORDER_PORT) {
    const outDecl: PortDecl | undefined = typeOf(c.source)?.outputs[from];
    const inDecl: PortDecl | undefined = typeOf(c.target)?.inputs[to];
    if (outDecl && inDecl && portTypeOf(outDecl) !== portTypeOf(inDecl)) {
      return `output "${c.source}.${from}" is ${portTypeOf(outDecl)} but input "${c.target}.${to}" takes ${portTypeOf(inDecl)}`;
    }
    const fed = edges.find((e) => e.target === c.target && portOfHandle(e.targetHandle) === to);
    if (fed)
      return `input "${c.target}.${to}" is already fed by "${fed.source}.${portOfHandle(fed.sourceHandle)}"`;
  }
  if (
    edges.some(
      (e) =>
        e.source === c.source &&
        e.target === c.target &&
        portOfHandle(e.sourceHandle) === from &&
        portOfHandle(e.targetHandle) === to,
    )
  ) {
    return `"${c.source}" and "${c.target}" are already connected that way`;
  }
  const path = pathBetween(c.target, c.source, edges);
  if (path) return `it would make a cycle: ${[...path, c.target].join(' → ')}`;
  return undefined;
}

/** A path of node ids from `start` to `goal` along the edges, if there is one. */
function pathBetween(start: string, goal: string, edges: readonly KilnEdge[]): string[] | undefined {
  const next = new Map<string, string[]>();
  for (const e of edges) next.set(e.source, [...(next.get(e.source) ?? []), e.target]);
  const parent = new Map<string, string>([[start, start]]);
  const queue = [start];
  while (queue.length) {
    const at = queue.shift()!;
    if (at === goal) {
      const path = [at];
      for (let p = at; p !== start;) path.unshift((p = parent.get(p)!));
      return path;
    }
    for (const n of next.get(at) ?? []) {
      if (parent.has(n)) continue;
      parent.set(n, at);
      queue.push(n);
    }
  }
  return undefined;
}
