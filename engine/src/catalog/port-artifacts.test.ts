import { describe, expect, it } from 'vitest';
import { artifactRefsOf, artifactRefsOfPorts } from './port-artifacts';

const ref = (n: number) => ({ uri: `file:///a${n}`, digest: `sha256:${String(n).repeat(64).slice(0, 64)}`, size: 1, mediaType: 'x/y' });
const model = { artifact: ref(1), task: 'binary', features: [{ name: 'x', type: 'float' }], classes: [0, 1], target: 'y' };
const dataset = { artifact: ref(2), schema: [], rowCount: 0, stats: [] };

describe('artifact refs found through the port schemas', () => {
  it('finds every ref a typed value declares, nested ones included', () => {
    expect(artifactRefsOf('Model', model)).toEqual([ref(1)]);
    expect(artifactRefsOf('Dataset', dataset)).toEqual([ref(2)]);
    expect(artifactRefsOf('Metrics', { task: 'binary', values: {}, report: ref(3) })).toEqual([ref(3)]);
    expect(artifactRefsOf('Report', { artifact: ref(4), summary: { nested: ref(5) } })).toEqual([ref(4)]);
    expect(artifactRefsOf('Deployment', { name: 'd', model: 'm', version: 1, strategy: 'replace', role: 'primary' })).toEqual([]);
  });

  it('names no artifact in a Json value, whatever it holds (no duck typing)', () => {
    expect(artifactRefsOf('Json', { artifact: ref(1), digest: ref(1).digest })).toEqual([]);
  });

  it('reads the lists of a mapped node and whole port maps', () => {
    expect(artifactRefsOf('Model', [model, { ...model, artifact: ref(6) }], { list: true })).toEqual([ref(1), ref(6)]);
    const ports = { model: 'Model', data: { type: 'Dataset', optional: true }, n: 'Json' } as const;
    expect(artifactRefsOfPorts(ports, { model, data: dataset, n: { artifact: ref(7) } })).toEqual([ref(1), ref(2)]);
    expect(artifactRefsOfPorts(ports, { model })).toEqual([ref(1)]);
  });
});
