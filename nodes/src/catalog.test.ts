import { describe, expect, it } from 'vitest';
import { catalog, loadNodeDefinitions, nodeTypes } from './catalog';
import { lazyNode } from './lazy-node';
import noopDeclaration from './core/noop.decl';
import commandDefinition from './core/command';

const nodeDefinitions = await loadNodeDefinitions();

describe('the node catalog', () => {
  it('has every node type once, by type name, with a params JSON Schema and docs', () => {
    const types = catalog.types().map((t) => t.type);
    expect(types).toEqual(nodeTypes.map((t) => t.type));
    expect(types).toEqual([...new Set(types)].sort());
    expect(types).toHaveLength(18);
    // The catalog is made from the declarations (light to load); each definition is its declaration plus `run`.
    expect(nodeDefinitions.map((d) => d.type)).toEqual(types);
    nodeDefinitions.forEach((def, i) => {
      const { run: _run, ...declared } = def;
      const { load: _load, ...registered } = nodeTypes[i]!;
      expect(declared).toEqual(registered);
      expect(def.params).toBe(nodeTypes[i]!.params);
    });
    for (const info of catalog.types()) {
      expect(info.title.length).toBeGreaterThan(0);
      expect(info.description.length).toBeGreaterThan(20);
      expect(info.paramsJsonSchema.type).toBe('object');
    }
  });

  it('describes core.command params for forms, and checks them', () => {
    const info = catalog.get('core.command')!;
    expect(info.paramsJsonSchema).toMatchObject({
      properties: { command: { type: 'string', description: 'The command line, run by `sh -c`.' }, outputJson: { default: false } },
      required: ['command'],
    });
    expect(info.checkParams!({ command: '' })).toEqual([
      { path: ['command'], message: 'param "command": Too small: expected string to have >=1 characters' },
    ]);
    expect(info.checkParams!({ command: 'x', shell: 'bash' })).toEqual([{ path: [], message: 'unknown param "shell"' }]);
  });

  it('carries what each type declares it may do into the catalog', () => {
    const withCapability = (c: string) => catalog.types().filter((t) => t.capabilities.includes(c as never)).map((t) => t.type);
    expect(withCapability('user-code')).toEqual(['core.command', 'train.command']);
    expect(withCapability('local-files')).toEqual(['ingest.file']);
    expect(withCapability('network')).toEqual(['ingest.file']);
    expect(withCapability('kiln-api').sort()).toEqual(['deploy.model', 'deploy.promote', 'gate.metrics', 'monitor.drift']);
    for (const d of nodeDefinitions) expect(catalog.get(d.type)!.capabilities).toBe(d.capabilities);
  });

  it('refuses an implementation that is not its declaration plus run', async () => {
    const mismatched = lazyNode({ default: noopDeclaration }, async () => ({ default: commandDefinition as never }));
    await expect(mismatched.load()).rejects.toThrow('node type "core.noop": its implementation is not its declaration plus run (got "core.command")');
  });
});
