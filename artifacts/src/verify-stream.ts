import { createHash } from 'node:crypto';
import { type Readable, Transform, pipeline } from 'node:stream';
import { ArtifactIntegrityError } from './artifact-store';

/**
 * Passes `source` through, hashing it; at the end the stream fails with ArtifactIntegrityError
 * instead of ending when the bytes do not hash to `hex`. A consumer must not commit anything it
 * derived from the bytes before the stream has ended cleanly.
 */
export function verifyingStream(source: Readable, hex: string, where: string): Readable {
  const hash = createHash('sha256');
  const verify = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      callback(null, chunk);
    },
    flush(callback) {
      const actual = hash.digest('hex');
      callback(actual === hex ? null : new ArtifactIntegrityError(`sha256:${hex}`, `sha256:${actual}`, where));
    },
  });
  // pipeline closes the source when the consumer stops early; errors surface on `verify` itself.
  pipeline(source, verify, () => undefined);
  return verify;
}
