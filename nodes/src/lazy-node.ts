import type { PortMap } from '@kiln/engine';
import type { z } from 'zod';
import type { NodeDeclaration, NodeDefinition } from './define-node';

/**
 * A node type as the registry holds it: its declaration (ports, params, docs: what the catalog and
 * the authoring API read), with its implementation loaded when a worker asks for it.
 */
export type LazyNode<I extends PortMap = PortMap, O extends PortMap = PortMap, S extends z.ZodType = z.ZodType> = NodeDeclaration<
  I,
  O,
  S
> & {
  /** Loads the implementation (the trainers, ONNX, Arrow: what the catalog never loads). */
  load(): Promise<NodeDefinition<I, O, S>>;
};

/**
 * Pairs a node type's declaration module with its implementation module, imported only by `load`.
 * The implementation must be its declaration plus `run` (`defineNode({...declaration, run})`).
 */
export function lazyNode<I extends PortMap, O extends PortMap, S extends z.ZodType>(
  declaration: { default: NodeDeclaration<I, O, S> },
  implementation: () => Promise<{ default: NodeDefinition<I, O, S> }>,
): LazyNode<I, O, S> {
  const declared = declaration.default;
  return {
    ...declared,
    async load() {
      const { default: definition } = await implementation();
      if (definition.type !== declared.type || definition.params !== declared.params)
        throw new Error(`node type "${declared.type}": its implementation is not its declaration plus run (got "${definition.type}")`);
      return definition;
    },
  };
}
