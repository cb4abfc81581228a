import { createHash, webcrypto } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { ArtifactRef } from '@kiln/engine';
import type { NamedObjects } from './named-objects';

/** A pointer to immutable bytes in an artifact store (declared with the port values, in the engine). */
export type { ArtifactRef };

/** What describes an artifact besides its bytes. */
export interface PutOptions {
  mediaType: string;
  meta?: Record<string, unknown>;
}

/**
 * Bytes to store: in memory, a stream of chunks (e.g. a Node `Readable`), or a string, which is
 * read as the path of a local file (never as the content itself).
 */
export type ArtifactSource = Uint8Array | AsyncIterable<Uint8Array> | string;

/**
 * Content-addressed storage: the key is the SHA-256 of the bytes, written once, verified on read.
 *
 * Implementations write atomically (nothing is visible under a digest until all its bytes are), hash
 * while writing so memory stays bounded whatever the size, and make a second `put` of the same bytes
 * a no-op that returns the same ref.
 */
export interface ArtifactStore {
  /** Stores bytes and returns their ref. */
  put(source: ArtifactSource, options: PutOptions): Promise<ArtifactRef>;
  /** Stores the content of a local file (streamed). */
  putFile(path: string, options: PutOptions): Promise<ArtifactRef>;
  /**
   * Stores a local file that its writer hashed as it wrote it (`digest`, `size`), without reading it
   * again: moved into the store where it can be, else copied. The file must not be used afterwards
   * (the caller removes it if it is still there). Only for bytes this process just wrote and
   * hashed: a wrong digest would store corrupted content, which reads then refuse.
   */
  adoptFile(path: string, digest: string, size: number, options: PutOptions): Promise<ArtifactRef>;
  /**
   * The whole content, in memory. Throws {@link ArtifactIntegrityError} when the stored bytes do not
   * hash to `digest` and {@link ArtifactNotFoundError} when there are none.
   */
  get(digest: string): Promise<Uint8Array>;
  /**
   * A stream of the content. The digest is checked at the end: on a mismatch the stream fails with
   * {@link ArtifactIntegrityError} instead of ending, so a consumer must not commit anything it
   * derived from the bytes before the stream has ended cleanly.
   */
  open(digest: string): Promise<Readable>;
  /**
   * A local file holding the content, for libraries that want a path. The file is verified before
   * the path is returned and must be treated as read-only.
   */
  localPath(digest: string): Promise<string>;
  /** Whether bytes are stored under `digest` (not verified). */
  has(digest: string): Promise<boolean>;
  /** Named, replaceable objects in the same store (live node logs). */
  readonly objects: NamedObjects;
}

/** No bytes are stored under a digest. */
export class ArtifactNotFoundError extends Error {
  readonly digest: string;
  constructor(digest: string, where: string) {
    super(`artifact ${digest} not found in ${where}; it was never stored there, or it was deleted`);
    this.name = 'ArtifactNotFoundError';
    this.digest = digest;
  }
}

/** Stored bytes do not hash to the digest they are stored under: the store is corrupted. */
export class ArtifactIntegrityError extends Error {
  readonly digest: string;
  readonly actualDigest: string;
  constructor(digest: string, actualDigest: string, where: string) {
    super(
      `artifact ${digest} is corrupted: the bytes at ${where} hash to ${actualDigest}; ` +
        'delete that file and re-run the node that produced it',
    );
    this.name = 'ArtifactIntegrityError';
    this.digest = digest;
    this.actualDigest = actualDigest;
  }
}

const DIGEST = /^sha256:([0-9a-f]{64})$/;

/** The hex part of a `sha256:<hex>` digest; throws on anything else (which also keeps paths safe). */
export function digestHex(digest: string): string {
  const match = DIGEST.exec(digest);
  if (!match) {
    throw new Error(
      `invalid artifact digest ${JSON.stringify(digest)}: expected "sha256:" and 64 lowercase hex digits`,
    );
  }
  return match[1]!;
}

/** The `sha256:<hex>` digest of in-memory bytes. */
export function sha256Digest(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Above this size, in-memory bytes are hashed off the calling thread. */
const HASH_ELSEWHERE_BYTES = 256 * 1024;

/**
 * The SHA-256 hex of in-memory bytes. Large buffers are hashed by WebCrypto, which runs on a libuv
 * thread: hashing megabytes synchronously would stall the event loop of a process that is serving
 * (the API flushing its prediction log, for one).
 */
export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  if (bytes.byteLength < HASH_ELSEWHERE_BYTES) return createHash('sha256').update(bytes).digest('hex');
  return Buffer.from(await webcrypto.subtle.digest('SHA-256', bytes)).toString('hex');
}
