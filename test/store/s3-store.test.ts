import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ArtifactIntegrityError, ArtifactNotFoundError, S3ArtifactStore, defaultArtifactStore } from '@kiln/artifacts';
import { tempDir } from '../support/harness';
import { type MinioServer, startMinio } from '../support/minio-server';

let minio: MinioServer;
let store: S3ArtifactStore;
beforeAll(async () => {
  minio = await startMinio();
  store = new S3ArtifactStore({ endpoint: minio.endpoint, bucket: 'kiln-test', accessKey: minio.accessKey, secretKey: minio.secretKey, cacheDir: tempDir() });
});
afterAll(() => minio?.stop());

const digestOf = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

describe('the S3 artifact store on a real MinIO', () => {
  it('round-trips bytes under their digest, in the content-addressed layout, and writes once', async () => {
    const bytes = new TextEncoder().encode('hello artifacts');
    const ref = await store.put(bytes, { mediaType: 'text/plain', meta: { rows: 1 } });
    const hex = digestOf(bytes).slice(7);
    expect(ref).toEqual({ uri: `s3://kiln-test/sha256/${hex.slice(0, 2)}/${hex.slice(2, 4)}/${hex}`, digest: digestOf(bytes), size: bytes.length, mediaType: 'text/plain', meta: { rows: 1 } });
    expect(await store.has(ref.digest)).toBe(true);
    expect(Buffer.from(await store.get(ref.digest)).toString()).toBe('hello artifacts');
    expect(await store.put(bytes, { mediaType: 'text/plain' })).toMatchObject({ digest: ref.digest });
    const path = await store.localPath(ref.digest);
    expect(await store.localPath(ref.digest)).toBe(path);
  });

  it('uploads a large stream in parts with bounded memory, and streams it back verified', async () => {
    const chunk = randomBytes(1024 * 1024);
    const total = 160;
    const hash = createHash('sha256');
    for (let i = 0; i < total; i++) hash.update(chunk);
    const rssBefore = process.memoryUsage().rss;
    const ref = await store.put(Readable.from((function* () { for (let i = 0; i < total; i++) yield chunk; })()), { mediaType: 'application/octet-stream' });
    expect(ref.digest).toBe(`sha256:${hash.digest('hex')}`);
    expect(ref.size).toBe(total * chunk.length);
    // 160 MB went through; holding it (rather than streaming it in parts) would grow RSS past that.
    expect(process.memoryUsage().rss - rssBefore).toBeLessThan(100 * 1024 * 1024);
    const back = createHash('sha256');
    let size = 0;
    for await (const c of await store.open(ref.digest)) {
      back.update(c as Buffer);
      size += (c as Buffer).length;
    }
    expect(size).toBe(ref.size);
    expect(`sha256:${back.digest('hex')}`).toBe(ref.digest);
  });

  it('stores a local file', async () => {
    const file = join(tempDir(), 'data.csv');
    writeFileSync(file, 'a,b\n1,2\n');
    const ref = await store.putFile(file, { mediaType: 'text/csv' });
    expect(Buffer.from(await store.get(ref.digest)).toString()).toBe('a,b\n1,2\n');
  });

  it('adopts a file its writer hashed, uploading it once', async () => {
    const bytes = randomBytes(100_000);
    const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    const file = join(tempDir('kiln-s3-adopt-'), 'table.arrow');
    writeFileSync(file, bytes);
    const ref = await store.adoptFile(file, digest, bytes.byteLength, { mediaType: 'application/octet-stream' });
    expect(ref).toMatchObject({ digest, size: bytes.byteLength });
    expect(Buffer.compare(Buffer.from(await store.get(digest)), bytes)).toBe(0);
    expect(await store.adoptFile(file, digest, bytes.byteLength, { mediaType: 'application/octet-stream' })).toEqual(ref);
  });

  it('refuses a corrupted object on get and on open, and names what is missing', async () => {
    const bytes = new TextEncoder().encode('original');
    const ref = await store.put(bytes, { mediaType: 'text/plain' });
    const hex = ref.digest.slice(7);
    // Overwrite the object behind the store's back.
    const url = new URL(minio.endpoint);
    const raw = new Client({ endPoint: url.hostname, port: Number(url.port), useSSL: false, accessKey: minio.accessKey, secretKey: minio.secretKey });
    await raw.putObject('kiln-test', `sha256/${hex.slice(0, 2)}/${hex.slice(2, 4)}/${hex}`, Buffer.from('tampered'));
    await expect(store.get(ref.digest)).rejects.toBeInstanceOf(ArtifactIntegrityError);
    const stream = await store.open(ref.digest);
    await expect((async () => { for await (const _ of stream) { /* drain */ } })()).rejects.toBeInstanceOf(ArtifactIntegrityError);
    await expect(store.localPath(ref.digest)).rejects.toBeInstanceOf(ArtifactIntegrityError);
    const missing = `sha256:${'1'.repeat(64)}`;
    await expect(store.get(missing)).rejects.toBeInstanceOf(ArtifactNotFoundError);
    expect(await store.has(missing)).toBe(false);
    await expect(store.get('sha256:nothex')).rejects.toThrow('invalid artifact digest');
  });

  it('is chosen by S3_ENDPOINT, and says what is missing from the configuration', async () => {
    const env = { S3_ENDPOINT: minio.endpoint, S3_ACCESS_KEY: minio.accessKey, S3_SECRET_KEY: minio.secretKey, S3_BUCKET: 'kiln-env' };
    const chosen = defaultArtifactStore(env);
    expect(chosen).toBeInstanceOf(S3ArtifactStore);
    const ref = await chosen.put(new Uint8Array([1, 2, 3]), { mediaType: 'application/octet-stream' });
    expect(ref.uri.startsWith('s3://kiln-env/')).toBe(true);
    expect(() => defaultArtifactStore({ S3_ENDPOINT: minio.endpoint })).toThrow('S3_ACCESS_KEY/S3_SECRET_KEY');
    const wrong = new S3ArtifactStore({ endpoint: minio.endpoint, bucket: 'kiln-x', accessKey: 'nobody', secretKey: 'wrong-secret' });
    await expect(wrong.put(new Uint8Array([1]), { mediaType: 'x' })).rejects.toThrow(`S3 store at ${minio.endpoint}: cannot use bucket "kiln-x"`);
  });
});
