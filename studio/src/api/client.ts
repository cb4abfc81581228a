import type { PipelineSpec, Problem } from '@kiln/engine';
import type {
  ApiToken,
  DecisionRecorded,
  NodeTypeJson,
  PipelineCreated,
  PipelineDetail,
  PipelineSummary,
  PipelineUpdated,
  PipelineVersion,
  PipelineVersionSummary,
  RunCancelling,
  RunDetail,
  RerunStarted,
  RunStarted,
  RunSummary,
  Schedule,
  SchedulePreview,
  ScheduleTriggered,
  TokenCreated,
  Webhook as ApiWebhook,
  WebhookCreated,
} from '@kiln/api-types';

const TOKEN_KEY = 'kiln.token';

export const getToken = (): string | null => localStorage.getItem(TOKEN_KEY);
export const setToken = (token: string | null): void =>
  token ? localStorage.setItem(TOKEN_KEY, token) : localStorage.removeItem(TOKEN_KEY);

/** An API error with the server's message (and spec problems, when it sent them). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problems: Problem[] = [],
  ) {
    super(message);
  }
}

/** Calls the API with the stored token; JSON in and out. A 401 signs the user out. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const token = getToken();
  const res = await fetch(`/api/v1${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json: unknown = undefined;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  if (!res.ok) {
    const j = (json ?? {}) as { message?: unknown; problems?: Problem[] };
    const message = Array.isArray(j.message)
      ? j.message.join('; ')
      : typeof j.message === 'string'
        ? j.message
        : `HTTP ${res.status}`;
    if (res.status === 401) window.dispatchEvent(new Event('kiln:unauthorized'));
    throw new ApiError(res.status, message, j.problems ?? []);
  }
  return json as T;
}

// The answers' shapes are @kiln/api-types' (one zod schema each, shared with the API); re-exported
// here for the pages that name them.
export type { ApiToken, PipelineDetail, PipelineSummary, RunDetail, Schedule } from '@kiln/api-types';
/** A webhook as listed, or as just created (then with its secret, shown once). */
export type Webhook = WebhookCreated | (ApiWebhook & { secret?: undefined });

/** Pipelines asked for ahead of their page (taken once by the page that shows them). */
const prefetched = new Map<string, Promise<PipelineDetail>>();

export const kilnApi = {
  /**
   * Starts fetching a pipeline before its editor mounts, in parallel with the node types the editor
   * waits for first; the editor's own request then takes this one.
   */
  prefetchPipeline: (id: string) => {
    if (prefetched.has(id)) return;
    const request = api<PipelineDetail>('GET', `/pipelines/${id}`);
    request.catch(() => prefetched.delete(id));
    prefetched.set(id, request);
  },
  tokens: () => api<ApiToken[]>('GET', '/tokens'),
  createToken: (name: string, role: string) =>
    api<TokenCreated>('POST', '/tokens', { name, role }),
  revokeToken: (id: string) => api<void>('DELETE', `/tokens/${id}`),
  nodeTypes: () => api<NodeTypeJson[]>('GET', '/catalog'),
  pipelines: () => api<PipelineSummary[]>('GET', '/pipelines'),
  pipeline: (id: string) => {
    const early = prefetched.get(id);
    prefetched.delete(id);
    return early ?? api<PipelineDetail>('GET', `/pipelines/${id}`);
  },
  versions: (id: string) =>
    api<PipelineVersionSummary[]>('GET', `/pipelines/${id}/versions`),
  version: (id: string, version: number) =>
    api<PipelineVersion>('GET', `/pipelines/${id}/versions/${version}`),
  createPipeline: (spec: PipelineSpec) =>
    api<PipelineCreated>('POST', '/pipelines', { spec }),
  updatePipeline: (id: string, spec: PipelineSpec) =>
    api<PipelineUpdated>('PUT', `/pipelines/${id}`, { spec }),
  archivePipeline: (id: string) => api<void>('DELETE', `/pipelines/${id}`),
  startRun: (id: string, params: Record<string, unknown>) =>
    api<RunStarted>('POST', `/pipelines/${id}/runs`, { params }),
  runs: (query: Record<string, string>) => api<RunSummary[]>('GET', `/runs?${new URLSearchParams(query)}`),
  run: (runId: string) => api<RunDetail>('GET', `/runs/${encodeURIComponent(runId)}`),
  cancelRun: (runId: string) => api<RunCancelling>('POST', `/runs/${encodeURIComponent(runId)}/cancel`),
  /** A new run of the run's version and params; `from` reuses what it computed (`'failed'`: re-run only what did not succeed). */
  rerun: (runId: string, from?: 'failed' | string[]) =>
    api<RerunStarted>('POST', `/runs/${encodeURIComponent(runId)}/rerun`, from ? { from } : undefined),
  decide: (runId: string, nodeId: string, decision: 'approve' | 'reject', comment?: string) =>
    api<DecisionRecorded>(
      'POST',
      `/runs/${encodeURIComponent(runId)}/nodes/${encodeURIComponent(nodeId)}/${decision}`,
      comment ? { comment } : {},
    ),
  artifactJson: (digest: string) => api<unknown>('GET', `/artifacts/${encodeURIComponent(digest)}`),
  schedules: () => api<Schedule[]>('GET', '/schedules'),
  createSchedule: (
    pipelineId: string,
    body: { cron: string; timezone: string; params: Record<string, unknown> },
  ) => api<Schedule>('POST', `/pipelines/${pipelineId}/schedules`, body),
  scheduleAction: (id: string, action: 'pause' | 'resume' | 'trigger') =>
    api<Schedule | ScheduleTriggered>('POST', `/schedules/${id}/${action}`),
  deleteSchedule: (id: string) => api<void>('DELETE', `/schedules/${id}`),
  preview: (cron: string, timezone: string) =>
    api<SchedulePreview>(
      'GET',
      `/schedules/preview?${new URLSearchParams({ cron, timezone })}`,
    ),
  webhooks: (pipelineId: string): Promise<Webhook[]> => api<ApiWebhook[]>('GET', `/pipelines/${pipelineId}/webhooks`),
  createWebhook: (pipelineId: string, paramMapping: Record<string, string>) =>
    api<WebhookCreated>('POST', `/pipelines/${pipelineId}/webhooks`, { paramMapping }),
  deleteWebhook: (id: string) => api<void>('DELETE', `/webhooks/${id}`),
};
