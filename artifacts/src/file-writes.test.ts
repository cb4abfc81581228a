import { mkdtemp, open, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_WRITE_BYTES, writeCalls, writeFully } from './file-writes';

const scratch = await mkdtemp(join(tmpdir(), 'kiln-file-writes-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

/** Bytes whose every position holds a different value mod 251, so a misplaced piece shows. */
function pattern(size: number, start = 0): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (start + i) % 251;
  return bytes;
}

describe('writeCalls', () => {
  it('splits views into calls of at most MAX_WRITE_BYTES, in order, dropping empty ones', () => {
    const views = [pattern(10), new Uint8Array(0), pattern(MAX_WRITE_BYTES * 2 + 5, 10), pattern(MAX_WRITE_BYTES - 15, 3)];
    const calls = [...writeCalls(views)];
    const sizes = calls.map((call) => call.reduce((n, v) => n + v.byteLength, 0));
    expect(sizes).toEqual([MAX_WRITE_BYTES, MAX_WRITE_BYTES, MAX_WRITE_BYTES]);
    expect(calls.flat().every((v) => v.byteLength > 0)).toBe(true);
    expect(Buffer.concat(calls.flat())).toEqual(Buffer.concat(views));
  });

  it('ends a call at 1,024 buffers (IOV_MAX) however small they are', () => {
    const calls = [...writeCalls(Array.from({ length: 2500 }, () => pattern(3)))];
    expect(calls.map((c) => c.length)).toEqual([1024, 1024, 452]);
  });
});

describe('writeFully', () => {
  it('writes every byte in order and returns the count', async () => {
    const views = [pattern(MAX_WRITE_BYTES + 7), pattern(100, 1), pattern(3 * MAX_WRITE_BYTES, 2)];
    const path = join(scratch, 'out.bin');
    const handle = await open(path, 'w');
    try {
      expect(await writeFully(handle, views)).toBe(4 * MAX_WRITE_BYTES + 107);
    } finally {
      await handle.close();
    }
    expect(await readFile(path)).toEqual(Buffer.concat(views));
  });
});
