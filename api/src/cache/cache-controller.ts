import { Controller, Delete, Get, Inject } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import type { ResponseOf } from '@kiln/api-types';
import { type CacheFilter, cacheTtlSecondsFromEnv, parseDuration } from '@kiln/engine';
import type { ArtifactStore } from '@kiln/artifacts';
import { NodeCacheEntries } from '@kiln/artifacts/cache/node-cache';
import { RequireRole } from '../auth/roles';
import { ZodQuery } from '../common/params';
import { ARTIFACT_STORE } from '../database';

const cacheQuery = z.object({
  /** Only entries of this node type. */
  type: z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/, 'a node type is "category.name"').optional(),
  /** Only entries computed by runs of this pipeline (by name). */
  pipeline: z.string().min(1).max(200).optional(),
  /** Only entries older than this (seconds, or 90s, 30m, 12h, 7d). */
  olderThan: z
    .string()
    .max(40)
    .transform((v, ctx) => {
      try {
        return parseDuration(v, 'olderThan');
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    })
    .optional(),
});
type CacheQuery = z.output<typeof cacheQuery>;

/**
 * The node cache (entries in the artifact store's named objects, shared with every worker):
 * listed by viewers, purged by editors. Expired entries (`KILN_CACHE_TTL`) are never listed and
 * are removed by either call.
 */
@ApiTags('cache')
@ApiBearerAuth()
@Controller('cache')
export class CacheController {
  private readonly entries: NodeCacheEntries;

  constructor(@Inject(ARTIFACT_STORE) store: ArtifactStore) {
    this.entries = new NodeCacheEntries(store.objects, cacheTtlSecondsFromEnv(process.env));
  }

  /** Cache entries, newest first, with the run and node that computed each. */
  @Get()
  @RequireRole('viewer')
  async list(@ZodQuery(cacheQuery) query: CacheQuery): Promise<ResponseOf<'GET /api/v1/cache'>> {
    const entries = await this.entries.list(filterOf(query));
    return { entries, count: entries.length };
  }

  /** Removes the matching entries (all without filters): their nodes compute again next time. */
  @Delete()
  @RequireRole('editor')
  async purge(@ZodQuery(cacheQuery) query: CacheQuery): Promise<ResponseOf<'DELETE /api/v1/cache'>> {
    return { removed: await this.entries.purge(filterOf(query)) };
  }
}

function filterOf(query: CacheQuery): CacheFilter {
  return {
    ...(query.type ? { type: query.type } : {}),
    ...(query.pipeline ? { pipeline: query.pipeline } : {}),
    ...(query.olderThan !== undefined ? { olderThan: new Date(Date.now() - query.olderThan * 1000) } : {}),
  };
}
