import { describe, expect, it } from 'vitest';
import { INLINE_SPEC_BYTES, MAX_PAYLOAD_BYTES } from '../run/run-input';
import type { PipelineSpec } from '../spec/schema';
import { RunTooLargeError, runInputOf } from './run-client';

const spec = { apiVersion: 'kiln/v1', name: 'p', nodes: [{ id: 'a', type: 'core.noop' }] } as PipelineSpec;
const reuseOf = (bytes: number) => ({ a: { outputs: { blob: 'x'.repeat(bytes) }, from: { runId: 'r0', nodeId: 'a' } } });
const memoryStore = () => {
  const kept = new Map<string, string>();
  return { kept, put: async (json: string) => (kept.set(`sha256:${kept.size}`, json), `sha256:${kept.size - 1}`) };
};

describe('a run input with reused results', () => {
  it('carries a small reuse map inline and a large one by digest in the spec store', async () => {
    const store = memoryStore();
    const small = await runInputOf({ spec, params: {}, reuse: reuseOf(10), specStore: store });
    expect(small.reuse).toEqual(reuseOf(10));
    expect(small.reuseRef).toBeUndefined();

    const large = await runInputOf({ spec, params: {}, reuse: reuseOf(INLINE_SPEC_BYTES), specStore: store });
    expect(large.reuse).toBeUndefined();
    expect(large.reuseRef).toEqual({ digest: 'sha256:0', length: store.kept.get('sha256:0')!.length });
    expect(JSON.parse(store.kept.get('sha256:0')!)).toEqual(reuseOf(INLINE_SPEC_BYTES));
  });

  it('refuses one too large for a payload when there is no store to keep it', async () => {
    await expect(runInputOf({ spec, params: {}, reuse: reuseOf(MAX_PAYLOAD_BYTES) })).rejects.toThrow(RunTooLargeError);
  });
});
