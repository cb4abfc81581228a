import { z } from 'zod';
import { cacheEntrySchema } from '@kiln/engine';

/** `GET /cache`: the node cache's live entries, newest first. */
export const cacheList = z.object({ entries: z.array(cacheEntrySchema), count: z.int() });
/** `DELETE /cache`: how many entries the purge removed. */
export const cachePurged = z.object({ removed: z.int() });
