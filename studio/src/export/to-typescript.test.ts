import { describe, expect, it } from 'vitest';
import ts from 'typescript';
import { type PipelineSpec, pipeline } from '@kiln/engine';
import { specToTypeScript } from './to-typescript';

// What the generated code needs of `@kiln/nodes`: each node type's name and ports.
const nodeTypes = [
  {
    type: 'core.command',
    version: 1,
    inputs: {},
    outputs: { exitCode: 'Json', stdout: 'Json', json: 'Json' },
    params: null,
  },
  { type: 'core.noop', version: 1, inputs: {}, outputs: {}, params: null },
  {
    type: 'ml.train',
    version: 1,
    inputs: { 'train-set': 'Dataset', extra: { type: 'Json', optional: true } },
    outputs: { model: 'Model' },
    params: null,
  },
  { type: 'ml.load', version: 1, inputs: {}, outputs: { dataset: 'Dataset' }, params: null },
];

/** Transpiles the generated TypeScript and runs it with the real `pipeline()`; returns its spec. */
function evaluate(code: string): PipelineSpec {
  const js = ts.transpileModule(code, {
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const body = js.replace(/^import .*$/gm, '').replace(/export default p;/, 'return p;');
  const p = new Function('pipeline', 'nodeTypes', body)(pipeline, nodeTypes) as ReturnType<
    typeof pipeline
  >;
  return p.toSpec();
}

/** Node and edge order do not matter to a spec's meaning. */
const normal = (spec: PipelineSpec) => ({
  ...spec,
  nodes: [...spec.nodes].sort((a, b) => a.id.localeCompare(b.id)),
  edges: [...(spec.edges ?? [])].sort((a, b) => `${a.from}${a.to}`.localeCompare(`${b.from}${b.to}`)),
});

describe('TypeScript export', () => {
  it('round-trips the diamond pipeline', () => {
    const spec: PipelineSpec = {
      apiVersion: 'kiln/v1',
      name: 'diamond',
      params: { type: 'object', properties: { msg: { type: 'string', default: 'echo hi' } } },
      maxParallel: 8,
      nodes: [
        { id: 'a', type: 'core.command', params: { command: 'echo a' }, position: { x: 0, y: 0 } },
        {
          id: 'b',
          type: 'core.command',
          params: { command: { $param: 'msg' } },
          retry: { maxAttempts: 3 },
          timeoutSeconds: 60,
        },
        { id: 'c', type: 'core.noop' },
        { id: 'd', type: 'core.noop', resources: { gpu: 1 } },
      ],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'a', to: 'c' },
        { from: 'b', to: 'd' },
        { from: 'c', to: 'd' },
      ],
    };
    const code = specToTypeScript(spec);
    expect(code).toContain('params: {\n    command: p.param("msg"),\n  }');
    expect(evaluate(code)).toEqual(spec);
  });

  it('round-trips data edges, odd ids and names, references and nodes listed out of order', () => {
    const spec: PipelineSpec = {
      apiVersion: 'kiln/v1',
      name: 'odd "name"',
      description: 'uses every kind of reference',
      params: { type: 'object', properties: { n: { type: 'integer' } }, required: ['n'] },
      failFast: true,
      nodes: [
        {
          id: 'train-1',
          type: 'ml.train',
          params: { 'learning-rate': 0.1, list: [1, { $param: 'n' }], nested: { deep: [] } },
        },
        { id: 'p', type: 'ml.load', title: 'Load', cache: true },
        {
          id: 'const',
          type: 'core.command',
          params: { command: { $item: 'x.y' }, env: { A: { $output: 'p.dataset' } } },
          map: { items: { $output: 'train-1.model' }, maxParallel: 2 },
        },
      ],
      edges: [
        { from: 'p.dataset', to: 'train-1.train-set' },
        { from: 'p', to: 'const' },
      ],
    };
    expect(normal(evaluate(specToTypeScript(spec)))).toEqual(normal(spec));
  });

  it('refuses what the authoring API cannot express, saying why', () => {
    const spec: PipelineSpec = {
      apiVersion: 'kiln/v1',
      name: 'x',
      nodes: [
        { id: 'a', type: 'core.noop' },
        { id: 'b', type: 'core.noop' },
      ],
      edges: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a' },
      ],
    };
    expect(() => specToTypeScript(spec)).toThrow(/cycle/);
  });
});
