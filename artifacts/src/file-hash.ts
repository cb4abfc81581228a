import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

/** Bytes per read while hashing. */
const READ_CHUNK = 1 << 20;

/** The SHA-256 (hex) of a file's bytes, read from the start. */
export async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: READ_CHUNK }) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}
