import { describe, expect, it } from 'vitest';
import { catalog, nodeDefinitions } from './index';

describe('the node catalog', () => {
  it('has every definition once, with a params JSON Schema and docs', () => {
    expect(catalog.types().map((t) => t.type)).toEqual(nodeDefinitions.map((d) => d.type));
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
});
