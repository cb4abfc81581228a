import { describe, expect, it } from 'vitest';
import { formatProblem } from './problem';
import { validateSpec } from './validate';
import { testCatalog } from './test-catalog';
import { catalogOf } from '../catalog/node-type-info';

const base = (nodes: unknown[], edges: unknown[] = [], extra: Record<string, unknown> = {}) => ({
  apiVersion: 'kiln/v1',
  name: 't',
  nodes,
  edges,
  ...extra,
});
const problems = (spec: unknown) => {
  const r = validateSpec(spec, testCatalog);
  return r.ok ? [] : r.problems.map(formatProblem);
};
const ingest = (id = 'ingest') => ({ id, type: 'ingest.file', params: { uri: 'data.csv' } });

describe('validateSpec', () => {
  it('accepts a well-formed spec with port edges and ordering edges', () => {
    const r = validateSpec(
      base(
        [ingest(), { id: 'train', type: 'train.gbdt', params: { trees: 10 } }, { id: 'eval', type: 'evaluate.model' }, { id: 'done', type: 'core.noop' }],
        [
          { from: 'ingest.dataset', to: 'train.train' },
          { from: 'train.model', to: 'eval.model' },
          { from: 'ingest.dataset', to: 'eval.dataset' },
          { from: 'eval', to: 'done' },
        ],
      ),
      testCatalog,
    );
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('reports structural problems with paths, and unknown fields', () => {
    expect(problems({ apiVersion: 'kiln/v2', name: '', nodes: [{ id: 'a.b', type: 'core.noop', retires: 3 }] })).toEqual([
      'apiVersion: Invalid input: expected "kiln/v1"',
      'name: Too small: expected string to have >=1 characters',
      'nodes[0].id: a node id starts with a letter or _ and holds letters, digits, _ and - only',
      'nodes[0]: unknown field "retires"',
    ]);
  });

  it('checks the cache fields: cacheVersion a non-empty string, no caching of approvals', () => {
    expect(problems(base([{ ...ingest(), cache: 'yes', cacheVersion: '' }]))).toEqual([
      'nodes[0].cache: Invalid input: expected boolean, received string',
      'nodes[0].cacheVersion: Too small: expected string to have >=1 characters',
    ]);
    expect(problems(base([{ ...ingest(), cache: true, cacheVersion: 'v2' }]))).toEqual([]);
    const approval = problems(base([{ id: 'ok', type: 'gate.approval', cache: true, cacheVersion: 'v1' }])).filter((p) => p.includes('cached'));
    expect(approval).toEqual([
      'nodes[0].cache: node "ok": gate.approval waits for a decision and is never cached; remove "cache"',
      'nodes[0].cacheVersion: node "ok": gate.approval waits for a decision and is never cached; remove "cacheVersion"',
    ]);
  });

  it("refuses resources a node's runner would ignore: on an approval, gpu on a registered type, cores or memory on a Python type", () => {
    const registered = (language: 'python' | 'typescript') => ({ ...testCatalog.get('core.noop')!, type: 'acme.step', queue: 'acme', language });
    const catalog = catalogOf([...testCatalog.types(), registered('python'), { ...registered('typescript'), type: 'acme.ts' }]);
    const check = (nodes: unknown[]) => {
      const r = validateSpec(base(nodes), catalog);
      return r.ok ? [] : r.problems.map(formatProblem);
    };
    expect(check([{ id: 'ok', type: 'gate.approval', resources: { cpu: 1 } }]).filter((p) => p.includes('resources'))).toEqual([
      'nodes[0].resources: node "ok": gate.approval waits for a decision in the workflow, on no worker: remove "resources"',
    ]);
    expect(check([{ id: 'py', type: 'acme.step', resources: { cpu: 2, memoryMb: 512, gpu: 1 } }])).toEqual([
      'nodes[0].resources.gpu: node "py": acme.step runs on its workers\' queue "acme", so "gpu" cannot route it: name the queue of a GPU worker of the type in "resources.queue"',
      'nodes[0].resources.cpu: node "py": acme.step runs on a Python worker, which holds no core budget and sets no memory limit: remove "cpu"',
      'nodes[0].resources.memoryMb: node "py": acme.step runs on a Python worker, which holds no core budget and sets no memory limit: remove "memoryMb"',
    ]);
    // A named queue routes it; a TypeScript worker honours cores and memory; built-ins take them all.
    expect(check([{ id: 'py', type: 'acme.step', resources: { gpu: 1, queue: 'acme-gpu' } }])).toEqual([]);
    expect(check([{ id: 'ts', type: 'acme.ts', resources: { cpu: 2, memoryMb: 512 } }])).toEqual([]);
    expect(check([{ ...ingest(), resources: { cpu: 0.5, gpu: 1, memoryMb: 64 } }])).toEqual([]);
  });

  it('reports duplicate node ids and unknown node types with a suggestion', () => {
    expect(problems(base([{ id: 'a', type: 'core.noop' }, { id: 'a', type: 'core.noop' }, { id: 'b', type: 'core.nop' }]))).toEqual([
      'nodes[1].id: node id "a" is already used by nodes[0]',
      'nodes[2].type: node "b": unknown node type "core.nop" (did you mean "core.noop"?)',
    ]);
  });

  it('reports unknown nodes and ports, naming the ports that exist', () => {
    expect(
      problems(
        base([ingest(), { id: 'v', type: 'validate.tabular' }], [
          { from: 'ingest.datset', to: 'v.dataset' },
          { from: 'ingest.dataset', to: 'v.data' },
          { from: 'ghost', to: 'v' },
        ]),
      ),
    ).toEqual([
      'edges[0].from: node "ingest" (ingest.file) has no output "datset"; its outputs: dataset',
      'edges[1].to: node "v" (validate.tabular) has no input "data"; its inputs: dataset, reference',
      'edges[2].from: no node "ghost" in this pipeline',
    ]);
  });

  it('reports a port type mismatch, an input fed twice, and a required input not connected', () => {
    expect(
      problems(
        base(
          [ingest('a'), ingest('b'), { id: 't', type: 'train.gbdt' }, { id: 'e', type: 'evaluate.model' }],
          [
            { from: 'a.dataset', to: 't.train' },
            { from: 'b.dataset', to: 't.train' },
            { from: 'a.dataset', to: 'e.model' },
          ],
        ),
      ),
    ).toEqual([
      'edges[1].to: input "t.train" is already fed by edges[0] (a.dataset); an input takes one source',
      'edges[2]: output "a.dataset" is a Dataset but input "e.model" takes a Model',
      'nodes[3]: node "e": input "dataset" (Dataset) is not connected',
    ]);
  });

  it('does not require optional inputs', () => {
    expect(problems(base([ingest(), { id: 'v', type: 'validate.tabular' }], [{ from: 'ingest.dataset', to: 'v.dataset' }]))).toEqual([]);
  });

  it('names a cycle along its path, and a self-loop', () => {
    const n = (id: string) => ({ id, type: 'core.noop' });
    expect(
      problems(
        base([n('a'), n('b'), n('c'), n('d'), n('e')], [
          { from: 'a', to: 'b' },
          { from: 'b', to: 'c' },
          { from: 'c', to: 'a' },
          { from: 'c', to: 'd' },
          { from: 'e', to: 'e' },
        ]),
      ),
    ).toEqual(['edges: cycle: a → b → c → a', 'edges: cycle: e → e']);
  });

  it('maps param schema problems onto nodes[i].params paths', () => {
    expect(problems(base([{ id: 'i', type: 'ingest.file', params: { uri: 3, limit: -1, extra: true } }]))).toEqual([
      'nodes[0].params.uri: node "i": param "uri": Invalid input: expected string, received number',
      'nodes[0].params.limit: node "i": param "limit": Too small: expected number to be >0',
      'nodes[0].params: node "i": unknown param "extra"',
    ]);
  });

  it('checks $param references: undeclared names fail, declared defaults are type-checked', () => {
    const spec = base(
      [
        { id: 'a', type: 'ingest.file', params: { uri: { $param: 'path' } } },
        { id: 'b', type: 'ingest.file', params: { uri: { $param: 'missing' } } },
        { id: 'c', type: 'ingest.file', params: { uri: { $param: 'count' } } },
      ],
      [],
      { params: { type: 'object', properties: { path: { type: 'string' }, count: { type: 'integer', default: 3 } } } },
    );
    expect(problems(spec)).toEqual([
      'nodes[1].params.uri: node "b": run parameter "missing" is not declared in the pipeline\'s params',
      'nodes[2].params.uri: node "c": param "uri": Invalid input: expected string, received number',
    ]);
  });

  it('checks map items and $item/$output references', () => {
    const spec = base([
      ingest('src'),
      { id: 'm', type: 'ingest.file', params: { uri: { $item: '' } }, map: { items: 'not-a-list' } },
      { id: 'x', type: 'ingest.file', params: { uri: { $item: '' } } },
      { id: 'y', type: 'ingest.file', params: { uri: { $output: 'src.nothing' } } },
    ]);
    expect(problems(spec)).toEqual([
      'nodes[1].map.items: node "m": map items must be a list, {"$param": name} or {"$output": "node.output"}',
      'nodes[2].params.uri: node "x": {"$item"} is only allowed in a node with "map"',
      'nodes[3].params.uri: node "y": node "src" (ingest.file) has no output "nothing"; its outputs: dataset',
    ]);
  });

  it('reports every problem at once, even when the shape is partly wrong', () => {
    const list = problems({ apiVersion: 'kiln/v1', name: 'x', nodes: [{ id: 'a', type: 'core.noop' }, 42, { id: 'a', type: 'core.noop' }], edges: [{ from: 'a', to: 'zz' }] });
    expect(list).toEqual([
      'nodes[1]: Invalid input: expected object, received number',
      'nodes[2].id: node id "a" is already used by nodes[0]',
      'edges[0].to: no node "zz" in this pipeline',
    ]);
  });

  it('rejects a run-parameter schema that is not JSON Schema', () => {
    expect(problems(base([], [], { params: { type: 'object', properties: { a: { type: 'strin' } } } }))[0]).toMatch(/^params: not a valid JSON Schema/);
  });
});
