import { z } from 'zod';
import { type Catalog, type NodeTypeInfo, catalogOf } from '../catalog/node-type-info';
import type { PortMap } from '../catalog/port-types';
import { zodParamCheck } from '../catalog/zod-param-check';

/** A small catalog with typed ports, for engine tests (the real node types live in `nodes`). */
function info(type: string, inputs: PortMap, outputs: PortMap, params: z.ZodType = z.strictObject({})): NodeTypeInfo {
  return {
    type,
    version: 1,
    category: type.split('.')[0]!,
    title: type,
    description: type,
    inputs,
    outputs,
    capabilities: [],
    paramsJsonSchema: z.toJSONSchema(params) as Record<string, unknown>,
    checkParams: zodParamCheck(params),
  };
}

export const testCatalog: Catalog = catalogOf([
  info('ingest.file', {}, { dataset: 'Dataset' }, z.strictObject({ uri: z.string(), limit: z.int().positive().optional() })),
  info('validate.tabular', { dataset: 'Dataset', reference: { type: 'Dataset', optional: true } }, { dataset: 'Dataset', report: 'Report' }),
  info('train.gbdt', { train: 'Dataset' }, { model: 'Model', metrics: 'Metrics' }, z.strictObject({ trees: z.int().min(1).default(100) })),
  info('evaluate.model', { model: 'Model', dataset: 'Dataset' }, { metrics: 'Metrics' }),
  info('core.noop', {}, {}),
]);

/** A catalog entry with no ports or params, for tests of routing and scheduling. */
export function typeInfo(type: string, extra: Partial<NodeTypeInfo> = {}): NodeTypeInfo {
  return { type, version: 1, category: 'test', title: type, description: type, inputs: {}, outputs: {}, capabilities: [], paramsJsonSchema: {}, ...extra };
}
