// The node catalog from the node types' declarations alone (`<name>.decl.ts`, listed in
// registry.ts): validating a spec, `kiln validate` and the studio's palette load zod and the engine,
// not the trainers, ONNX or Arrow. A worker loads the implementations (`loadNodeDefinitions`).
import { type Catalog, catalogOf } from '@kiln/engine';
import { type NodeDefinition, nodeTypeInfo } from './define-node';
import type { LazyNode } from './lazy-node';
import * as registry from './registry';

/** What the authoring API needs of each node type (`p.node(id, trainGbdt, …)`). */
export * from './registry';

/** Every node type (declaration + lazily loaded implementation), by type name. */
export const nodeTypes: readonly LazyNode[] = (Object.values(registry) as unknown as LazyNode[]).sort((a, b) =>
  a.type < b.type ? -1 : a.type > b.type ? 1 : 0,
);

/** The catalog the validator, the API and the studio use. */
export const catalog: Catalog = catalogOf(nodeTypes.map(nodeTypeInfo));

/** Every node type's implementation, in the order of `nodeTypes`: what a worker serves. */
export function loadNodeDefinitions(): Promise<NodeDefinition[]> {
  return Promise.all(nodeTypes.map((t) => t.load()));
}
