/** Bad training input or parameters for the linear and MLP trainers: the message says what and where. */
export class ModelInputError extends Error {
  override readonly name = 'ModelInputError';
}

export { AbortError } from '../gbdt/errors';
