import { z } from 'zod';
import { nodeLogSchema } from '@kiln/engine';
import { cacheList, cachePurged } from './cache';
import { health, readiness } from './common';
import { deploymentDetail, deploymentEvent, deploymentReady, deploymentRolledOut, deploymentSummary, feedbackAccepted, feedbackLabel, minuteStats, prediction, predictionLogChunk } from './deployments';
import { modelDetail, modelSummary, modelVersionDetail } from './models';
import { nodeTypeJson, registrationResult, validationResult, workerRegistration } from './node-types';
import { pipelineCreated, pipelineDetail, pipelineSummary, pipelineUpdated, pipelineVersion, pipelineVersionSummary } from './pipelines';
import { decisionRecorded, rerunStarted, runCancelling, runDetail, runStarted, runSummary } from './runs';
import { schedule, scheduleBackfill, schedulePreview, scheduleTriggered } from './schedules';
import { apiToken, auditEntry, tokenCreated } from './tokens';
import { webhook, webhookCreated, webhookDelivered } from './webhooks';

/**
 * What each JSON route answers on success, by `METHOD /path` as the OpenAPI document writes it
 * (`{param}` segments). The API documents its responses from this table and its tests check every
 * answer against it. Routes that answer no body (204, `POST /deployments/{name}/events`) or only
 * bytes (`GET /artifacts/{digest}`, `GET /metrics`) are not here; the data of server-sent events is
 * in `runEvents` and `nodeLogEvents`.
 *
 * A new route adds its line here, with its schema beside its siblings' (see ARCHITECTURE.md, api-types).
 */
export const RESPONSES = {
  'GET /healthz': health,
  'GET /readyz': readiness,

  'GET /api/v1/catalog': z.array(nodeTypeJson),
  'GET /api/v1/node-types': z.array(nodeTypeJson),
  'PUT /api/v1/node-types/registrations/{workerId}': registrationResult,
  'GET /api/v1/node-types/registrations': z.array(workerRegistration),
  'POST /api/v1/validate': validationResult,

  'GET /api/v1/cache': cacheList,
  'DELETE /api/v1/cache': cachePurged,

  'GET /api/v1/pipelines': z.array(pipelineSummary),
  'POST /api/v1/pipelines': pipelineCreated,
  'GET /api/v1/pipelines/{id}': pipelineDetail,
  'PUT /api/v1/pipelines/{id}': pipelineUpdated,
  'GET /api/v1/pipelines/{id}/versions': z.array(pipelineVersionSummary),
  'GET /api/v1/pipelines/{id}/versions/{version}': pipelineVersion,

  'POST /api/v1/pipelines/{id}/runs': runStarted,
  'GET /api/v1/runs': z.array(runSummary),
  'GET /api/v1/runs/{runId}': runDetail,
  'GET /api/v1/runs/{runId}/nodes/{nodeId}/logs': nodeLogSchema,
  'POST /api/v1/runs/{runId}/cancel': runCancelling,
  'POST /api/v1/runs/{runId}/rerun': rerunStarted,
  'POST /api/v1/runs/{runId}/nodes/{nodeId}/approve': decisionRecorded,
  'POST /api/v1/runs/{runId}/nodes/{nodeId}/reject': decisionRecorded,

  'POST /api/v1/pipelines/{id}/schedules': schedule,
  'GET /api/v1/pipelines/{id}/schedules': z.array(schedule),
  'GET /api/v1/schedules': z.array(schedule),
  'GET /api/v1/schedules/preview': schedulePreview,
  'GET /api/v1/schedules/{id}': schedule,
  'POST /api/v1/schedules/{id}/pause': schedule,
  'POST /api/v1/schedules/{id}/resume': schedule,
  'POST /api/v1/schedules/{id}/trigger': scheduleTriggered,
  'POST /api/v1/schedules/{id}/backfill': scheduleBackfill,

  'POST /api/v1/pipelines/{id}/webhooks': webhookCreated,
  'GET /api/v1/pipelines/{id}/webhooks': z.array(webhook),
  'POST /api/v1/hooks/{id}': webhookDelivered,

  'POST /api/v1/tokens': tokenCreated,
  'GET /api/v1/tokens': z.array(apiToken),
  'GET /api/v1/audit': z.array(auditEntry),

  'GET /api/v1/models': z.array(modelSummary),
  'GET /api/v1/models/{name}': modelDetail,
  'POST /api/v1/models/{name}/versions': modelVersionDetail,
  'GET /api/v1/models/{name}/versions/{version}': modelVersionDetail,
  'POST /api/v1/models/{name}/versions/{version}/promote': modelVersionDetail,
  'POST /api/v1/models/{name}/rollback': modelVersionDetail,

  'GET /api/v1/deployments': z.array(deploymentSummary),
  'GET /api/v1/deployments/{name}': deploymentDetail,
  'PUT /api/v1/deployments/{name}': deploymentRolledOut,
  'POST /api/v1/deployments/{name}/rollouts': deploymentRolledOut,
  'PATCH /api/v1/deployments/{name}': deploymentDetail,
  'POST /api/v1/deployments/{name}/promote': deploymentDetail,
  'POST /api/v1/deployments/{name}/rollback': deploymentDetail,
  'GET /api/v1/deployments/{name}/ready': deploymentReady,
  'POST /api/v1/deployments/{name}/predict': prediction,
  'POST /api/v1/deployments/{name}/feedback': feedbackAccepted,
  'GET /api/v1/deployments/{name}/feedback': z.array(feedbackLabel),
  'GET /api/v1/deployments/{name}/logs': z.array(predictionLogChunk),
  'POST /api/v1/deployments/{name}/retrain': runStarted,
  'GET /api/v1/deployments/{name}/stats': z.array(minuteStats),
  'GET /api/v1/deployments/{name}/events': z.array(deploymentEvent),
} as const satisfies Record<string, z.ZodType>;

export type Route = keyof typeof RESPONSES;
/** The JSON a route answers. */
export type ResponseOf<R extends Route> = z.infer<(typeof RESPONSES)[R]>;

/**
 * The operations that answer no JSON on success: nothing (204, or an event recorded), bytes (an
 * artifact, Prometheus text), or only server-sent events. With `RESPONSES` they cover every operation
 * of the OpenAPI document (test/api/api.test.ts checks both ways).
 */
export const NO_JSON_ANSWER: ReadonlySet<string> = new Set([
  'DELETE /api/v1/node-types/registrations/{workerId}',
  'DELETE /api/v1/node-types/{type}',
  'DELETE /api/v1/pipelines/{id}',
  'DELETE /api/v1/schedules/{id}',
  'DELETE /api/v1/tokens/{id}',
  'DELETE /api/v1/webhooks/{id}',
  'GET /api/v1/artifacts/{digest}',
  'GET /api/v1/runs/{runId}/events',
  'GET /metrics',
  'POST /api/v1/deployments/{name}/events',
]);

const compiled = [...Object.entries(RESPONSES), ...[...NO_JSON_ANSWER].map((key) => [key, undefined] as const)].map(([key, schema]) => {
  const [method, path] = key.split(' ') as [string, string];
  const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`);
  return { route: key, method, path, pattern, schema: schema as z.ZodType | undefined };
});

/**
 * The route of a concrete request (`GET`, `/api/v1/runs/abc?limit=5`) among `RESPONSES` and
 * `NO_JSON_ANSWER`, with its answer's schema (none for a route that answers no JSON), or undefined
 * for an unknown route. Literal segments win over parameters (`/schedules/preview` is not `/schedules/{id}`).
 */
export function routeFor(method: string, url: string): { route: string; schema: z.ZodType | undefined } | undefined {
  const path = url.split('?')[0]!;
  const matches = compiled.filter((r) => r.method === method.toUpperCase() && r.pattern.test(path));
  const best = matches.sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0))[0];
  return best && { route: best.route, schema: best.schema };
}
