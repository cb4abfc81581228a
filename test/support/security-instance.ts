import type { ChildProcess } from 'node:child_process';
import { inject } from 'vitest';
import { catalog } from '@kiln/nodes';
import type { PipelineSpec, RunStarter, RunState } from '@kiln/engine';
import { awaitRun, startRun } from '@kiln/engine/temporal';
import { freePort } from '@kiln/engine/free-port';
import { type ApiProcess, startApiProcess } from './api-process';
import { type Harness, openHarness, tempDir } from './harness';
import { startWorkerProcess, stopProcess } from './worker-process';

/**
 * Secrets an instance's processes hold in their environment: a probe passes when none of these
 * values (nor their names) reaches what a pipeline author can read.
 */
export const PLANTED_SECRETS = {
  KILN_SERVICE_TOKEN: 'kiln_svc_planted_service_token_0123456789',
  KILN_API_TOKEN: 'kiln_svc_planted_service_token_0123456789',
  KILN_ADMIN_TOKEN_PLANTED: 'kiln_planted_admin_token_0123456789',
  DATABASE_URL: 'postgres://kiln:planted-db-password@127.0.0.1:1/kiln',
  S3_ACCESS_KEY: 'planted-s3-access-key',
  S3_SECRET_KEY: 'planted-s3-secret-key-0123456789',
  AWS_SECRET_ACCESS_KEY: 'planted-aws-secret-0123456789',
} as const;

/** A real `kiln api` and a real `kiln worker` on the test run's Temporal, with tokens of every role. */
export interface SecuredInstance {
  api: ApiProcess;
  /** A Temporal client with no workers of its own (to start runs around the API). */
  temporal: Harness;
  worker: ChildProcess;
  tokens: { admin: string; editor: string; viewer: string };
  /** What the worker wrote to stderr. */
  workerLogs(): string;
  stop(): Promise<void>;
}

/**
 * Starts the instance a security suite probes: `apiEnv` and `workerEnv` are the operator's settings
 * (both processes also hold `PLANTED_SECRETS`); the two share one artifact folder, and the worker
 * reaches the API with the service token, as under `kiln up`.
 */
export async function startSecuredInstance(
  options: { apiEnv?: Record<string, string>; workerEnv?: Record<string, string | null> } = {},
): Promise<SecuredInstance> {
  const address = inject('temporalAddress');
  const temporal = await openHarness({ workers: false });
  const { DATABASE_URL: _db, ...apiSecrets } = PLANTED_SECRETS;
  // Both processes start at once (each takes tens of seconds on a busy machine): the worker is given
  // the API's port and artifact folder beforehand.
  const port = await freePort();
  const artifactsDir = tempDir('kiln-security-artifacts-');
  let logs = '';
  const [api, worker] = await Promise.allSettled([
    startApiProcess({
      temporalAddress: address,
      port,
      artifactsDir,
      env: { ...apiSecrets, ...options.apiEnv },
    }),
    startWorkerProcess(address, 'cpu,gpu', {
      env: {
        ...PLANTED_SECRETS,
        KILN_ARTIFACTS: artifactsDir,
        KILN_API_URL: `http://127.0.0.1:${port}`,
        S3_ENDPOINT: null,
        ...options.workerEnv,
      },
      onStderr: (text) => (logs += text),
    }),
  ]);
  if (api.status === 'rejected' || worker.status === 'rejected') {
    if (api.status === 'fulfilled') await api.value.stop();
    if (worker.status === 'fulfilled') await stopProcess(worker.value);
    await temporal.close();
    throw api.status === 'rejected' ? api.reason : (worker as PromiseRejectedResult).reason;
  }
  const instance = { api: api.value, worker: worker.value };
  const token = async (role: 'editor' | 'viewer') => {
    const res = await instance.api.call('POST', '/api/v1/tokens', { name: `security-${role}`, role });
    if (res.status !== 201) throw new Error(`could not make a ${role} token: ${JSON.stringify(res.json)}`);
    return res.json.token as string;
  };
  return {
    ...instance,
    temporal,
    tokens: { admin: instance.api.adminToken, editor: await token('editor'), viewer: await token('viewer') },
    workerLogs: () => logs,
    async stop() {
      await stopProcess(instance.worker);
      await instance.api.stop();
      await temporal.close();
    },
  };
}

/** What happened to a pipeline an actor saved and ran through the API. */
export interface ApiAttempt {
  /** The status of `POST /pipelines`, and its body. */
  saved: { status: number; json: any };
  /** The finished run, when it was saved and started. */
  run?: any;
}

/** Saves a pipeline and runs it to its end as `token`, stopping at the first refusal. */
export async function saveAndRun(
  instance: SecuredInstance,
  token: string,
  spec: unknown,
  params: Record<string, unknown> = {},
): Promise<ApiAttempt> {
  const saved = await instance.api.call('POST', '/api/v1/pipelines', { spec }, token);
  if (saved.status !== 201) return { saved };
  const started = await instance.api.call(
    'POST',
    `/api/v1/pipelines/${saved.json.id}/runs`,
    { params },
    token,
  );
  if (started.status !== 201) return { saved: started };
  return { saved, run: await instance.api.settled(started.json.runId) };
}

/** Starts a spec on Temporal directly (around the API), claiming `startedBy` as a forger would, and waits for its end. */
export async function runAroundTheApi(
  instance: SecuredInstance,
  spec: PipelineSpec,
  startedBy?: RunStarter,
): Promise<RunState> {
  return awaitRun(
    await startRun(instance.temporal.client, { spec, params: {}, catalog, ...(startedBy ? { startedBy } : {}) }),
  );
}
