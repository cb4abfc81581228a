import { describe, expect, it } from 'vitest';
import { validateSpec } from '@kiln/engine';
import { browserCatalog, groupByCategory, groupBySource, type NodeTypeJson } from './catalog';
import { SseParser } from './sse';

const command: NodeTypeJson = {
  type: 'core.command',
  version: 1,
  category: 'core',
  title: 'Shell command',
  description: 'Runs a command',
  inputs: {},
  outputs: { stdout: { type: 'Json', schema: {} } },
  capabilities: ['user-code'],
  paramsJsonSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: {
      command: { type: 'string', minLength: 1 },
      outputJson: { type: 'boolean', default: false },
    },
    required: ['command'],
    additionalProperties: false,
  },
};
const approval: NodeTypeJson = {
  ...command,
  type: 'gate.approval',
  category: 'gate',
  title: 'Approval',
  description: 'Waits for a person',
  paramsJsonSchema: { type: 'object' },
};

describe('the browser catalog', () => {
  it('checks params against the JSON Schema, so the engine validator reports per-field problems', () => {
    const result = validateSpec(
      {
        apiVersion: 'kiln/v1',
        name: 'x',
        nodes: [{ id: 'a', type: 'core.command', params: { outputJson: 'yes', bogus: 1 } }],
      },
      browserCatalog([command]),
    );
    expect(result.ok).toBe(false);
    const paths = result.problems.map((p) => p.path).sort();
    expect(paths).toEqual(['nodes[0].params.bogus', 'nodes[0].params.command', 'nodes[0].params.outputJson']);
    expect(result.problems.every((p) => p.nodeId === 'a')).toBe(true);
  });

  it('groups the palette by category and searches it', () => {
    expect(groupByCategory([approval, command]).map(([c, l]) => [c, l.map((t) => t.type)])).toEqual([
      ['core', ['core.command']],
      ['gate', ['gate.approval']],
    ]);
    expect(groupByCategory([approval, command], 'person').map(([c]) => c)).toEqual(['gate']);
  });

  it('groups registered types under their source, after the built-ins', () => {
    const clean: NodeTypeJson = { ...approval, type: 'acme.clean', category: 'acme', title: 'Clean', source: '@acme/nodes', language: 'typescript', served: true };
    const fit: NodeTypeJson = { ...approval, type: 'py.fit', category: 'py', title: 'Fit', source: 'acme_py', language: 'python', served: false };
    const groups = groupBySource([fit, clean, { ...command, source: 'builtin' }, approval]);
    expect(groups.map((g) => [g.source, g.language, g.categories.map(([c]) => c)])).toEqual([
      ['builtin', 'typescript', ['core', 'gate']],
      ['@acme/nodes', 'typescript', ['acme']],
      ['acme_py', 'python', ['py']],
    ]);
    expect(groupBySource([fit, clean], 'fit').map((g) => g.source)).toEqual(['acme_py']);
  });
});

describe('the SSE parser', () => {
  it('splits events across chunks and drops keep-alives', () => {
    const p = new SseParser();
    expect(p.push('id: 1\nevent: node\ndata: {"a"')).toEqual([]);
    expect(p.push(':1}\n\n: keep-alive\n\nid: 2\nevent: end\ndata: {}\n\n')).toEqual([
      { id: '1', event: 'node', data: '{"a":1}' },
      { id: '2', event: 'end', data: '{}' },
    ]);
  });
});
