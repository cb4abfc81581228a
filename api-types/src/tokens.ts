import { z } from 'zod';
import { ROLES, TOKEN_ROLES } from '@kiln/engine';
import { bigintId, jsonObject, timestamp } from './common';

export const role = z.enum(ROLES);
/** A token's role: a person's, or `worker` (a worker's token, which may only register node types). */
export const tokenRole = z.enum(TOKEN_ROLES);

/** An API token as listed: never the token itself. */
export const apiToken = z.object({
  id: z.uuid(),
  name: z.string(),
  role: tokenRole,
  createdAt: timestamp,
  createdBy: z.string(),
  lastUsedAt: timestamp.nullable(),
  revokedAt: timestamp.nullable(),
});
export type ApiToken = z.infer<typeof apiToken>;

/** `POST /tokens`: the token is in this answer only. */
export const tokenCreated = z.object({ id: z.uuid(), name: z.string(), role: tokenRole, token: z.string() });
export type TokenCreated = z.infer<typeof tokenCreated>;

/** One line of `GET /audit`. */
export const auditEntry = z.object({ id: bigintId, at: timestamp, actor: z.string(), action: z.string(), target: z.string(), details: jsonObject });
export type AuditEntry = z.infer<typeof auditEntry>;
