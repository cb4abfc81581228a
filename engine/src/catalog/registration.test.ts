import { describe, expect, it } from 'vitest';
import { nodeTypeRegistrationSchema, paramsSchemaProblems, registeredTypeInfo, registeredNodeTypeSchema } from './registration';

describe('node type registrations', () => {
  const type = { type: 'acme.clean', version: 1, paramsJsonSchema: { type: 'object' } };

  it('fills defaults: category from the name, title, no ports, no capabilities', () => {
    expect(registeredTypeInfo(registeredNodeTypeSchema.parse(type))).toEqual({
      type: 'acme.clean',
      version: 1,
      category: 'acme',
      title: 'acme.clean',
      description: '',
      inputs: {},
      outputs: {},
      capabilities: [],
      paramsJsonSchema: { type: 'object' },
    });
  });

  it('refuses unknown fields, port types, capabilities, reserved queues and the builtin source', () => {
    const paths = (body: unknown) => {
      const r = nodeTypeRegistrationSchema.safeParse(body);
      return r.success ? [] : r.error.issues.map((i) => i.path.join('.'));
    };
    const ok = { language: 'python', source: 'acme_nodes', queue: 'py', types: [type] };
    expect(paths(ok)).toEqual([]);
    expect(paths({ ...ok, types: [{ ...type, light: true }] })).toEqual(['types.0']);
    expect(paths({ ...ok, types: [{ ...type, inputs: { x: 'Frame' } }] })).toEqual(['types.0.inputs.x']);
    expect(paths({ ...ok, types: [{ ...type, inputs: { 'a.b': 'Dataset' } }] })).toEqual(['types.0.inputs.a.b']);
    expect(paths({ ...ok, types: [{ ...type, capabilities: ['network', 'network'] }] })).toEqual(['types.0.capabilities']);
    expect(paths({ ...ok, queue: 'gpu' })).toEqual(['queue']);
    expect(paths({ ...ok, source: 'builtin' })).toEqual(['source']);
    expect(paths({ ...ok, language: 'rust' })).toEqual(['language']);
    expect(paths({ ...ok, types: [] })).toEqual(['types']);
  });

  it('takes default resources from TypeScript workers only, without a GPU', () => {
    const paths = (body: unknown) => {
      const r = nodeTypeRegistrationSchema.safeParse(body);
      return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    };
    const withResources = { ...type, resources: { cpu: 2, memoryMb: 512 } };
    const ts = { language: 'typescript', source: 'acme-nodes', queue: 'acme', types: [withResources] };
    expect(paths(ts)).toEqual([]);
    expect(registeredTypeInfo(registeredNodeTypeSchema.parse(withResources)).resources).toEqual({ cpu: 2, memoryMb: 512 });
    expect(paths({ ...ts, types: [{ ...type, resources: { gpu: 1 } }] })).toEqual([expect.stringMatching(/^types\.0\.resources: Unrecognized key: "gpu"/)]);
    expect(paths({ ...ts, types: [{ ...type, resources: { queue: 'x' } }] })).toEqual([expect.stringMatching(/^types\.0\.resources: Unrecognized key: "queue"/)]);
    expect(paths({ ...ts, language: 'python' })).toEqual([
      'types.0.resources: python workers do not honour default resources (core budget, memory limit): leave "resources" out',
    ]);
  });

  it('takes params schemas that compile and describe an object', () => {
    expect(paramsSchemaProblems({ type: 'object', properties: { n: { type: 'integer', minimum: 0 } } })).toEqual([]);
    expect(paramsSchemaProblems({ $schema: 'https://json-schema.org/draft/2020-12/schema', type: 'object', $defs: { a: { type: 'string' } } })).toEqual([]);
    expect(paramsSchemaProblems({ type: 'object', properties: { n: { type: 'integr' } } })[0]).toContain('not a valid JSON Schema');
    expect(paramsSchemaProblems({ type: 'string' })[0]).toContain('must describe an object');
  });
});
