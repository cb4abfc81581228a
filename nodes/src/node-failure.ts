/** A failure a node raises on purpose: `type` names it, `retryable: false` stops further attempts. */
export class NodeFailure extends Error {
  readonly type: string;
  readonly retryable: boolean;
  constructor(message: string, options: { type?: string; retryable?: boolean } = {}) {
    super(message);
    this.type = options.type ?? 'NodeFailure';
    this.retryable = options.retryable ?? true;
  }
}
