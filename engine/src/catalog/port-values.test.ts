import { describe, expect, it } from 'vitest';
import { PORT_TYPES } from './port-types';
import { checkPortValue, formatValuePath, portValueJsonSchema } from './port-values';

const artifact = { uri: 'file:///a', digest: `sha256:${'0'.repeat(64)}`, size: 1, mediaType: 'application/onnx' };
const model = { artifact, task: 'multiclass', features: [{ name: 'x', type: 'string' }], classes: ['a', 'b', 'c'], target: 'y' };
const at = (issues: { path: readonly (string | number)[] }[]) => issues.map((i) => formatValuePath(i.path));

describe('port value schemas', () => {
  it('accept the values nodes make, extra fields included', () => {
    expect(checkPortValue('Model', model)).toEqual([]);
    expect(checkPortValue('Model', { ...model, task: 'regression', classes: null, note: 'kept' })).toEqual([]);
    expect(checkPortValue('Metrics', { task: 'regression', values: { rmse: 1.5, r2: null }, report: artifact })).toEqual([]);
    expect(checkPortValue('Report', { artifact, summary: { passed: 3 } })).toEqual([]);
    expect(checkPortValue('Deployment', { name: 'd', model: 'm', version: 2, strategy: 'canary', role: 'canary' })).toEqual([]);
    expect(checkPortValue('Json', [1, 'two', { three: null }])).toEqual([]);
    expect(checkPortValue('Model', [model, model], { list: true })).toEqual([]);
  });

  it('name the path of each problem', () => {
    expect(at(checkPortValue('Model', { ...model, features: [{ name: 'x', type: 'double' }] }))).toEqual(['features[0].type']);
    expect(at(checkPortValue('Model', { ...model, artifact: { ...artifact, size: -1 } }))).toEqual(['artifact.size']);
    expect(at(checkPortValue('Model', { ...model, classes: null }))).toEqual(['classes']);
    expect(at(checkPortValue('Dataset', { artifact, schema: [{ name: 'a', type: 'text', nullable: true }], rowCount: 1, stats: [] }))).toEqual(['schema[0].type']);
    expect(at(checkPortValue('Dataset', { artifact, schema: [], rowCount: 1, stats: [{ name: 'a', kind: 'numeric' }] }))).toContain('stats[0].count');
    expect(at(checkPortValue('Metrics', { task: 'binary', values: { auc: 'high' }, report: artifact }))).toEqual(['values.auc']);
    expect(at(checkPortValue('Model', [model, { ...model, target: 7 }], { list: true }))).toEqual(['[1].target']);
    expect(checkPortValue('Json', { n: Number.NaN })).not.toEqual([]);
  });

  it('give each port type a JSON Schema for the catalog', () => {
    for (const type of PORT_TYPES) expect(portValueJsonSchema(type)).toHaveProperty('$schema');
    expect(portValueJsonSchema('Model')).toMatchObject({
      type: 'object',
      required: expect.arrayContaining(['artifact', 'task', 'features', 'classes', 'target']),
      properties: { task: { enum: ['binary', 'multiclass', 'regression'] } },
    });
  });
});
