import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Client } from 'minio';
import {
  ArtifactIntegrityError,
  ArtifactNotFoundError,
  digestHex,
  sha256Hex,
  type ArtifactRef,
  type ArtifactSource,
  type ArtifactStore,
  type PutOptions,
} from './artifact-store';
import { isNoSuchKey, s3Client, type S3Connection } from './s3-connection';
import { S3Objects } from './s3-objects';
import { verifyingStream } from './verify-stream';

/** Where an S3 (or MinIO) store lives. */
export interface S3StoreOptions extends S3Connection {
  bucket: string;
  /** Local folder for `localPath` copies (default: a folder under the OS temp dir). */
  cacheDir?: string;
}

/** Parts of this size make up multipart uploads of large artifacts. */
const PART_SIZE = 16 * 1024 * 1024;

/**
 * The artifact store on S3 or MinIO, with the folder store's content-addressed layout
 * (`sha256/ab/cd/<hex>` in the bucket). Large artifacts are spooled to disk while hashed (the key is
 * the digest) and uploaded in parts; every read verifies the digest.
 */
export class S3ArtifactStore implements ArtifactStore {
  private readonly client: Client;
  private readonly cacheDir: string;
  private bucketReady: Promise<void> | undefined;
  readonly objects: S3Objects;

  constructor(private readonly options: S3StoreOptions) {
    this.client = s3Client(options, { partSize: PART_SIZE });
    this.cacheDir = options.cacheDir ?? join(tmpdir(), 'kiln-s3-cache', options.bucket);
    this.objects = new S3Objects(this.client, options.bucket, () => this.ensureBucket());
  }

  /** Makes the bucket on first use if it is missing. */
  private ensureBucket(): Promise<void> {
    this.bucketReady ??= (async () => {
      try {
        if (!(await this.client.bucketExists(this.options.bucket))) await this.client.makeBucket(this.options.bucket, this.options.region ?? '');
      } catch (err) {
        this.bucketReady = undefined;
        throw new Error(`S3 store at ${this.options.endpoint}: cannot use bucket "${this.options.bucket}": ${(err as Error).message}`);
      }
    })();
    return this.bucketReady;
  }

  async put(source: ArtifactSource, options: PutOptions): Promise<ArtifactRef> {
    await this.ensureBucket();
    if (source instanceof Uint8Array) {
      const hex = await sha256Hex(source);
      if (!(await this.hasHex(hex))) {
        await this.client.putObject(this.options.bucket, keyOf(hex), Buffer.from(source), source.byteLength, { 'Content-Type': options.mediaType });
      }
      return this.ref(hex, source.byteLength, options);
    }
    // A stream or a file: spool to disk while hashing, then upload under the digest.
    const spool = join(tmpdir(), `kiln-s3-${randomUUID()}.part`);
    try {
      const hash = createHash('sha256');
      let size = 0;
      const input = typeof source === 'string' ? createReadStream(source) : source;
      await pipeline(
        input,
        async function* (chunks: AsyncIterable<Uint8Array>) {
          for await (const chunk of chunks) {
            hash.update(chunk);
            size += chunk.byteLength;
            yield chunk;
          }
        },
        createWriteStream(spool),
      );
      const hex = hash.digest('hex');
      if (!(await this.hasHex(hex))) {
        await this.client.fPutObject(this.options.bucket, keyOf(hex), spool, { 'Content-Type': options.mediaType });
      }
      return this.ref(hex, size, options);
    } finally {
      await rm(spool, { force: true });
    }
  }

  putFile(path: string, options: PutOptions): Promise<ArtifactRef> {
    return this.put(path, options);
  }

  async adoptFile(path: string, digest: string, size: number, options: PutOptions): Promise<ArtifactRef> {
    const hex = digestHex(digest);
    await this.ensureBucket();
    if (!(await this.hasHex(hex))) {
      await this.client.fPutObject(this.options.bucket, keyOf(hex), path, { 'Content-Type': options.mediaType });
    }
    return this.ref(hex, size, options);
  }

  async get(digest: string): Promise<Uint8Array> {
    const hex = digestHex(digest);
    const chunks: Buffer[] = [];
    for await (const chunk of await this.object(digest, hex)) chunks.push(chunk as Buffer);
    const bytes = Buffer.concat(chunks);
    const actual = await sha256Hex(bytes);
    if (actual !== hex) throw new ArtifactIntegrityError(digest, `sha256:${actual}`, this.where(hex));
    return bytes;
  }

  async open(digest: string): Promise<Readable> {
    const hex = digestHex(digest);
    return verifyingStream(await this.object(digest, hex), hex, this.where(hex));
  }

  async localPath(digest: string): Promise<string> {
    const hex = digestHex(digest);
    const path = join(this.cacheDir, 'sha256', hex.slice(0, 2), hex.slice(2, 4), hex);
    try {
      await stat(path);
      return path; // Only verified downloads are renamed into place.
    } catch {
      // Not cached yet.
    }
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${randomUUID()}.part`;
    try {
      await pipeline(await this.open(digest), createWriteStream(temp));
      await rename(temp, path);
    } finally {
      await rm(temp, { force: true });
    }
    return path;
  }

  async has(digest: string): Promise<boolean> {
    await this.ensureBucket();
    return this.hasHex(digestHex(digest));
  }

  private async object(digest: string, hex: string): Promise<Readable> {
    await this.ensureBucket();
    try {
      return await this.client.getObject(this.options.bucket, keyOf(hex));
    } catch (err) {
      if (isNoSuchKey(err)) throw new ArtifactNotFoundError(digest, `the S3 bucket ${this.options.bucket} at ${this.options.endpoint}`);
      throw err;
    }
  }

  private async hasHex(hex: string): Promise<boolean> {
    try {
      await this.client.statObject(this.options.bucket, keyOf(hex));
      return true;
    } catch (err) {
      if (isNoSuchKey(err)) return false;
      throw err;
    }
  }

  private where(hex: string): string {
    return `s3://${this.options.bucket}/${keyOf(hex)}`;
  }

  private ref(hex: string, size: number, options: PutOptions): ArtifactRef {
    return {
      uri: this.where(hex),
      digest: `sha256:${hex}`,
      size,
      mediaType: options.mediaType,
      ...(options.meta !== undefined ? { meta: options.meta } : {}),
    };
  }
}

function keyOf(hex: string): string {
  return `sha256/${hex.slice(0, 2)}/${hex.slice(2, 4)}/${hex}`;
}
