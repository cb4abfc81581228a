import { type CacheEntry, type CacheFilter, cacheEntrySchema, cacheKeySchema } from '@kiln/engine';
import type { NamedObjects } from '../named-objects';

const ENTRIES = 'cache/entries';
const TYPE_SEGMENT = /^[A-Za-z0-9_.-]{1,200}$/;
/** Entries read at once while listing. */
const READ_PARALLEL = 16;

/**
 * The node cache's entries in an artifact store's named objects: `cache/entries/<type>/<key>.json`,
 * one JSON object each ({@link CacheEntry}). Every process that shares the store (the workers of
 * `kiln run` under KILN_HOME, or all workers and API replicas on one bucket) shares the cache.
 * Entries older than the TTL are ignored, and removed when met.
 */
export class NodeCacheEntries {
  constructor(
    private readonly objects: NamedObjects,
    /** Entries older than this many seconds are expired (Infinity: never). */
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The entry under `key`, or undefined (none, unreadable, or expired: an expired one is removed). */
  async get(type: string, key: string): Promise<CacheEntry | undefined> {
    const objectKey = entryKey(type, key);
    const entry = parseEntry(await this.objects.get(objectKey));
    if (!entry) return undefined;
    if (this.expired(entry)) {
      await this.objects.remove([objectKey]);
      return undefined;
    }
    return entry;
  }

  /** Writes (or replaces) an entry. */
  async put(entry: CacheEntry): Promise<void> {
    await this.objects.put(entryKey(entry.type, entry.key), new TextEncoder().encode(JSON.stringify(cacheEntrySchema.parse(entry))));
  }

  /** Removes the entry under `key` (a hit whose artifacts are gone, say). */
  async remove(type: string, key: string): Promise<void> {
    await this.objects.remove([entryKey(type, key)]);
  }

  /** Live entries that match the filter, newest first; expired entries met on the way are swept. */
  async list(filter: CacheFilter = {}): Promise<CacheEntry[]> {
    const { live } = await this.scan(filter);
    return live.sort((a, b) => b.createdAt.localeCompare(a.createdAt) || a.key.localeCompare(b.key));
  }

  /** Removes the entries that match the filter (expired ones always go); returns how many live ones it removed. */
  async purge(filter: CacheFilter = {}): Promise<number> {
    const { live } = await this.scan(filter);
    await this.objects.remove(live.map((e) => entryKey(e.type, e.key)));
    return live.length;
  }

  expired(entry: CacheEntry): boolean {
    return this.now() - Date.parse(entry.createdAt) > this.ttlSeconds * 1000;
  }

  private async scan(filter: CacheFilter): Promise<{ live: CacheEntry[] }> {
    const types = filter.type !== undefined ? [filter.type] : await this.objects.list(ENTRIES);
    const keys = (
      await Promise.all(
        types
          .filter((t) => TYPE_SEGMENT.test(t) && t !== '.' && t !== '..')
          .map(async (t) => (await this.objects.list(`${ENTRIES}/${t}`)).filter((n) => n.endsWith('.json')).map((n) => `${ENTRIES}/${t}/${n}`)),
      )
    ).flat();
    const live: CacheEntry[] = [];
    const expired: string[] = [];
    for (let i = 0; i < keys.length; i += READ_PARALLEL) {
      const batch = keys.slice(i, i + READ_PARALLEL);
      const entries = await Promise.all(batch.map(async (k) => parseEntry(await this.objects.get(k))));
      entries.forEach((entry, j) => {
        if (!entry) return;
        if (this.expired(entry)) expired.push(batch[j]!);
        else if (matches(entry, filter)) live.push(entry);
      });
    }
    if (expired.length > 0) await this.objects.remove(expired);
    return { live };
  }
}

function matches(entry: CacheEntry, filter: CacheFilter): boolean {
  if (filter.type !== undefined && entry.type !== filter.type) return false;
  if (filter.pipeline !== undefined && entry.pipeline !== filter.pipeline) return false;
  if (filter.olderThan !== undefined && Date.parse(entry.createdAt) >= filter.olderThan.getTime()) return false;
  return true;
}

function entryKey(type: string, key: string): string {
  if (!TYPE_SEGMENT.test(type)) throw new Error(`invalid node type ${JSON.stringify(type)} for a cache entry`);
  return `${ENTRIES}/${type}/${cacheKeySchema.parse(key)}.json`;
}

/** An entry's bytes parsed and checked; undefined for none or for bytes that are not an entry. */
function parseEntry(bytes: Uint8Array | undefined): CacheEntry | undefined {
  if (!bytes) return undefined;
  try {
    const parsed = cacheEntrySchema.safeParse(JSON.parse(new TextDecoder().decode(bytes)));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
