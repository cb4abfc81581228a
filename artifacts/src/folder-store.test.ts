import { createHash } from 'node:crypto';
import { chmod, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { ArtifactIntegrityError, ArtifactNotFoundError, sha256Digest } from './artifact-store';
import { FolderArtifactStore } from './folder-store';

const scratch = await mkdtemp(join(tmpdir(), 'kiln-store-test-'));
afterAll(() => rm(scratch, { recursive: true, force: true }));

let store: FolderArtifactStore;
let dirCount = 0;
beforeEach(() => {
  store = new FolderArtifactStore(join(scratch, `store-${++dirCount}`));
});

const text = (s: string) => new TextEncoder().encode(s);
const opts = { mediaType: 'text/plain' };

async function* chunksOf(bytes: Uint8Array, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.byteLength; i += size) yield bytes.slice(i, i + size);
}

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

/** Overwrites a stored file in place (it is read-only once stored). */
async function corrupt(path: string, bytes: Uint8Array): Promise<void> {
  await chmod(path, 0o644);
  await writeFile(path, bytes);
}

describe('FolderArtifactStore', () => {
  it('round-trips bytes and lays them out by digest', async () => {
    const bytes = text('hello, kiln\n');
    const ref = await store.put(bytes, { mediaType: 'text/plain', meta: { origin: 'test' } });
    const hex = createHash('sha256').update(bytes).digest('hex');

    expect(ref).toEqual({
      uri: expect.stringMatching(/^file:\/\//),
      digest: `sha256:${hex}`,
      size: bytes.byteLength,
      mediaType: 'text/plain',
      meta: { origin: 'test' },
    });
    const path = join(store.root, 'sha256', hex.slice(0, 2), hex.slice(2, 4), hex);
    expect(fileURLToPath(ref.uri)).toBe(path);
    expect(await readFile(path)).toEqual(Buffer.from(bytes));

    expect(Buffer.from(await store.get(ref.digest))).toEqual(Buffer.from(bytes));
    expect(await readAll(await store.open(ref.digest))).toEqual(Buffer.from(bytes));
    expect(await readFile(await store.localPath(ref.digest))).toEqual(Buffer.from(bytes));
    expect(await store.has(ref.digest)).toBe(true);
    expect(await store.has(sha256Digest(text('other')))).toBe(false);
  });

  it('gives the same ref for bytes, a stream of chunks, a file path and putFile', async () => {
    const bytes = new Uint8Array(300_000).map((_, i) => (i * 31) % 251);
    const file = join(scratch, `source-${dirCount}.bin`);
    await writeFile(file, bytes);

    const fromBytes = await store.put(bytes, opts);
    const fromChunks = await new FolderArtifactStore(join(scratch, `other-${dirCount}`)).put(
      chunksOf(bytes, 7_001),
      opts,
    );
    const fromPath = await store.put(file, opts);
    const fromPutFile = await store.putFile(file, opts);

    expect(fromBytes.digest).toBe(sha256Digest(bytes));
    expect(fromChunks.digest).toBe(fromBytes.digest);
    expect(fromPath).toEqual(fromBytes);
    expect(fromPutFile).toEqual(fromBytes);
    // Large enough to be hashed off the event loop, on put and on get.
    expect(Buffer.compare(await store.get(fromBytes.digest), bytes)).toBe(0);
    const stored = store.pathOf(fromBytes.digest);
    await chmod(stored, 0o644);
    await writeFile(stored, bytes.map((b) => b ^ 1));
    await expect(store.get(fromBytes.digest)).rejects.toBeInstanceOf(ArtifactIntegrityError);
  });

  it('adopts a file its writer hashed: moved in, or copied from another file system', async () => {
    const bytes = text('written and hashed by its writer');
    const digest = sha256Digest(bytes);
    const file = join(scratch, `adopt-${dirCount}.bin`);
    await writeFile(file, bytes);
    const ref = await store.adoptFile(file, digest, bytes.byteLength, opts);
    expect(ref).toEqual(await store.put(bytes, opts));
    expect(Buffer.from(await store.get(digest)).toString()).toBe('written and hashed by its writer');
    await expect(stat(file)).rejects.toThrow(/ENOENT/);
    // The same bytes again: nothing moves, the file is left to its owner.
    await writeFile(file, bytes);
    expect(await store.adoptFile(file, digest, bytes.byteLength, opts)).toEqual(ref);
    expect((await stat(file)).size).toBe(bytes.byteLength);
    // /dev/shm is another file system here: the file is copied instead of moved.
    const elsewhere = await mkdtemp('/dev/shm/kiln-adopt-');
    try {
      const other = text('from another file system');
      await writeFile(join(elsewhere, 'f'), other);
      const copied = await store.adoptFile(join(elsewhere, 'f'), sha256Digest(other), other.byteLength, opts);
      expect(Buffer.from(await store.get(copied.digest)).toString()).toBe('from another file system');
    } finally {
      await rm(elsewhere, { recursive: true, force: true });
    }
    expect(await readdir(join(store.root, 'tmp'))).toEqual([]);
  });

  it('refuses to read back an adopted file whose given digest was wrong', async () => {
    const file = join(scratch, `wrong-${dirCount}.bin`);
    await writeFile(file, text('actual bytes'));
    const claimed = sha256Digest(text('other bytes'));
    await store.adoptFile(file, claimed, 12, opts);
    await expect(store.get(claimed)).rejects.toBeInstanceOf(ArtifactIntegrityError);
  });

  it('stores empty content', async () => {
    const ref = await store.put(chunksOf(new Uint8Array(0), 1), opts);
    expect(ref.size).toBe(0);
    expect((await store.get(ref.digest)).byteLength).toBe(0);
  });

  it('makes a second put of the same bytes a no-op', async () => {
    const bytes = text('same bytes');
    const first = await store.put(bytes, opts);
    const before = await stat(store.pathOf(first.digest));
    const again = await store.put(bytes, opts);
    const streamed = await store.put(chunksOf(bytes, 3), opts);
    const after = await stat(store.pathOf(first.digest));

    expect(again).toEqual(first);
    expect(streamed).toEqual(first);
    expect(after.ino).toBe(before.ino);
    expect(after.mtimeMs).toBe(before.mtimeMs);
    expect(await readdir(join(store.root, 'tmp'))).toEqual([]);
  });

  it('handles concurrent puts of the same bytes', async () => {
    const bytes = new Uint8Array(2_000_000).map((_, i) => i % 253);
    const refs = await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        i % 2 === 0 ? store.put(bytes, opts) : store.put(chunksOf(bytes, 65_536), opts),
      ),
    );
    for (const ref of refs) expect(ref).toEqual(refs[0]);
    // Buffer#equals, not toEqual: deep equality over 2 MB element by element takes seconds.
    expect(Buffer.from(await store.get(refs[0]!.digest)).equals(bytes)).toBe(true);
    const hex = refs[0]!.digest.slice('sha256:'.length);
    expect(await readdir(join(store.root, 'sha256', hex.slice(0, 2), hex.slice(2, 4)))).toEqual([hex]);
    expect(await readdir(join(store.root, 'tmp'))).toEqual([]);
  });

  it('detects a corrupted file on get, open and localPath', async () => {
    const ref = await store.put(text('the original content'), opts);
    await corrupt(store.pathOf(ref.digest), text('the tampered content'));

    const expected = `artifact ${ref.digest} is corrupted: the bytes at ${store.pathOf(ref.digest)} hash to sha256:`;
    await expect(store.get(ref.digest)).rejects.toThrow(expected);
    await expect(store.get(ref.digest)).rejects.toBeInstanceOf(ArtifactIntegrityError);
    await expect(readAll(await store.open(ref.digest))).rejects.toThrow(expected);
    await expect(store.localPath(ref.digest)).rejects.toThrow(expected);
  });

  it('notices corruption after localPath has verified a file once', async () => {
    const ref = await store.put(text('verified once'), opts);
    await store.localPath(ref.digest);
    await corrupt(store.pathOf(ref.digest), text('changed later, and longer'));
    await expect(store.localPath(ref.digest)).rejects.toBeInstanceOf(ArtifactIntegrityError);
  });

  it('replaces a truncated file on the next put of its bytes', async () => {
    const bytes = text('complete content');
    const ref = await store.put(bytes, opts);
    await corrupt(store.pathOf(ref.digest), text('compl'));
    await store.put(bytes, opts);
    expect(Buffer.from(await store.get(ref.digest))).toEqual(Buffer.from(bytes));
  });

  it('names the digest when it is missing, and rejects malformed digests', async () => {
    const missing = sha256Digest(text('never stored'));
    const message = `artifact ${missing} not found in the folder store at ${store.root}`;
    await expect(store.get(missing)).rejects.toThrow(message);
    await expect(store.get(missing)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    await expect(store.open(missing)).rejects.toThrow(message);
    await expect(store.localPath(missing)).rejects.toThrow(message);
    await expect(store.get('sha256:../../etc/passwd')).rejects.toThrow(
      'invalid artifact digest "sha256:../../etc/passwd": expected "sha256:" and 64 lowercase hex digits',
    );
    await expect(store.has('md5:abc')).rejects.toThrow('invalid artifact digest');
  });

  it('leaves no temp file behind when the source fails', async () => {
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield text('partial');
      throw new Error('source broke');
    }
    await expect(store.put(failing(), opts)).rejects.toThrow('source broke');
    expect(await readdir(join(store.root, 'tmp'))).toEqual([]);
  });

  it('streams a 200 MB put and read with bounded memory', { timeout: 120_000 }, async () => {
    const total = 200 * 1024 * 1024;
    const chunkSize = 1024 * 1024;
    const expected = createHash('sha256');
    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    const sample = () => {
      peak = Math.max(peak, process.memoryUsage().rss);
    };
    async function* generate(): AsyncGenerator<Uint8Array> {
      for (let offset = 0; offset < total; offset += chunkSize) {
        const chunk = Buffer.allocUnsafe(chunkSize);
        for (let i = 0; i < chunkSize; i += 4) chunk.writeUInt32LE((offset + i) >>> 2, i);
        expected.update(chunk);
        sample();
        yield chunk;
      }
    }

    const ref = await store.put(generate(), { mediaType: 'application/octet-stream' });
    expect(ref.size).toBe(total);
    expect(ref.digest).toBe(`sha256:${expected.digest('hex')}`);

    const reread = createHash('sha256');
    let size = 0;
    for await (const chunk of await store.open(ref.digest)) {
      reread.update(chunk as Buffer);
      size += (chunk as Buffer).byteLength;
      sample();
    }
    expect(size).toBe(total);
    expect(`sha256:${reread.digest('hex')}`).toBe(ref.digest);
    expect(peak - baseline).toBeLessThan(80 * 1024 * 1024);
  });
});
