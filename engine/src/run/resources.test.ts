import { describe, expect, it } from 'vitest';
import { catalogOf } from '../catalog/node-type-info';
import { typeInfo } from '../spec/test-catalog';
import { queueOf, runsLocally } from './queue';
import { resourcesOf, typeResourcesOf, withTypeResources } from './resources';

const info = typeInfo;

describe("a node type's default resources", () => {
  const catalog = catalogOf([info('t.train', { resources: { cpu: 4, memoryMb: 2048 } }), info('t.vision', { resources: { gpu: 1 } }), info('t.plain'), info('t.light', { light: true, resources: { gpu: 1 } })]);
  const spec = { nodes: [{ id: 'a', type: 't.train' }, { id: 'b', type: 't.vision' }, { id: 'c', type: 't.plain' }, { id: 'd', type: 't.train' }] };

  it('are taken from the catalog for the types a spec uses, once each', () => {
    expect(typeResourcesOf(spec, catalog)).toEqual({ 't.train': { cpu: 4, memoryMb: 2048 }, 't.vision': { gpu: 1 } });
  });

  it("are overridden field by field by the node's own", () => {
    const defaults = typeResourcesOf(spec, catalog);
    expect(resourcesOf({ type: 't.train' }, defaults)).toEqual({ cpu: 4, memoryMb: 2048 });
    expect(resourcesOf({ type: 't.train', resources: { cpu: 1 } }, defaults)).toEqual({ cpu: 1, memoryMb: 2048 });
    expect(resourcesOf({ type: 't.plain', resources: { cpu: 1 } }, defaults)).toEqual({ cpu: 1 });
    expect(resourcesOf({ type: 't.plain' }, defaults)).toBeUndefined();
    const node = { id: 'c', type: 't.plain' };
    expect(withTypeResources(node, defaults)).toBe(node);
  });

  it('route: a GPU type goes to the gpu queue unless the node turns it off or names a queue', () => {
    const defaults = typeResourcesOf(spec, catalog);
    const queue = (node: { type: string; resources?: { gpu?: number; queue?: string } }) => queueOf(withTypeResources(node, defaults));
    expect(queue({ type: 't.vision' })).toBe('gpu');
    expect(queue({ type: 't.vision', resources: { gpu: 0 } })).toBe('cpu');
    expect(queue({ type: 't.vision', resources: { queue: 'big' } })).toBe('big');
    expect(queue({ type: 't.train' })).toBe('cpu');
    // A light type that asks for a GPU by default is sent to its queue, not run on the workflow worker.
    const light = typeResourcesOf({ nodes: [{ id: 'l', type: 't.light' }] }, catalog);
    expect(runsLocally(withTypeResources({ type: 't.light' }, light), ['t.light'])).toBe(false);
  });
});
