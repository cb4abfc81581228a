import { mkdirSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Client } from 'minio';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiProcess } from '../support/api-process';
import { tempDir } from '../support/harness';
import { type MinioServer, startMinio } from '../support/minio-server';
import { type SecuredInstance, runAroundTheApi, startSecuredInstance } from '../support/security-instance';

// Data access has roots (issue #16), against a real `kiln api` and a real `kiln worker` sharing
// MinIO as their artifact store. The API refuses literal URIs when a pipeline is saved (422 naming
// node and path); the worker refuses what only the run gives (run parameters), as a failed node
// that is not retried. A "secret" next to the data root, a loopback server standing for the API or
// Temporal's HTTP API ("inner") and a private bucket must never reach a dataset.

const SECRET = 'token\nkiln_admin_s3cr3t\n';
const base = realpathSync(tempDir('kiln-data-access-'));
const root = join(base, 'root');
mkdirSync(root);
writeFileSync(join(root, 'inside.csv'), 'x,y\n1,a\n2,b\n');
writeFileSync(join(base, 'secret.csv'), SECRET);
symlinkSync(join(base, 'secret.csv'), join(root, 'escape.csv'));

let instance: SecuredInstance;
let api: ApiProcess;
let minio: MinioServer;
let data: Server; // allow-listed by port through KILN_FETCH_ALLOW
let inner: Server; // never allowed
let dataUrl: string;
let innerUrl: string;
let editor: string;
let viewer: string;
let pipelineId: string;

const listen = async (server: Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

beforeAll(async () => {
  inner = createServer((_req, res) => res.end(SECRET));
  innerUrl = await listen(inner);
  data = createServer((req, res) => {
    if (req.url === '/data.csv') return res.end('x,y\n1,a\n2,b\n3,c\n');
    if (req.url === '/to-inner') return res.writeHead(302, { location: `${innerUrl}/secret.csv` }).end();
    res.writeHead(404).end();
  });
  dataUrl = await listen(data);
  minio = await startMinio();
  const url = new URL(minio.endpoint);
  const s3 = new Client({
    endPoint: url.hostname,
    port: Number(url.port),
    useSSL: false,
    accessKey: minio.accessKey,
    secretKey: minio.secretKey,
  });
  for (const bucket of ['allowed-data', 'private-data']) await s3.makeBucket(bucket);
  await s3.putObject('allowed-data', 'data.csv', Buffer.from('x,y\n1,a\n'));
  await s3.putObject('private-data', 'secret.csv', Buffer.from(SECRET));
  // The same policy for both processes, as an operator would set it.
  const env = {
    KILN_DATA_ROOTS: root,
    KILN_FETCH_ALLOW: new URL(dataUrl).host,
    KILN_S3_BUCKETS: 'allowed-data',
    S3_ENDPOINT: minio.endpoint,
    S3_ACCESS_KEY: minio.accessKey,
    S3_SECRET_KEY: minio.secretKey,
    S3_BUCKET: 'kiln-security-artifacts',
  };
  instance = await startSecuredInstance({ apiEnv: env, workerEnv: env });
  api = instance.api;
  ({ editor, viewer } = instance.tokens);
  const created = await api.call(
    'POST',
    '/api/v1/pipelines',
    ingestSpec('ingest-by-param', { $param: 'uri' }),
    editor,
  );
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  pipelineId = created.json.id;
});
afterAll(async () => {
  await instance?.stop();
  await minio?.stop();
  data?.close();
  inner?.close();
});

function ingestSpec(name: string, uri: unknown, params?: Record<string, unknown>) {
  return {
    spec: {
      apiVersion: 'kiln/v1',
      name,
      params: { type: 'object', properties: { uri: { type: 'string' }, ...params } },
      nodes: [{ id: 'load', type: 'ingest.file', params: { uri, format: 'csv' } }],
    },
  };
}

describe('an editor saving a pipeline whose data URI is a literal', () => {
  // (role, node, URI, expected outcome): every row is a 422 naming node "load" and its path.
  const refusedAtSave: [string, () => string, RegExp][] = [
    [
      'file:///etc/passwd',
      () => 'file:///etc/passwd',
      /\/etc\/passwd is outside the data roots \(.*\/root\).*KILN_DATA_ROOTS/,
    ],
    ['an absolute path', () => '/etc/passwd', /outside the data roots/],
    [
      '../../.. from the working folder',
      () => '../../../../../../../../etc/passwd',
      /\/etc\/passwd is outside the data roots/,
    ],
    [
      '%2e%2e in a file:// URL',
      () => `file://${root}/%2e%2e/secret.csv`,
      /secret\.csv is outside the data roots/,
    ],
    [
      'the API on loopback',
      () => `${api.url}/healthz`,
      /127\.0\.0\.1 is a loopback address.*KILN_FETCH_ALLOW/,
    ],
    ['loopback in decimal', () => `http://2130706433:${new URL(api.url).port}/healthz`, /loopback/],
    ['IPv4-mapped IPv6 loopback', () => `http://[::ffff:127.0.0.1]:${new URL(api.url).port}/`, /IPv4-mapped/],
    ['localhost', () => 'http://localhost:7233/', /loopback/],
    ['cloud metadata (link-local)', () => 'http://169.254.169.254/latest/meta-data/', /link-local/],
    ['a private address', () => 'http://10.0.0.1/data.csv', /private address \(RFC 1918\)/],
    [
      'a bucket that is not allowed',
      () => 's3://private-data/secret.csv',
      /bucket "private-data" is not allowed.*KILN_S3_BUCKETS/,
    ],
  ];
  it.each(refusedAtSave)('editor, ingest.file, %s → 422 naming node and path', async (_what, uri, why) => {
    const res = await api.call(
      'POST',
      '/api/v1/pipelines',
      ingestSpec(`refused-${Math.random()}`, uri()),
      editor,
    );
    expect(res.status, JSON.stringify(res.json)).toBe(422);
    expect(res.json.problems).toHaveLength(1);
    const [problem] = res.json.problems;
    expect(problem.path).toBe('nodes[0].params.uri');
    expect(problem.nodeId).toBe('load');
    expect(problem.message).toContain(`node "load": uri ${uri()} is refused: `);
    expect(problem.message).toMatch(why);
  });

  it('editor, ingest.file, a run parameter whose default is refused → 422 at the default', async () => {
    const res = await api.call(
      'POST',
      '/api/v1/pipelines',
      ingestSpec(
        'refused-default',
        { $param: 'data' },
        { data: { type: 'string', default: 'file:///etc/passwd' } },
      ),
      editor,
    );
    expect(res.status).toBe(422);
    expect(res.json.problems[0]).toMatchObject({ path: 'params.properties.data.default', nodeId: 'load' });
  });

  it('editor, ingest.file, a file under the root, an allow-listed host, an allowed bucket → saved', async () => {
    for (const uri of [join(root, 'inside.csv'), `${dataUrl}/data.csv`, 's3://allowed-data/data.csv']) {
      const res = await api.call(
        'POST',
        '/api/v1/pipelines',
        ingestSpec(`allowed-${Math.random()}`, uri),
        editor,
      );
      expect(res.status, JSON.stringify(res.json)).toBe(201);
    }
  });
});

describe('a run parameter naming data: the worker decides', () => {
  type Row = [string, () => string, 'succeeded' | RegExp];
  const table: Row[] = [
    ['a file under the data root', () => join(root, 'inside.csv'), 'succeeded'],
    [
      'a symlink inside the root pointing outside',
      () => join(root, 'escape.csv'),
      /escape\.csv resolves to .*secret\.csv, which is outside the data roots/,
    ],
    ['file:// with %2e%2e', () => `file://${root}/%2e%2e/secret.csv`, /outside the data roots/],
    ['a loopback server', () => `${innerUrl}/secret.csv`, /127\.0\.0\.1 is a loopback address/],
    ['localhost', () => `http://localhost:${new URL(innerUrl).port}/secret.csv`, /loopback/],
    ['IPv6 loopback', () => `http://[::1]:${new URL(innerUrl).port}/secret.csv`, /::1 is a loopback address/],
    ['an allow-listed loopback server', () => `${dataUrl}/data.csv`, 'succeeded'],
    [
      'an allow-listed server redirecting to loopback',
      () => `${dataUrl}/to-inner`,
      /it redirects to http:\/\/127\.0\.0\.1:\d+\/secret\.csv, which is refused: 127\.0\.0\.1 is a loopback/,
    ],
    ['an allowed bucket', () => 's3://allowed-data/data.csv', 'succeeded'],
    [
      'a bucket that is not allowed (it exists)',
      () => 's3://private-data/secret.csv',
      /bucket "private-data" is not allowed/,
    ],
  ];
  let runs: Record<string, any>;
  beforeAll(async () => {
    // All runs at once: one API, one worker.
    const settled = await Promise.all(table.map(([, uri]) => api.runToEnd(pipelineId, { uri: uri() })));
    runs = Object.fromEntries(table.map(([what], i) => [what, settled[i]]));
  });

  it.each(table)('editor runs ingest.file with %s', async (what, uri, expected) => {
    const run = runs[what];
    const load = run.state.nodes.load;
    if (expected === 'succeeded') {
      expect(load.status, JSON.stringify(load.error)).toBe('succeeded');
      expect(load.outputs.dataset.rowCount).toBeGreaterThan(0);
      return;
    }
    expect(run.status).toBe('failed');
    expect(load.status).toBe('failed');
    expect(load.attempts).toBe(1); // not retried
    expect(load.error.type).toBe('DataAccessRefused');
    expect(load.error.message).toContain(`${uri()} is refused: `);
    expect(load.error.message).toMatch(expected);
    // A viewer sees the failure, and nothing of the secret.
    const seen = await api.call('GET', `/api/v1/runs/${run.state.runId}`, undefined, viewer);
    expect(seen.status).toBe(200);
    expect(seen.json.state.nodes.load.outputs).toBeUndefined();
    expect(JSON.stringify(seen.json)).not.toContain('kiln_admin_s3cr3t');
  });
});

describe('a spec started on Temporal directly, around the API', () => {
  it('is refused by the worker: file:///etc/passwd and a loopback URL as literals', async () => {
    const spec = {
      apiVersion: 'kiln/v1' as const,
      name: 'around-the-api',
      nodes: [
        { id: 'passwd', type: 'ingest.file', params: { uri: 'file:///etc/passwd' } },
        { id: 'temporal', type: 'ingest.file', params: { uri: `${innerUrl}/api/v1/namespaces` } },
      ],
    };
    const state = await runAroundTheApi(instance, spec);
    expect(state.status).toBe('failed');
    for (const id of ['passwd', 'temporal']) {
      const node = state.nodes[id]!;
      expect(node.status, id).toBe('failed');
      expect(node.attempts).toBe(1);
      expect(node.error?.type).toBe('DataAccessRefused');
    }
    expect(state.nodes.passwd!.error!.message).toContain('/etc/passwd is outside the data roots');
    expect(state.nodes.temporal!.error!.message).toContain('127.0.0.1 is a loopback address');
  });
});
