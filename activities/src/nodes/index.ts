import { type Catalog, catalogOf } from '@kiln/engine';
import { type NodeDefinition, nodeTypeInfo } from '../define-node';
import command from './core/command';
import noop from './core/noop';
import approval from './gate/approval';

export { approval, command, noop };

/** Every node type, one definition each. Adding a type means adding its file here. */
export const nodeDefinitions: readonly NodeDefinition[] = [command, noop, approval] as unknown as NodeDefinition[];

/** The catalog the validator, the API and the studio use. */
export const catalog: Catalog = catalogOf(nodeDefinitions.map(nodeTypeInfo));
