import { createHash, randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { chmod, copyFile, mkdir, open, readFile, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
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
import { FolderObjects } from './folder-objects';
import { sha256OfFile } from './file-hash';
import { writeFully } from './file-writes';
import { verifyingStream } from './verify-stream';

/** Options of {@link FolderArtifactStore}. */
export interface FolderStoreOptions {
  /** fsync each new file before it becomes visible (default true: an artifact survives a crash). */
  fsync?: boolean;
}

const READ_CHUNK = 1 << 20;

/**
 * The default artifact store: files under `<root>/sha256/ab/cd/<hex>`, written to `<root>/tmp` and
 * renamed into place (same filesystem, so the rename is atomic). Stored files are made read-only.
 */
export class FolderArtifactStore implements ArtifactStore {
  readonly root: string;
  private readonly fsync: boolean;
  /** Files verified by `localPath`, keyed by hex digest, valued by a stat fingerprint. */
  private readonly verified = new Map<string, string>();
  readonly objects: FolderObjects;

  constructor(root: string, options: FolderStoreOptions = {}) {
    this.root = resolve(root);
    this.fsync = options.fsync ?? true;
    this.objects = new FolderObjects(join(this.root, 'named'));
  }

  /** Where the bytes of `digest` live (whether or not they are there). */
  pathOf(digest: string): string {
    return this.hexPath(digestHex(digest));
  }

  async put(source: ArtifactSource, options: PutOptions): Promise<ArtifactRef> {
    if (typeof source === 'string') return this.putFile(source, options);
    if (source instanceof Uint8Array) return this.putBytes(source, options);
    return this.putStream(source, options);
  }

  async putFile(path: string, options: PutOptions): Promise<ArtifactRef> {
    return this.putStream(createReadStream(path, { highWaterMark: READ_CHUNK }), options);
  }

  async adoptFile(path: string, digest: string, size: number, options: PutOptions): Promise<ArtifactRef> {
    const hex = digestHex(digest);
    if (!(await this.isStored(hex, size))) {
      // Into this store's own folder first (a rename across file systems fails), then committed.
      const temp = await this.tempPath();
      try {
        await rename(path, temp).catch(async (error: NodeJS.ErrnoException) => {
          if (error.code !== 'EXDEV') throw error;
          await copyFile(path, temp);
        });
        await this.commit(temp, hex, size);
      } finally {
        await rm(temp, { force: true });
      }
    }
    return this.ref(hex, size, options);
  }

  async get(digest: string): Promise<Uint8Array> {
    const hex = digestHex(digest);
    const path = this.hexPath(hex);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (error) {
      throw this.notFoundOr(error, digest);
    }
    const actual = await sha256Hex(bytes);
    if (actual !== hex) throw new ArtifactIntegrityError(digest, `sha256:${actual}`, path);
    return bytes;
  }

  async open(digest: string): Promise<Readable> {
    const hex = digestHex(digest);
    const path = this.hexPath(hex);
    let handle: FileHandle;
    try {
      handle = await open(path, 'r');
    } catch (error) {
      throw this.notFoundOr(error, digest);
    }
    return verifyingStream(handle.createReadStream({ highWaterMark: READ_CHUNK }), hex, path);
  }

  async localPath(digest: string): Promise<string> {
    const hex = digestHex(digest);
    const path = this.hexPath(hex);
    let fingerprint: string;
    try {
      const info = await stat(path);
      fingerprint = `${info.dev}:${info.ino}:${info.size}:${info.mtimeMs}`;
    } catch (error) {
      throw this.notFoundOr(error, digest);
    }
    // Verifying costs a full read, so it is done once per file as long as the file is unchanged.
    if (this.verified.get(hex) === fingerprint) return path;
    const actual = await sha256OfFile(path);
    if (actual !== hex) throw new ArtifactIntegrityError(digest, `sha256:${actual}`, path);
    this.verified.set(hex, fingerprint);
    return path;
  }

  async has(digest: string): Promise<boolean> {
    try {
      return (await stat(this.pathOf(digest))).isFile();
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  private hexPath(hex: string): string {
    return join(this.root, 'sha256', hex.slice(0, 2), hex.slice(2, 4), hex);
  }

  private ref(hex: string, size: number, options: PutOptions): ArtifactRef {
    const ref: ArtifactRef = {
      uri: pathToFileURL(this.hexPath(hex)).href,
      digest: `sha256:${hex}`,
      size,
      mediaType: options.mediaType,
    };
    if (options.meta !== undefined) ref.meta = options.meta;
    return ref;
  }

  private async putBytes(bytes: Uint8Array, options: PutOptions): Promise<ArtifactRef> {
    const hex = await sha256Hex(bytes);
    if (await this.isStored(hex, bytes.byteLength)) return this.ref(hex, bytes.byteLength, options);
    const temp = await this.tempPath();
    try {
      const handle = await open(temp, 'wx');
      try {
        await writeFully(handle, [bytes]);
        if (this.fsync) await handle.sync();
      } finally {
        await handle.close();
      }
      await this.commit(temp, hex, bytes.byteLength);
    } finally {
      await rm(temp, { force: true });
    }
    return this.ref(hex, bytes.byteLength, options);
  }

  private async putStream(source: AsyncIterable<Uint8Array>, options: PutOptions): Promise<ArtifactRef> {
    const temp = await this.tempPath();
    try {
      const hash = createHash('sha256');
      let size = 0;
      const handle = await open(temp, 'wx');
      try {
        // One chunk in flight at a time: the source is not pulled again until the chunk is on disk,
        // which is what keeps memory bounded for any size.
        for await (const chunk of source) {
          hash.update(chunk);
          await writeFully(handle, [chunk]);
          size += chunk.byteLength;
        }
        if (this.fsync) await handle.sync();
      } finally {
        await handle.close();
      }
      const hex = hash.digest('hex');
      await this.commit(temp, hex, size);
      return this.ref(hex, size, options);
    } finally {
      await rm(temp, { force: true });
    }
  }

  /** Moves a complete temp file into place, unless the same content is already there. */
  private async commit(temp: string, hex: string, size: number): Promise<void> {
    // Write once: an existing file of the right size is kept (reads verify it). One of the wrong size
    // is a leftover of a corruption and is replaced, atomically.
    if (await this.isStored(hex, size)) return;
    const path = this.hexPath(hex);
    await chmod(temp, 0o444);
    await mkdir(dirname(path), { recursive: true });
    // Concurrent puts of the same bytes each rename their own complete temp file; whichever lands
    // last wins, and both have the same content.
    await rename(temp, path);
  }

  private async isStored(hex: string, size: number): Promise<boolean> {
    try {
      const info = await stat(this.hexPath(hex));
      return info.isFile() && info.size === size;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  private async tempPath(): Promise<string> {
    const dir = join(this.root, 'tmp');
    await mkdir(dir, { recursive: true });
    return join(dir, `${randomUUID()}.part`);
  }

  private notFoundOr(error: unknown, digest: string): unknown {
    return isNotFound(error) ? new ArtifactNotFoundError(digest, `the folder store at ${this.root}`) : error;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT';
}
