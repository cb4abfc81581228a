/**
 * Small named, replaceable objects beside the content-addressed artifacts, in the same store (a
 * folder under the store's root, or keys in the same bucket). Node logs live here while an attempt
 * runs (segments a reader in another process can list and read), next to the final, content-addressed
 * log artifact.
 *
 * Keys are `/`-separated segments of `[A-Za-z0-9_%.-]`, never `.` or `..`; `checkObjectKey` refuses
 * anything else, so no key can name a place outside the area.
 */
export interface NamedObjects {
  /** Writes (or replaces) an object atomically: a reader sees the old bytes or the new, never a part. */
  put(key: string, bytes: Uint8Array): Promise<void>;
  /**
   * Writes an object only if none exists under `key`, atomically with respect to other creators:
   * of several processes creating the same key at once, exactly one gets true (the node cache's
   * leases rely on it). False when the key exists.
   */
  create(key: string, bytes: Uint8Array): Promise<boolean>;
  /** The object's bytes, or undefined when there is none. */
  get(key: string): Promise<Uint8Array | undefined>;
  /** The names directly under `prefix` (objects and folders alike, without the prefix), sorted. */
  list(prefix: string): Promise<string[]>;
  /** Removes objects; missing ones are ignored. */
  remove(keys: readonly string[]): Promise<void>;
}

const SEGMENT = /^[A-Za-z0-9_%.-]{1,200}$/;

/** Throws unless `key` is a safe object key (see {@link NamedObjects}); returns it. */
export function checkObjectKey(key: string): string {
  const parts = key.split('/');
  if (key.length > 1000 || parts.some((p) => !SEGMENT.test(p) || p === '.' || p === '..')) {
    throw new Error(`invalid object key ${JSON.stringify(key.slice(0, 200))}`);
  }
  return key;
}
