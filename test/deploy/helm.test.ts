import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@kiln/engine/home';
import { ensureHelm, ensureManifestCheck } from '../support/go-tools';

// The Helm chart, proven without a cluster: `helm lint --strict` and `helm template` for a matrix of
// values (deploy/helm/kiln/ci/*-values.yaml), then every rendered object decoded strictly against
// the Kubernetes API's Go types (k8s.io/api) and the CRDs' (Prometheus Operator, KEDA) by
// deploy/tools/manifest-check, so that a misspelt or misplaced field fails.

const run = promisify(execFile);
const CHART = join(REPO_ROOT, 'deploy/helm/kiln');
const CASES = [
  'defaults',
  'gpu',
  'ingress-hpa-pdb',
  'servicemonitor-keda',
  'existing-secrets',
  'mtls',
  'temporal-cloud',
] as const;
type Case = (typeof CASES)[number];

interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: any;
  stringData?: Record<string, string>;
}

let helm: string;
let check: string;
const rendered = new Map<Case, string>();

async function template(values: string[], set: string[] = []): Promise<string> {
  const args = [
    'template',
    'kiln',
    CHART,
    '--namespace',
    'kiln',
    ...values.flatMap((v) => ['-f', v]),
    ...set.flatMap((s) => ['--set', s]),
  ];
  return (await run(helm, args, { maxBuffer: 16 * 1024 * 1024 })).stdout;
}

/** Feeds YAML to manifest-check; its exit status, problems, and the decoded objects. */
async function decode(yaml: string): Promise<{ code: number; stderr: string; objects: K8sObject[] }> {
  return new Promise((resolve, reject) => {
    const child = execFile(check, ['k8s', '-'], { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      if (code === -1) return reject(err);
      resolve({ code, stderr, objects: code === 0 ? (JSON.parse(stdout) as K8sObject[]) : [] });
    });
    child.stdin!.end(yaml);
  });
}

const valuesFile = (c: Case) => join(CHART, 'ci', `${c}-values.yaml`);
const find = (objects: K8sObject[], kind: string, name: string) => {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o)
    throw new Error(
      `no ${kind} ${name} among ${objects.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`,
    );
  return o;
};
const container = (o: K8sObject) => o.spec.template.spec.containers[0];
const envOf = (o: K8sObject) =>
  Object.fromEntries(
    container(o).env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [
      e.name,
      e.value ?? e.valueFrom,
    ]),
  );

beforeAll(async () => {
  // First use builds both from the Go module proxy (minutes); later runs find them cached.
  [helm, check] = await Promise.all([ensureHelm(), ensureManifestCheck()]);
  for (const c of CASES) rendered.set(c, await template([valuesFile(c)]));
}, 1_800_000);

describe('helm lint', () => {
  it.each(CASES)('passes --strict with %s values', async (c) => {
    const { stdout } = await run(helm, ['lint', '--strict', CHART, '-f', valuesFile(c)]);
    expect(stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
  });
});

describe('helm template, decoded strictly', () => {
  it.each(CASES)('%s: every object decodes against its Go type', async (c) => {
    const { code, stderr } = await decode(rendered.get(c)!);
    expect(stderr).toMatch(/\d+ objects decoded, 0 problems/);
    expect(code).toBe(0);
  });

  it('defaults: API with probes on /healthz and /readyz, a cpu pool, the migration hook, one Secret', async () => {
    const { objects } = await decode(rendered.get('defaults')!);
    const api = find(objects, 'Deployment', 'kiln-api');
    expect(api.spec.replicas).toBe(2);
    expect(container(api).args).toEqual(['api']);
    expect(container(api).livenessProbe.httpGet.path).toBe('/healthz');
    expect(container(api).readinessProbe.httpGet.path).toBe('/readyz');
    expect(api.spec.template.spec.securityContext.runAsNonRoot).toBe(true);
    const cpu = find(objects, 'Deployment', 'kiln-worker-cpu');
    expect(container(cpu).args).toEqual(['worker', '--queues', 'cpu', '--concurrency', '8']);
    expect(envOf(cpu).KILN_API_URL).toBe('http://kiln-api.kiln.svc:80');
    expect(objects.some((o) => o.metadata.name === 'kiln-worker-gpu')).toBe(false);
    const job = find(objects, 'Job', 'kiln-migrate');
    expect(container(job).args).toEqual(['migrate']);
    expect(job.metadata.annotations?.['helm.sh/hook']).toBe('post-install,pre-upgrade');
    const secret = find(objects, 'Secret', 'kiln');
    expect(Object.keys(secret.stringData!).sort()).toEqual([
      'admin-token',
      'database-url',
      's3-access-key',
      's3-secret-key',
      'secret-key',
      'service-token',
    ]);
    expect(envOf(api).KILN_SECRET_KEY).toEqual({ secretKeyRef: { name: 'kiln', key: 'secret-key' } });
    // Workers hold the same key ring, to verify the seal on a run's role claim.
    expect(envOf(cpu).KILN_SECRET_KEY).toEqual(envOf(api).KILN_SECRET_KEY);
    expect(envOf(cpu).KILN_ALLOW_USER_CODE).toBe('false');
    expect(envOf(api).KILN_USER_CODE_ROLES).toBe('admin');
    expect(
      objects.filter((o) =>
        [
          'HorizontalPodAutoscaler',
          'PodDisruptionBudget',
          'Ingress',
          'ScaledObject',
          'ServiceMonitor',
        ].includes(o.kind),
      ),
    ).toEqual([]);
  });

  it('gpu: GPU pool with nvidia.com/gpu limits, node selector and tolerations; a custom pool from values', async () => {
    const { objects } = await decode(rendered.get('gpu')!);
    const gpu = find(objects, 'Deployment', 'kiln-worker-gpu');
    expect(container(gpu).resources.limits['nvidia.com/gpu']).toBe('2');
    expect(container(gpu).resources.limits.memory).toBe('16Gi');
    expect(envOf(gpu).KILN_GPU_SLOTS).toBe('2');
    // The core budget follows the container's CPU limit, not the machine's count.
    expect(envOf(gpu).KILN_WORKER_CPUS).toEqual({ resourceFieldRef: { containerName: 'worker', resource: 'limits.cpu', divisor: '1' } });
    expect(container(gpu).args).toEqual([
      'worker',
      '--queues',
      'gpu',
      '--concurrency',
      '1',
      '--no-workflows',
    ]);
    expect(gpu.spec.template.spec.nodeSelector).toEqual({ 'nvidia.com/gpu.present': 'true' });
    expect(gpu.spec.template.spec.tolerations).toEqual([
      { key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' },
    ]);
    const training = find(objects, 'Deployment', 'kiln-worker-training');
    expect(container(training).args).toEqual([
      'worker',
      '--queues',
      'train-large',
      '--concurrency',
      '2',
      '--no-workflows',
    ]);
    expect(training.spec.template.spec.terminationGracePeriodSeconds).toBe(600);
    expect(envOf(training).KILN_WORKER_GRACE_SECONDS).toBe('585');
  });

  it('ingress-hpa-pdb: Ingress with TLS, an HPA that owns the replica count, a PDB', async () => {
    const { objects } = await decode(rendered.get('ingress-hpa-pdb')!);
    const ingress = find(objects, 'Ingress', 'kiln-api');
    expect(ingress.spec.ingressClassName).toBe('nginx');
    expect(ingress.spec.tls).toEqual([{ hosts: ['kiln.team.example'], secretName: 'kiln-tls' }]);
    const hpa = find(objects, 'HorizontalPodAutoscaler', 'kiln-api');
    expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([3, 9]);
    expect(find(objects, 'Deployment', 'kiln-api').spec.replicas).toBeUndefined();
    expect(find(objects, 'PodDisruptionBudget', 'kiln-api').spec.minAvailable).toBe(2);
    expect(envOf(find(objects, 'Deployment', 'kiln-api')).KILN_PUBLIC_URL).toBe('https://kiln.team.example');
  });

  it("servicemonitor-keda: ServiceMonitor with a bearer token; ScaledObjects on each pool's task queues", async () => {
    const { objects } = await decode(rendered.get('servicemonitor-keda')!);
    const sm = find(objects, 'ServiceMonitor', 'kiln-api');
    expect(sm.spec.endpoints[0]).toMatchObject({
      port: 'http',
      path: '/metrics',
      authorization: { type: 'Bearer', credentials: { name: 'kiln', key: 'service-token' } },
    });
    const cpu = find(objects, 'ScaledObject', 'kiln-worker-cpu');
    expect(cpu.spec.maxReplicaCount).toBe(20);
    expect(
      cpu.spec.triggers.map((t: { metadata: Record<string, string> }) => [
        t.metadata.taskQueue,
        t.metadata.queueTypes,
      ]),
    ).toEqual([
      ['cpu', 'activity'],
      ['kiln-workflows', 'workflow'],
    ]);
    const gpu = find(objects, 'ScaledObject', 'kiln-worker-gpu');
    expect(gpu.spec.minReplicaCount).toBe(0);
    expect(gpu.spec.triggers).toHaveLength(1);
    expect(find(objects, 'Deployment', 'kiln-worker-cpu').spec.replicas).toBeUndefined();
    expect(objects.some((o) => o.kind === 'TriggerAuthentication')).toBe(false);
  });

  it('existing-secrets: no Secret rendered; every reference names the given Secrets', async () => {
    const { objects } = await decode(rendered.get('existing-secrets')!);
    expect(objects.filter((o) => o.kind === 'Secret')).toEqual([]);
    const env = envOf(find(objects, 'Deployment', 'kiln-api'));
    expect(env.DATABASE_URL).toEqual({ secretKeyRef: { name: 'kiln-db', key: 'url' } });
    expect(env.S3_ACCESS_KEY).toEqual({ secretKeyRef: { name: 'kiln-s3', key: 's3-access-key' } });
    expect(env.KILN_ADMIN_TOKEN).toEqual({ secretKeyRef: { name: 'kiln-tokens', key: 'admin-token' } });
    expect(env.S3_REGION).toBe('eu-west-1');
  });

  it('mtls: certificate files mounted for every process, and KEDA authenticating with the same Secret', async () => {
    const { objects } = await decode(rendered.get('mtls')!);
    for (const name of ['kiln-api', 'kiln-worker-cpu']) {
      const d = find(objects, 'Deployment', name);
      expect(envOf(d)).toMatchObject({
        TEMPORAL_ADDRESS: 'temporal-frontend.temporal.svc:7233',
        TEMPORAL_NAMESPACE: 'ml-team',
        TEMPORAL_TLS_CERT: '/etc/kiln/temporal-tls/tls.crt',
        TEMPORAL_TLS_KEY: '/etc/kiln/temporal-tls/tls.key',
        TEMPORAL_TLS_CA: '/etc/kiln/temporal-tls/ca.crt',
        TEMPORAL_TLS_SERVER_NAME: 'temporal-frontend.internal',
      });
      expect(d.spec.template.spec.volumes).toContainEqual({
        name: 'temporal-tls',
        secret: { secretName: 'kiln-temporal-client', defaultMode: 0o440 },
      });
    }
    const auth = find(objects, 'TriggerAuthentication', 'kiln-temporal');
    expect(auth.spec.secretTargetRef.map((r: { parameter: string }) => r.parameter)).toEqual([
      'cert',
      'key',
      'ca',
    ]);
    const so = find(objects, 'ScaledObject', 'kiln-worker-cpu');
    expect(so.spec.triggers[0].authenticationRef).toEqual({ name: 'kiln-temporal' });
    expect(so.spec.triggers[0].metadata).toMatchObject({
      namespace: 'ml-team',
      tlsServerName: 'temporal-frontend.internal',
    });
  });

  it('temporal-cloud: the API key from a Secret, for the pods and for KEDA', async () => {
    const { objects } = await decode(rendered.get('temporal-cloud')!);
    expect(find(objects, 'Secret', 'kiln').stringData!['temporal-api-key']).toBe('tmprl_api_key_for_tests');
    expect(envOf(find(objects, 'Deployment', 'kiln-worker-cpu')).TEMPORAL_API_KEY).toEqual({
      secretKeyRef: { name: 'kiln', key: 'temporal-api-key' },
    });
    expect(find(objects, 'TriggerAuthentication', 'kiln-temporal').spec.secretTargetRef).toEqual([
      { parameter: 'apiKey', name: 'kiln', key: 'temporal-api-key' },
    ]);
  });
});

describe('what fails', () => {
  it.each([
    [
      'a core type (Deployment)',
      'containerPort:',
      'containerPorts:',
      /\(Deployment kiln-api\): .*unknown field "containerPorts"/,
    ],
    [
      'a CRD (KEDA ScaledObject)',
      'minReplicaCount:',
      'minReplicas:',
      /\(ScaledObject kiln-worker-cpu\): .*unknown field "minReplicas"/,
    ],
    [
      'a CRD (ServiceMonitor)',
      'interval: 30s',
      'intervall: 30s',
      /\(ServiceMonitor kiln-api\): .*unknown field "intervall"/,
    ],
  ])('a misspelt field in %s', async (_what, from, to, message) => {
    const yaml = rendered.get('servicemonitor-keda')!;
    expect(yaml).toContain(from);
    const { code, stderr } = await decode(yaml.replace(from, to));
    expect(code).toBe(1);
    expect(stderr).toMatch(message);
  });

  it('an unknown kind', async () => {
    const { code, stderr } = await decode('apiVersion: apps/v1\nkind: Deploymnet\nmetadata:\n  name: x\n');
    expect(code).toBe(1);
    expect(stderr).toContain('unknown kind Deploymnet in apps/v1');
  });

  it('a misspelt value (values.schema.json)', async () => {
    await expect(template([valuesFile('defaults')], ['workers.gpu.gpu=1'])).rejects.toThrow(
      /workers\.gpu.*additional propert(y|ies) 'gpu' not allowed/s,
    );
    await expect(template([valuesFile('defaults')], ['api.autoscalling.enabled=true'])).rejects.toThrow(
      /autoscalling/,
    );
  });

  it('a release without its database or tokens fails to render, naming the value to set', async () => {
    await expect(template([])).rejects.toThrow(/database\.url or database\.existingSecret is required/);
    const values = readFileSync(valuesFile('defaults'), 'utf8');
    expect(values).toContain('serviceToken');
    await expect(template([valuesFile('defaults')], ['auth.serviceToken='])).rejects.toThrow(
      /auth\.adminToken, auth\.serviceToken and auth\.secretKey, or auth\.existingSecret, are required/,
    );
  });
});
