/** Bad training input or parameters: the message says what and where. */
export class GbdtInputError extends Error {
  override readonly name = 'GbdtInputError';
}

/** Thrown when training is stopped through its `AbortSignal`; `cause` is the signal's reason. */
export class AbortError extends Error {
  override readonly name = 'AbortError';
  constructor(message = 'training was aborted', options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Throws an `AbortError` if the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined, iteration: number): void {
  if (signal?.aborted) {
    throw new AbortError(`training was aborted at iteration ${iteration}`, { cause: signal.reason });
  }
}
