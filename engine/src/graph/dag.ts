import type { PipelineSpec } from '../spec/schema';
import { findRefs, splitPortRef } from '../spec/value-refs';

/** Where a node's input comes from. */
export interface InputBinding {
  readonly node: string;
  readonly port: string;
}

/** The dependency structure of a spec: who waits for whom and which output feeds which input. */
export interface Dag {
  /** Node ids in spec order. */
  readonly order: readonly string[];
  readonly preds: ReadonlyMap<string, ReadonlySet<string>>;
  readonly succs: ReadonlyMap<string, ReadonlySet<string>>;
  /** node → input port → source output. */
  readonly inputs: ReadonlyMap<string, ReadonlyMap<string, InputBinding>>;
}

/**
 * Builds the DAG from edges and `$output` references. Edges to unknown nodes are ignored here
 * (the validator reports them); the result may contain cycles (see `findCycles`).
 */
export function buildDag(spec: Pick<PipelineSpec, 'nodes' | 'edges'>): Dag {
  const order = spec.nodes.map((n) => n.id);
  const preds = new Map<string, Set<string>>(order.map((id) => [id, new Set()]));
  const succs = new Map<string, Set<string>>(order.map((id) => [id, new Set()]));
  const inputs = new Map<string, Map<string, InputBinding>>(order.map((id) => [id, new Map()]));
  const link = (from: string, to: string) => {
    if (!preds.has(from) || !preds.has(to)) return;
    preds.get(to)!.add(from);
    succs.get(from)!.add(to);
  };
  for (const edge of spec.edges ?? []) {
    const [fromNode, fromPort] = splitPortRef(edge.from);
    const [toNode, toPort] = splitPortRef(edge.to);
    link(fromNode, toNode);
    if (fromPort !== undefined && toPort !== undefined && inputs.has(toNode) && !inputs.get(toNode)!.has(toPort)) {
      inputs.get(toNode)!.set(toPort, { node: fromNode, port: fromPort });
    }
  }
  for (const node of spec.nodes) {
    for (const ref of findRefs([node.params, node.map?.items])) {
      if (ref.kind === '$output') link(splitPortRef(ref.target)[0], node.id);
    }
  }
  return { order, preds, succs, inputs };
}

/**
 * One cycle per strongly connected component that has one, each as the list of node ids along it
 * (the first id is not repeated at the end).
 */
export function findCycles(dag: Dag): string[][] {
  // Tarjan's algorithm, iterative so a 100k-node chain does not overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  for (const root of dag.order) {
    if (index.has(root)) continue;
    const work: { node: string; it: Iterator<string> }[] = [];
    const enter = (node: string) => {
      index.set(node, next);
      low.set(node, next);
      next++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, it: dag.succs.get(node)!.values() });
    };
    enter(root);
    while (work.length > 0) {
      const top = work[work.length - 1]!;
      const step = top.it.next();
      if (!step.done) {
        const succ = step.value;
        if (!index.has(succ)) enter(succ);
        else if (onStack.has(succ)) low.set(top.node, Math.min(low.get(top.node)!, index.get(succ)!));
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1]!.node;
        low.set(parent, Math.min(low.get(parent)!, low.get(top.node)!));
      }
      if (low.get(top.node) === index.get(top.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== top.node);
        const selfLoop = component.length === 1 && dag.succs.get(top.node)!.has(top.node);
        if (component.length > 1 || selfLoop) components.push(component);
      }
    }
  }
  return components.map((component) => cycleWithin(dag, new Set(component)));
}

/** A simple cycle through the first (in spec order) node of a strongly connected component. */
function cycleWithin(dag: Dag, members: Set<string>): string[] {
  const start = dag.order.find((id) => members.has(id))!;
  const parent = new Map<string, string>();
  const queue = [start];
  const seen = new Set([start]);
  while (queue.length > 0) {
    const node = queue.shift()!;
    for (const succ of dag.succs.get(node)!) {
      if (!members.has(succ)) continue;
      if (succ === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(parent.get(path[0]!)!);
        return path;
      }
      if (!seen.has(succ)) {
        seen.add(succ);
        parent.set(succ, node);
        queue.push(succ);
      }
    }
  }
  return [start];
}

/** Every node reachable downstream of `from` (excluding it). */
export function descendants(dag: Dag, from: string): Set<string> {
  const out = new Set<string>();
  const stack = [...(dag.succs.get(from) ?? [])];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (out.has(node)) continue;
    out.add(node);
    for (const s of dag.succs.get(node) ?? []) stack.push(s);
  }
  return out;
}
