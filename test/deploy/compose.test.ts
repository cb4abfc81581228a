import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@kiln/engine/home';
import { ensureManifestCheck } from '../support/go-tools';

// deploy/compose/compose.yaml through compose-go, the compose-spec's own Go implementation (what
// `docker compose config` runs): the compose-spec JSON schema, interpolation, profiles, then its typed
// model. No container runs here (no engine, no registry).

const COMPOSE = join(REPO_ROOT, 'deploy/compose/compose.yaml');
const SECRETS = {
  POSTGRES_PASSWORD: 'pg',
  KILN_DB_PASSWORD: 'kiln',
  TEMPORAL_DB_PASSWORD: 'temporal',
  MINIO_ROOT_PASSWORD: 'minio-secret',
  KILN_ADMIN_TOKEN: 'kiln_admin_x',
  KILN_SERVICE_TOKEN: 'kiln_svc_x',
  KILN_SECRET_KEY: 'k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=',
};

interface Project {
  services: Record<
    string,
    {
      image?: string;
      command?: string[];
      environment?: Record<string, string>;
      deploy?: any;
      depends_on?: Record<string, { condition: string }>;
    }
  >;
}

let check: string;
beforeAll(async () => {
  check = await ensureManifestCheck();
}, 1_800_000);

function load(
  file: string,
  profiles: string[] = [],
  env: Record<string, string> = SECRETS,
): Promise<{ code: number; stderr: string; project?: Project }> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !(k in SECRETS)));
    execFile(
      check,
      ['compose', file, ...profiles],
      { env: { ...clean, ...env }, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? Number(err.code ?? 1) : 0;
        resolve({ code, stderr, ...(code === 0 ? { project: JSON.parse(stdout) as Project } : {}) });
      },
    );
  });
}

describe('compose.yaml', () => {
  it('loads: Temporal on PostgreSQL with its UI, MinIO, migrations, the API and a cpu pool', async () => {
    const { code, stderr, project } = await load(COMPOSE);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const s = project!.services;
    expect(Object.keys(s).sort()).toEqual([
      'api',
      'migrate',
      'minio',
      'postgres',
      'temporal',
      'temporal-ui',
      'worker-cpu',
    ]);
    expect(s.temporal!.image).toMatch(/^docker\.io\/temporalio\/auto-setup:/);
    expect(s.temporal!.environment).toMatchObject({ DB: 'postgres12', POSTGRES_SEEDS: 'postgres' });
    expect(s.api!.command).toEqual(['api']);
    expect(s.migrate!.command).toEqual(['migrate']);
    expect(s['worker-cpu']!.command).toEqual(['worker', '--queues', 'cpu', '--concurrency', '8']);
    expect(s['worker-cpu']!.deploy.replicas).toBe(2);
    // Workers hold the API's key ring, to verify the seal on a run's role claim.
    expect(s['worker-cpu']!.environment!.KILN_SECRET_KEY).toBe(s.api!.environment!.KILN_SECRET_KEY);
    expect(s.api!.environment).toMatchObject({
      DATABASE_URL: 'postgres://kiln:kiln@postgres:5432/kiln',
      TEMPORAL_ADDRESS: 'temporal:7233',
      S3_ENDPOINT: 'http://minio:9000',
    });
    expect(s.api!.depends_on!.migrate).toMatchObject({ condition: 'service_completed_successfully' });
  });

  it('the gpu profile adds a GPU worker with a device reservation', async () => {
    const { code, project } = await load(COMPOSE, ['gpu']);
    expect(code).toBe(0);
    const gpu = project!.services['worker-gpu']!;
    expect(gpu.command).toEqual(['worker', '--queues', 'gpu', '--concurrency', '1', '--no-workflows']);
    expect(gpu.deploy.resources.reservations.devices).toEqual([
      { driver: 'nvidia', count: 1, capabilities: ['gpu'] },
    ]);
    expect(gpu.environment!.KILN_GPU_SLOTS).toBe('1');
    expect(gpu.environment!.KILN_SECRET_KEY).toBe(SECRETS.KILN_SECRET_KEY);
  });

  it('refuses to start without its secrets, naming the variable', async () => {
    const { KILN_ADMIN_TOKEN: _, ...rest } = SECRETS;
    const { code, stderr } = await load(COMPOSE, [], rest);
    expect(code).toBe(1);
    expect(stderr).toContain('set KILN_ADMIN_TOKEN in .env');
  });

  it('rejects a misspelt key (the compose-spec schema)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-compose-'));
    const file = join(dir, 'compose.yaml');
    writeFileSync(
      file,
      readFileSync(COMPOSE, 'utf8')
        .replace('stop_grace_period: 2m', 'stop_grace_periodd: 2m')
        .replaceAll('../..', REPO_ROOT)
        .replace('./postgres-init.sh', join(REPO_ROOT, 'deploy/compose/postgres-init.sh')),
    );
    const { code, stderr } = await load(file);
    expect(code).toBe(1);
    expect(stderr).toMatch(/stop_grace_periodd/);
  });
});
