import { describe, expect, it } from 'vitest';
import { catalogOf } from '../catalog/node-type-info';
import { typeInfo } from '../spec/test-catalog';
import { MAX_LOCAL_RUN_NODES, localTypesOf, queueOf, runsLocally, typeQueuesOf } from './queue';

const info = (type: string, light?: boolean) => typeInfo(type, light ? { light } : {});

describe('where a node runs', () => {
  it('routes by queue, then GPU, else cpu', () => {
    expect(queueOf({})).toBe('cpu');
    expect(queueOf({ resources: { gpu: 1 } })).toBe('gpu');
    expect(queueOf({ resources: { queue: 'special', gpu: 1 } })).toBe('special');
  });

  it("routes a registered type's nodes to its workers' queue unless the node names one", () => {
    const catalog = catalogOf([{ ...info('acme.clean'), queue: 'acme' }, info('t.heavy')]);
    const queues = typeQueuesOf({ nodes: [{ id: 'a', type: 'acme.clean' }, { id: 'b', type: 't.heavy' }, { id: 'c', type: 'acme.clean' }] }, catalog);
    expect(queues).toEqual({ 'acme.clean': 'acme' });
    expect(queueOf({ type: 'acme.clean' }, queues)).toBe('acme');
    expect(queueOf({ type: 'acme.clean', resources: { gpu: 1 } }, queues)).toBe('acme');
    expect(queueOf({ type: 'acme.clean', resources: { queue: 'mine' } }, queues)).toBe('mine');
    expect(queueOf({ type: 't.heavy' }, queues)).toBe('cpu');
  });

  it('lists the light types a spec uses, once each, and runs those nodes locally unless they ask for a queue or GPU', () => {
    const catalog = catalogOf([info('t.light', true), info('t.heavy'), info('t.other', true)]);
    const types = localTypesOf({ nodes: [{ id: 'a', type: 't.light' }, { id: 'b', type: 't.light' }, { id: 'c', type: 't.heavy' }, { id: 'd', type: 't.unknown' }] }, catalog);
    expect(types).toEqual(['t.light']);
    expect(runsLocally({ type: 't.light' }, types)).toBe(true);
    expect(runsLocally({ type: 't.heavy' }, types)).toBe(false);
    expect(runsLocally({ type: 't.light', resources: { queue: 'special' } }, types)).toBe(false);
    expect(runsLocally({ type: 't.light', resources: { gpu: 1 } }, types)).toBe(false);
    expect(runsLocally({ type: 't.light' }, undefined)).toBe(false);
    expect(runsLocally({ type: 't.light', map: { items: [1, 2] } }, types)).toBe(false);
  });

  it('runs nothing locally in a spec over MAX_LOCAL_RUN_NODES nodes', () => {
    const catalog = catalogOf([info('t.light', true)]);
    const nodes = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `n${i}`, type: 't.light' }));
    expect(localTypesOf({ nodes: nodes(MAX_LOCAL_RUN_NODES) }, catalog)).toEqual(['t.light']);
    expect(localTypesOf({ nodes: nodes(MAX_LOCAL_RUN_NODES + 1) }, catalog)).toEqual([]);
  });
});
