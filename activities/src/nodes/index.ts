import { type Catalog, catalogOf } from '@kiln/engine';
import { type NodeDefinition, nodeTypeInfo } from '../define-node';
import command from './core/command';
import noop from './core/noop';

export { command, noop };

/** Every node type, one definition each. Adding a type means adding its file here. */
export const nodeDefinitions: readonly NodeDefinition[] = [command, noop] as unknown as NodeDefinition[];

/** The catalog the validator, the API and the studio use. */
export const catalog: Catalog = catalogOf(nodeDefinitions.map(nodeTypeInfo));
