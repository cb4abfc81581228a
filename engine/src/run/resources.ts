import type { Catalog } from '../catalog/node-type-info';
import type { NodeSpec, PipelineSpec, ResourcesSpec, TypeResources } from '../spec/schema';

/** The default resources of each node type in a spec that declares some, chosen when the run starts. */
export function typeResourcesOf(spec: Pick<PipelineSpec, 'nodes'>, catalog: Catalog): Record<string, TypeResources> {
  const defaults: Record<string, TypeResources> = {};
  for (const type of new Set(spec.nodes.map((n) => n.type))) {
    const resources = catalog.get(type)?.resources;
    if (resources && Object.keys(resources).length > 0) defaults[type] = { ...resources };
  }
  return defaults;
}

/** A node's resources: its type's defaults overridden field by field by its own (`gpu: 0` turns a type's GPU off). */
export function resourcesOf(node: Pick<NodeSpec, 'type' | 'resources'>, typeResources?: Readonly<Record<string, TypeResources>>): ResourcesSpec | undefined {
  const defaults = typeResources?.[node.type];
  if (!defaults) return node.resources;
  return { ...defaults, ...node.resources };
}

/** The node with its resources merged with its type's defaults (the node itself when the type declares none). */
export function withTypeResources<N extends Pick<NodeSpec, 'type' | 'resources'>>(node: N, typeResources?: Readonly<Record<string, TypeResources>>): N {
  if (!typeResources?.[node.type]) return node;
  return { ...node, resources: resourcesOf(node, typeResources) };
}
