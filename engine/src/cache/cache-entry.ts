import { z } from 'zod';

/** A cache key: the SHA-256 (hex) of a node execution's canonical description (see the worker's `cache/`). */
export const cacheKeySchema = z.string().regex(/^[0-9a-f]{64}$/, 'a cache key is 64 lowercase hex digits');

/**
 * One entry of the node cache: the result of a successful node execution, stored under its key in
 * the artifact store's named objects, with the run it came from. Artifacts are referenced by digest
 * (they stay in the content-addressed store); a hit checks they are still there before reusing them.
 */
export const cacheEntrySchema = z.object({
  key: cacheKeySchema,
  type: z.string().describe('Node type.'),
  typeVersion: z.int(),
  pipeline: z.string(),
  runId: z.string().describe('The run that computed it.'),
  nodeId: z.string(),
  item: z.int().min(0).optional().describe('The item of a mapped node.'),
  createdAt: z.iso.datetime(),
  outputs: z.record(z.string(), z.unknown()),
  skipDownstream: z.object({ reason: z.string() }).optional(),
});
export type CacheEntry = z.infer<typeof cacheEntrySchema>;

/** Which entries a listing or purge takes (all given filters must hold). */
export interface CacheFilter {
  type?: string;
  pipeline?: string;
  /** Entries created before this instant. */
  olderThan?: Date;
}

/** `KILN_CACHE_TTL` when unset: entries older than this are ignored and swept. */
export const DEFAULT_CACHE_TTL_SECONDS = 30 * 24 * 3600;

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };

/**
 * A duration as `KILN_CACHE_TTL` and `olderThan` take it: seconds (`3600`), or a number with a unit
 * (`90s`, `30m`, `12h`, `7d`); `0` or `off` for no expiry (TTL only). Throws naming the setting.
 */
export function parseDuration(value: string, setting: string, allowOff = false): number {
  const trimmed = value.trim();
  if (allowOff && (trimmed === '0' || trimmed === 'off')) return Infinity;
  const match = /^(\d+(?:\.\d+)?)([smhd]?)$/.exec(trimmed);
  if (!match || Number(match[1]) <= 0) {
    throw new Error(`${setting} must be a positive duration such as 3600, 90s, 30m, 12h or 7d${allowOff ? ' (or off)' : ''}, not ${JSON.stringify(value)}`);
  }
  return Number(match[1]) * UNITS[match[2] || 's']!;
}

/** The cache TTL in seconds from `KILN_CACHE_TTL` (Infinity: entries never expire). */
export function cacheTtlSecondsFromEnv(env: Record<string, string | undefined>): number {
  const value = env.KILN_CACHE_TTL;
  return value === undefined || value === '' ? DEFAULT_CACHE_TTL_SECONDS : parseDuration(value, 'KILN_CACHE_TTL', true);
}
