/** Where a table writer also sends the bytes of its file as it writes them. */
export interface ByteCopy {
  /** Resolves once the reader has taken all of `chunks` and asked for more (or rejects if it stopped). */
  write(chunks: readonly Uint8Array[]): Promise<void>;
}

/**
 * Bytes handed from a writer to a reader that pulls them (an artifact store's `put`), one batch of
 * chunks at a time: {@link write} waits until the reader has taken the last batch, so at most one
 * batch is held whatever the speeds. The chunks are not copied, so a writer must not change them.
 */
export class ByteChannel implements ByteCopy, AsyncIterable<Uint8Array> {
  private queue: Uint8Array[] = [];
  private ended = false;
  private failure: { error: unknown } | null = null;
  /** Set when the reader stopped before the end (its own failure). */
  private stopped: Error | null = null;
  private wake: (() => void) | null = null;
  private drained: { resolve: () => void; reject: (e: Error) => void } | null = null;

  write(chunks: readonly Uint8Array[]): Promise<void> {
    if (this.stopped) return Promise.reject(this.stopped);
    for (const chunk of chunks) if (chunk.byteLength > 0) this.queue.push(chunk);
    if (this.queue.length === 0) return Promise.resolve();
    this.poke();
    return new Promise((resolve, reject) => {
      this.drained = { resolve, reject };
    });
  }

  /** No more bytes: the reader's loop ends. */
  end(): void {
    this.ended = true;
    this.poke();
  }

  /** The writer failed: the reader's loop throws `error`. */
  fail(error: unknown): void {
    this.failure = { error };
    this.poke();
  }

  /** Whether the reader stopped before the end. */
  get readerStopped(): boolean {
    return this.stopped !== null;
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<Uint8Array> {
    try {
      for (;;) {
        const chunk = this.queue.shift();
        if (chunk !== undefined) {
          yield chunk;
          continue;
        }
        // Everything written so far has been taken.
        const drained = this.drained;
        this.drained = null;
        drained?.resolve();
        if (this.failure) throw this.failure.error;
        if (this.ended) return;
        await new Promise<void>((resolve) => {
          this.wake = resolve;
        });
      }
    } finally {
      if (!this.ended && !this.failure) this.stop(new Error('the reader of the table bytes stopped before the end'));
    }
  }

  /** The reader stopped (or will never start) because of `error`: writes reject with it. */
  stop(error: Error): void {
    if (this.stopped) return;
    this.stopped = error;
    this.drained?.reject(error);
    this.drained = null;
  }

  private poke(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }
}
