import { writeFile, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FolderArtifactStore } from '@kiln/artifacts';
import type { NodeTask } from '@kiln/engine';
import { loadNodeDefinitions } from '@kiln/nodes/catalog';
import { type CacheKeyParts, cacheKey } from './cache-key';
import { cacheKeyOf, cachingOn } from './node-cache';
import { implementationFingerprint, importsOf } from './fingerprint';

const definitions = await loadNodeDefinitions();
const typeOf = (type: string) => definitions.find((d) => d.type === type)!;
const [gateMetrics, ingestFile, trainGbdt] = [typeOf('gate.metrics'), typeOf('ingest.file'), typeOf('train.gbdt')];

const base: CacheKeyParts = {
  type: 'train.gbdt',
  typeVersion: 1,
  implementation: 'a'.repeat(64),
  params: { numIterations: 400, learningRate: 0.05, seed: 1 },
  inputs: { train: { artifact: { digest: `sha256:${'1'.repeat(64)}` }, rows: 10 } },
  data: {},
};

describe('the cache key', () => {
  const variants: [string, Partial<CacheKeyParts>][] = [
    ['node type', { type: 'train.linear' }],
    ['type version', { typeVersion: 2 }],
    ['implementation fingerprint', { implementation: 'b'.repeat(64) }],
    ['a param value', { params: { ...(base.params as object), seed: 2 } }],
    ['an added param', { params: { ...(base.params as object), maxLeaves: 15 } }],
    ['an input artifact digest', { inputs: { train: { artifact: { digest: `sha256:${'2'.repeat(64)}` }, rows: 10 } } }],
    ['an input value besides artifacts', { inputs: { train: { artifact: { digest: `sha256:${'1'.repeat(64)}` }, rows: 11 } } }],
    ['an input port name', { inputs: { test: (base.inputs as Record<string, unknown>).train } }],
    ['the item of a mapped node', { item: { value: { lr: 0.1 } } }],
    ['cacheVersion', { cacheVersion: 'v2' }],
    ['an external data identity', { data: { uri: `file:sha256:${'3'.repeat(64)}` } }],
  ];
  it.each(variants)('changes with the %s', (_what, change) => {
    expect(cacheKey({ ...base, ...change })).not.toBe(cacheKey(base));
  });

  it('is the same for equal parts written in another key order, and 64 hex digits', () => {
    const reordered: CacheKeyParts = { ...base, params: { seed: 1, learningRate: 0.05, numIterations: 400 } };
    expect(cacheKey(reordered)).toBe(cacheKey(base));
    expect(cacheKey(base)).toMatch(/^[0-9a-f]{64}$/);
    const keys = new Set(variants.map(([, change]) => cacheKey({ ...base, ...change })));
    expect(keys.size).toBe(variants.length);
  });
});

describe('what decides caching', () => {
  it('follows the type unless the run or node says otherwise', () => {
    expect(cachingOn(trainGbdt, {}, {})).toBe(true);
    expect(cachingOn(trainGbdt, { cache: false }, {})).toBe(false);
    expect(cachingOn({ deterministic: undefined }, {}, {})).toBe(false);
    expect(cachingOn({ deterministic: undefined }, { cache: true }, {})).toBe(true);
    // A gate that reads the model registry is not deterministic; one with thresholds only is.
    expect(cachingOn(gateMetrics, {}, { rules: [] })).toBe(true);
    expect(cachingOn(gateMetrics, {}, { rules: [], champion: 'churn' })).toBe(false);
    expect(cachingOn(gateMetrics, { cache: true }, { rules: [], champion: 'churn' })).toBe(true);
  });
});

describe('the implementation fingerprint', () => {
  it('hashes a type’s module and what it imports, once per type', async () => {
    const gate = await implementationFingerprint(gateMetrics);
    expect(gate).toMatch(/^[0-9a-f]{64}$/);
    expect(await implementationFingerprint(gateMetrics)).toBe(gate);
    expect(await implementationFingerprint(trainGbdt)).not.toBe(gate);
    // A type outside @kiln/nodes is fingerprinted by its run function's text.
    const outside = await implementationFingerprint({ type: 'test.outside', run: async () => ({ outputs: {} }) });
    const changed = await implementationFingerprint({ type: 'test.outside2', run: async () => ({ outputs: { x: 1 } }) });
    expect(outside).not.toBe(changed);
  });

  it('finds static, dynamic, side-effect and worker-thread imports', () => {
    const text = [
      "import { a } from './a';",
      "import type { B } from '@kiln/engine';",
      "export * from '../c';",
      "import './d';",
      "const e = await import('./e');",
      "new Worker(new URL('./thread.js', import.meta.url));",
      "import {\n  f,\n  g,\n} from 'apache-arrow';",
    ].join('\n');
    expect(importsOf(text).sort()).toEqual(['../c', './a', './d', './e', './thread.js', '@kiln/engine', 'apache-arrow'].sort());
  });
});

describe('an external file in the key', () => {
  it('is keyed by content: equal bytes hit, changed bytes miss', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kiln-cache-key-'));
    const store = new FolderArtifactStore(join(dir, 'store'));
    const file = join(dir, 'data.csv');
    process.env.KILN_DATA_ROOTS = dir;
    const task = (uri: string): NodeTask => ({ runId: 'r', pipeline: 'p', nodeId: 'ingest', type: 'ingest.file', params: { uri }, inputs: {}, maxAttempts: 1 });
    const keyOf = (uri: string) => cacheKeyOf(ingestFile, task(uri), { uri, format: 'csv' }, store, new AbortController().signal);
    await writeFile(file, 'a,b\n1,2\n');
    const first = await keyOf(file);
    expect(first).toMatch(/^[0-9a-f]{64}$/);
    expect(await keyOf(file)).toBe(first);
    expect(await keyOf(`file://${file}`)).toBe(first);
    await writeFile(join(dir, 'copy.csv'), 'a,b\n1,2\n');
    expect(await keyOf(join(dir, 'copy.csv'))).toBe(first);
    await writeFile(file, 'a,b\n1,3\n');
    expect(await keyOf(file)).not.toBe(first);
    // Missing or outside the data roots: not cached (the node reports it when it runs).
    expect(await keyOf(join(dir, 'missing.csv'))).toBeUndefined();
    expect(await keyOf('/etc/hostname')).toBeUndefined();
  });
});
