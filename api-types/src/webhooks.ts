import { z } from 'zod';
import { timestamp } from './common';
import { role } from './tokens';

/** A webhook as listed: never its secret. */
export const webhook = z.object({
  id: z.uuid(),
  pipelineId: z.uuid(),
  url: z.string().describe('Where to deliver (Standard Webhooks signatures).'),
  paramMapping: z.record(z.string(), z.string()),
  createdAt: timestamp,
  createdBy: z.string(),
  createdRole: role.nullable().describe("The creator's role when it was made: deliveries start runs as the creator with this role (null: made before roles were kept)."),
  deletedAt: timestamp.nullable(),
});
export type Webhook = z.infer<typeof webhook>;

/** `POST /pipelines/{id}/webhooks`: the signing secret is in this answer only. */
export const webhookCreated = z.object({
  id: z.uuid(),
  pipelineId: z.uuid(),
  url: z.string(),
  secret: z.string().describe('whsec_…: shown once.'),
  paramMapping: z.record(z.string(), z.string()),
});
export type WebhookCreated = z.infer<typeof webhookCreated>;

/** `POST /hooks/{id}`: the run a delivery started (`duplicate` when its webhook-id was seen before). */
export const webhookDelivered = z.object({ runId: z.string(), duplicate: z.literal(true).optional() });
