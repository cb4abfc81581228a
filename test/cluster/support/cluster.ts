import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { type PostgresServer, startPostgres } from '@kiln/db';
import { type ApiProcess, startApiProcess } from '../../support/api-process';
import { type MinioServer, startMinio } from '../../support/minio-server';
import { startWorkerProcess, stopProcess } from '../../support/worker-process';
import { type TemporalServer, startTemporalServer } from './temporal-server';

/**
 * A production-shaped Kiln made of real processes on this machine: Temporal's server (built from
 * the Go module proxy) on its own PostgreSQL, Kiln's PostgreSQL, MinIO, two `kiln api` replicas on
 * one database and one bucket (no balancer: clients pick one), two `cpu` workers and a `gpu` worker.
 */
export interface Cluster {
  temporal: TemporalServer;
  /** Temporal's database server and Kiln's (separate, so a Kiln database outage leaves Temporal up). */
  temporalPg: PostgresServer;
  kilnPg: PostgresServer;
  minio: MinioServer;
  /** The API replicas serving now (a killed one is replaced in place by `replaceApi`). */
  apis: ApiProcess[];
  /** Worker processes by name: cpu-1, cpu-2, gpu-1. */
  workers: Map<string, ChildProcess>;
  adminToken: string;
  serviceToken: string;
  /** Replica `i % 2`: callers alternate between the replicas. */
  api(i: number): ApiProcess;
  /** Starts a new API replica in slot `i` (after its process was killed). */
  replaceApi(i: number): Promise<ApiProcess>;
  startWorker(name: string): Promise<ChildProcess>;
  stop(): Promise<void>;
}

export const BUCKET = 'kiln-cluster';

export async function startCluster(options: { workerGraceSeconds?: number } = {}): Promise<Cluster> {
  const [temporalPg, kilnPg, minio] = await Promise.all([startPostgres(), startPostgres(), startMinio()]);
  const s3 = { S3_ENDPOINT: minio.endpoint, S3_BUCKET: BUCKET, S3_ACCESS_KEY: minio.accessKey, S3_SECRET_KEY: minio.secretKey };
  const adminToken = `kiln_cluster_admin_${Math.random().toString(36).slice(2)}`;
  const serviceToken = `kiln_cluster_svc_${Math.random().toString(36).slice(2)}`;
  let temporal: TemporalServer;
  try {
    temporal = await startTemporalServer(temporalPg.url);
  } catch (err) {
    await Promise.all([temporalPg.stop(), kilnPg.stop(), minio.stop()]);
    throw err;
  }
  // As a team deployment would: one sealing key for every replica, and user code allowed on the API
  // and every worker alike (for any role: webhook deliveries start runs without one).
  const userCode = { KILN_ALLOW_USER_CODE: 'true', KILN_USER_CODE_ROLES: '*' };
  const apiEnv = { ...s3, ...userCode, KILN_SERVICE_TOKEN: serviceToken, KILN_SECRET_KEY: `k1:${randomBytes(32).toString('base64')}` };
  const startApi = () => startApiProcess({ temporalAddress: temporal.address, databaseUrl: kilnPg.url, adminToken, env: apiEnv });
  // Both replicas start together on a fresh database: migrations and the admin token race here.
  const apis = await Promise.all([startApi(), startApi()]);
  const workers = new Map<string, ChildProcess>();
  const startWorker = async (name: string) => {
    const gpu = name.startsWith('gpu');
    const child = await startWorkerProcess(temporal.address, gpu ? 'gpu' : 'cpu', {
      // Workers reach the API through replica 0 (a Service would stand in front in Kubernetes).
      env: { ...s3, ...userCode, KILN_API_URL: apis[0]!.url, KILN_API_TOKEN: serviceToken, ...(gpu ? { KILN_GPU_SLOTS: '0' } : {}) },
      args: [...(gpu ? ['--no-workflows'] : []), ...(options.workerGraceSeconds ? ['--grace-seconds', String(options.workerGraceSeconds)] : [])],
    });
    workers.set(name, child);
    return child;
  };
  await Promise.all(['cpu-1', 'cpu-2', 'gpu-1'].map(startWorker));
  return {
    temporal,
    temporalPg,
    kilnPg,
    minio,
    apis,
    workers,
    adminToken,
    serviceToken,
    api: (i) => apis[i % apis.length]!,
    async replaceApi(i) {
      await apis[i]!.stop();
      apis[i] = await startApi();
      return apis[i]!;
    },
    startWorker,
    async stop() {
      await Promise.all([...workers.values()].map((w) => stopProcess(w, 'SIGKILL')));
      await Promise.all(apis.map((a) => a.stop()));
      await temporal.stop();
      await Promise.all([temporalPg.stop(), kilnPg.stop(), minio.stop()]);
    },
  };
}
