import { createHash } from 'node:crypto';
import { canonicalJson } from '@kiln/engine';

/** Bumped when the key's composition changes, so older entries stop matching. */
export const CACHE_KEY_FORMAT = 1;

/** Everything a node execution's result depends on; equal parts, equal key. */
export interface CacheKeyParts {
  type: string;
  typeVersion: number;
  /** The implementation fingerprint (`implementationFingerprint`). */
  implementation: string;
  /** The params as the node reads them (references resolved, defaults filled in). */
  params: unknown;
  /** The input port values (artifact refs carry their digests). */
  inputs: Record<string, unknown>;
  /** The item's value, for an item of a mapped node. */
  item?: { value: unknown };
  cacheVersion?: string;
  /** The content identity of each data-URI param (`dataIdentity`), by param name. */
  data: Record<string, string>;
}

/** The cache key: SHA-256 (hex) of the parts' canonical JSON. */
export function cacheKey(parts: CacheKeyParts): string {
  return createHash('sha256')
    .update(canonicalJson({ format: CACHE_KEY_FORMAT, ...parts }))
    .digest('hex');
}
