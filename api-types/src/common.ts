import { z } from 'zod';

/** A point in time as the API writes it: ISO 8601 in UTC (`2026-12-07T05:10:51.000Z`). */
export const timestamp = z.iso.datetime({ offset: true });

/** A row id of a bigint column, as a decimal string (the database's order: ids increase). */
export const bigintId = z.string().regex(/^\d+$/);

/** A JSON object of any shape (params, metrics, a model card's sections). */
export const jsonObject = z.record(z.string(), z.unknown());

/** The body of every error answer (Nest's and Fastify's share this shape). */
export const errorBody = z
  .object({
    statusCode: z.int().min(400).max(599),
    error: z.string().optional().describe('The status text (Bad Request, Not Found, …).'),
    message: z
      .union([z.string(), z.array(z.string())])
      .optional()
      .describe('What is wrong and where, in a sentence.'),
    problems: z
      .array(z.looseObject({ path: z.string(), message: z.string() }))
      .optional()
      .describe('Every problem at once (spec and parameter validation), each with a path.'),
  })
  .loose();
export type ErrorBody = z.infer<typeof errorBody>;

/** `GET /healthz`: the process is up. */
export const health = z.object({ status: z.literal('ok') });
/** `GET /readyz` (200; the 503 names what is `down`): each dependency's check, `ok` or why not. */
export const readiness = z.object({ status: z.literal('ready'), checks: z.record(z.string(), z.string()) });
