import { describe, expect, it } from 'vitest';
import type { PipelineSpec } from '@kiln/engine';
import { freshNodeId, graphToSpec, specToGraph } from './spec-graph';
import { refuseConnection } from './connection-check';
import type { NodeTypeJson } from '../api/catalog';

const spec: PipelineSpec = {
  apiVersion: 'kiln/v1',
  name: 'mixed',
  description: 'd',
  maxParallel: 2,
  nodes: [
    { id: 'load', type: 'ml.load', position: { x: 10, y: 20 } },
    {
      id: 'train',
      type: 'ml.train',
      params: { epochs: 3 },
      retry: { maxAttempts: 2 },
      position: { x: 300, y: 20 },
    },
    { id: 'done', type: 'core.noop', position: { x: 600, y: 20 } },
  ],
  edges: [
    { from: 'load.dataset', to: 'train.data' },
    { from: 'train', to: 'done' },
  ],
};

const types: Record<string, NodeTypeJson> = {
  'ml.load': {
    type: 'ml.load',
    version: 1,
    category: 'ml',
    title: 'Load',
    description: '',
    inputs: {},
    outputs: { dataset: 'Dataset', meta: 'Json' },
    capabilities: [],
    paramsJsonSchema: {},
  },
  'ml.train': {
    type: 'ml.train',
    version: 1,
    category: 'ml',
    title: 'Train',
    description: '',
    inputs: { data: 'Dataset', extra: 'Json' },
    outputs: { model: 'Model' },
    capabilities: [],
    paramsJsonSchema: {},
  },
  'core.noop': {
    type: 'core.noop',
    version: 1,
    category: 'core',
    title: 'No-op',
    description: '',
    inputs: {},
    outputs: {},
    capabilities: [],
    paramsJsonSchema: {},
  },
};

describe('spec ↔ graph', () => {
  it('converts a spec to canvas nodes and edges with port handles, and back to the same spec', () => {
    const g = specToGraph(spec);
    expect(g.meta).toEqual({ apiVersion: 'kiln/v1', name: 'mixed', description: 'd', maxParallel: 2 });
    expect(g.nodes.map((n) => [n.id, n.position])).toEqual([
      ['load', { x: 10, y: 20 }],
      ['train', { x: 300, y: 20 }],
      ['done', { x: 600, y: 20 }],
    ]);
    expect(g.edges).toEqual([
      {
        id: 'load.dataset->train.data',
        source: 'load',
        target: 'train',
        sourceHandle: 'out:dataset',
        targetHandle: 'in:data',
      },
      {
        id: 'train->done',
        source: 'train',
        target: 'done',
        sourceHandle: 'out:__order',
        targetHandle: 'in:__order',
      },
    ]);
    expect(graphToSpec(g.meta, g.nodes, g.edges)).toEqual(spec);
  });

  it('gives nodes without a position one, and writes moved positions back rounded', () => {
    const g = specToGraph({ apiVersion: 'kiln/v1', name: 'n', nodes: [{ id: 'a', type: 'core.noop' }] });
    g.nodes[0]!.position = { x: 1.4, y: 2.6 };
    expect(graphToSpec(g.meta, g.nodes, g.edges).nodes[0]).toEqual({
      id: 'a',
      type: 'core.noop',
      position: { x: 1, y: 3 },
    });
  });

  it('names new nodes after their type with the first free number', () => {
    expect(freshNodeId('core.command', new Set(['command_1']))).toBe('command_2');
    expect(freshNodeId('x.3d', new Set())).toBe('_3d_1');
  });
});

describe('connection checks', () => {
  const { edges } = specToGraph(spec);
  const typeOf = (id: string) => types[spec.nodes.find((n) => n.id === id)?.type ?? ''];
  const attempt = (source: string, from: string, target: string, to: string) =>
    refuseConnection(
      { source, sourceHandle: `out:${from}`, target, targetHandle: `in:${to}` },
      typeOf,
      edges,
    );

  it('refuses a port type mismatch, naming both types', () => {
    expect(attempt('load', 'meta', 'train', 'data')).toBe(
      'output "load.meta" is Json but input "train.data" takes Dataset',
    );
  });
  it('refuses a second source for an input', () => {
    expect(attempt('load', 'dataset', 'train', 'data')).toMatch(/already fed by "load.dataset"/);
  });
  it('refuses a cycle, naming it', () => {
    expect(attempt('done', '__order', 'load', '__order')).toBe(
      'it would make a cycle: load → train → done → load',
    );
  });
  it('refuses data to order handles and self-loops', () => {
    expect(attempt('load', 'meta', 'done', '__order')).toMatch(/carries data/);
    expect(attempt('load', '__order', 'load', '__order')).toMatch(/itself/);
  });
  it('accepts a compatible connection', () => {
    expect(attempt('load', 'meta', 'train', 'extra')).toBeUndefined();
  });
});
