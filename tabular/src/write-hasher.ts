import { createHash } from 'node:crypto';

/** Hashes the bytes of a file (SHA-256) as a writer writes them, in order. */
export interface WriteHasher {
  /** The next bytes, about to be written (the views are valid only during the call). */
  update(chunks: readonly Uint8Array[]): void;
  /** The file's first `bytes` bytes are written (and on disk for whoever reads the file). */
  written(bytes: number): void;
  /** The SHA-256 (hex) of what was written, once the file is closed. */
  digest(): Promise<string>;
}

/** Hashes the bytes on the calling thread as they go by. */
export class InlineHasher implements WriteHasher {
  private readonly hash = createHash('sha256');

  update(chunks: readonly Uint8Array[]): void {
    for (const chunk of chunks) this.hash.update(chunk);
  }

  written(): void {}

  digest(): Promise<string> {
    return Promise.resolve(this.hash.digest('hex'));
  }
}
