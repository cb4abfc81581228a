/** A data URI the policy does not allow (or cannot read); the message says why and which setting to change. */
export class DataAccessRefused extends Error {
  constructor(
    readonly uri: string,
    readonly reason: string,
  ) {
    super(`${uri} is refused: ${reason}`);
    this.name = 'DataAccessRefused';
  }
}
