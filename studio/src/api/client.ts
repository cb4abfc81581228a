import type { PipelineSpec, Problem, RunState } from '@kiln/engine';
import type { NodeTypeJson } from './catalog';

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

export interface PipelineSummary {
  id: string;
  name: string;
  description: string | null;
  latestVersion: number;
  archivedAt: string | null;
  lastRun: { id: string; status: string; startedAt: string; trigger: string } | null;
}
export interface PipelineDetail extends PipelineSummary {
  spec: PipelineSpec;
}
export interface RunRecord {
  id: string;
  pipelineId: string;
  version: number;
  status: string;
  trigger: string;
  params: Record<string, unknown>;
  startedAt: string;
  endedAt?: string | null;
  /** The run's workflow in the Temporal web UI, when the API knows the UI's address. */
  temporalUrl?: string;
  state:
    | (RunState & {
        nodes: Record<string, RunState['nodes'][string] & { live?: { attempt: number; progress: unknown } }>;
      })
    | null;
}
export interface Schedule {
  id: string;
  pipelineId: string;
  cron: string;
  timezone: string;
  paused: boolean;
  params: Record<string, unknown>;
  nextTimes: string[];
  recentRuns: { runId: string; at: string }[];
}
export interface Webhook {
  id: string;
  pipelineId: string;
  url?: string;
  secret?: string;
  [key: string]: unknown;
}

export interface ApiToken {
  id: string;
  name: string;
  role: string;
  createdAt: string;
  createdBy?: string | null;
  revokedAt?: string | null;
}

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
    api<{ id: string; name: string; role: string; token: string }>('POST', '/tokens', { name, role }),
  revokeToken: (id: string) => api<void>('DELETE', `/tokens/${id}`),
  nodeTypes: () => api<NodeTypeJson[]>('GET', '/node-types'),
  pipelines: () => api<PipelineSummary[]>('GET', '/pipelines'),
  pipeline: (id: string) => {
    const early = prefetched.get(id);
    prefetched.delete(id);
    return early ?? api<PipelineDetail>('GET', `/pipelines/${id}`);
  },
  versions: (id: string) =>
    api<{ version: number; hash: string; author: string | null; createdAt: string }[]>(
      'GET',
      `/pipelines/${id}/versions`,
    ),
  version: (id: string, version: number) =>
    api<{ spec: PipelineSpec }>('GET', `/pipelines/${id}/versions/${version}`),
  createPipeline: (spec: PipelineSpec) =>
    api<{ id: string; version: number }>('POST', '/pipelines', { spec }),
  updatePipeline: (id: string, spec: PipelineSpec) =>
    api<{ id: string; version: number; created: boolean; layoutChanged: boolean }>('PUT', `/pipelines/${id}`, { spec }),
  archivePipeline: (id: string) => api<void>('DELETE', `/pipelines/${id}`),
  startRun: (id: string, params: Record<string, unknown>) =>
    api<{ runId: string }>('POST', `/pipelines/${id}/runs`, { params }),
  runs: (query: Record<string, string>) => api<RunRecord[]>('GET', `/runs?${new URLSearchParams(query)}`),
  run: (runId: string) => api<RunRecord>('GET', `/runs/${encodeURIComponent(runId)}`),
  cancelRun: (runId: string) => api<unknown>('POST', `/runs/${encodeURIComponent(runId)}/cancel`),
  rerun: (runId: string) => api<{ runId: string }>('POST', `/runs/${encodeURIComponent(runId)}/rerun`),
  decide: (runId: string, nodeId: string, decision: 'approve' | 'reject', comment?: string) =>
    api<unknown>(
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
    api<unknown>('POST', `/schedules/${id}/${action}`),
  deleteSchedule: (id: string) => api<void>('DELETE', `/schedules/${id}`),
  preview: (cron: string, timezone: string) =>
    api<{ cron: string; timezone: string; nextTimes: string[] }>(
      'GET',
      `/schedules/preview?${new URLSearchParams({ cron, timezone })}`,
    ),
  webhooks: (pipelineId: string) => api<Webhook[]>('GET', `/pipelines/${pipelineId}/webhooks`),
  createWebhook: (pipelineId: string, paramMapping: Record<string, string>) =>
    api<Webhook>('POST', `/pipelines/${pipelineId}/webhooks`, { paramMapping }),
  deleteWebhook: (id: string) => api<void>('DELETE', `/webhooks/${id}`),
};
