import type { FromThread, ToThread } from './thread-protocol';

type Reply = Exclude<FromThread, { op: 'ready' } | { op: 'failed' }>;
type WithoutId<T> = T extends unknown ? Omit<T, 'id'> : never;

export interface InferenceHost {
  /** `transfer` false: outputs are returned where onnxruntime put them, not copied for a transfer. */
  handle(msg: ToThread, transfer?: boolean): Promise<{ reply: WithoutId<Reply>; transfer: ArrayBuffer[] }>;
  firstLine(error: unknown): string;
}

export function createInferenceHost(): Promise<InferenceHost>;
