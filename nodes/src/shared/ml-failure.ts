// The ML package's errors about bad input become the node failures users see: same message, not retried.
import { GbdtInputError } from '@kiln/ml/gbdt/errors';
import { ModelInputError } from '@kiln/ml/linear/errors';
import { TransformError } from '@kiln/ml/preprocess/transform';
import { NodeFailure } from '../node-failure';

/** Bad input found by the ML code becomes a non-retryable node failure; anything else is passed on. */
export function asNodeFailure(error: unknown): unknown {
  if (error instanceof TransformError) return new NodeFailure(error.message, { type: error.reason, retryable: false });
  if (error instanceof ModelInputError || error instanceof GbdtInputError)
    return new NodeFailure(error.message, { type: 'BadInput', retryable: false });
  return error;
}

/** Runs ML code, its bad-input errors thrown as node failures. */
export function failingAsNode<T>(run: () => T): T {
  try {
    return run();
  } catch (error) {
    throw asNodeFailure(error);
  }
}
