import type { RegisteredNodeType } from '@kiln/engine';
import { type NodeDeclaration, nodeTypeInfo } from './define-node';

/**
 * A node type as its worker registers it with the API (`docs/node-registry.md`): its catalog entry
 * without what only a worker in process has (`checkParams`) or only built-ins use (`light`).
 */
export function registeredNodeType(def: NodeDeclaration): RegisteredNodeType {
  const { checkParams: _check, light: _light, ...info } = nodeTypeInfo(def);
  return { ...info, inputs: { ...info.inputs }, outputs: { ...info.outputs }, capabilities: [...info.capabilities] };
}
