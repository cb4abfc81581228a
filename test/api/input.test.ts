// Bad input is a 4xx naming what and where, never a 5xx: every probe of issue #16 against a real
// `kiln api`, on PGlite and on PostgreSQL. Also: the OpenAPI document tools read, 405s, typed predict
// values, feedback only for issued prediction ids, and webhook secrets sealed at rest (with rotation).
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signWebhook } from '@kiln/api';
import { FolderArtifactStore } from '@kiln/artifacts';
import { type PostgresServer, openDatabase, startPostgres } from '@kiln/db';
import { csvFile, trainGbdtModel, type TrainedModel } from '../support/trained-models';
import { type Harness, openHarness, spec } from '../support/harness';
import { type ApiProcess, startApiProcess } from '../support/api-process';

let h: Harness;
let postgres: PostgresServer;
let model: TrainedModel;
beforeAll(async () => {
  h = await openHarness();
  postgres = await startPostgres();
  // A small binary model: a number column and a string column.
  const csv = csvFile(
    'tenure_months,contract,y',
    200,
    (i) => `${i % 50},${['monthly', 'yearly', 'two-year'][i % 3]},${i % 50 > 25 ? 1 : 0}`,
  );
  model = await trainGbdtModel(csv, {
    ingest: { format: 'csv', types: { y: 'int' } },
    featurize: { target: 'y', task: 'binary' },
    train: { numIterations: 10 },
  });
});
afterAll(async () => {
  await h?.close();
  await postgres?.stop();
});

const noop = (name: string) => spec(name, [{ id: 'a', type: 'core.noop' }]);
const nested = (depth: number) => JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`) as unknown;

describe.each([
  ['embedded PostgreSQL (PGlite)', false],
  ['a PostgreSQL server', true],
])('input checks on %s', (_db, usePostgres) => {
  let api: ApiProcess;
  let pipelineId: string;
  let runId: string;
  beforeAll(async () => {
    api = await startApiProcess({
      temporalAddress: h.address,
      ...(usePostgres ? { databaseUrl: postgres.url } : {}),
    });
    pipelineId = (await api.call('POST', '/api/v1/pipelines', { spec: noop(`input-${usePostgres}`) })).json
      .id;
    runId = (await api.call('POST', `/api/v1/pipelines/${pipelineId}/runs`, {})).json.runId;
    expect(runId).toBeTruthy();
  });
  afterAll(() => api?.stop());

  const raw = (path: string, init: RequestInit = {}) =>
    fetch(`${api.url}${path}`, {
      ...init,
      headers: {
        authorization: `Bearer ${api.adminToken}`,
        'content-type': 'application/json',
        ...init.headers,
      },
    });

  it('checks ids by their real type and range before any query', async () => {
    const cases: [string, string, unknown, RegExp][] = [
      [
        'GET',
        `/api/v1/pipelines/${pipelineId}/versions/3000000000`,
        undefined,
        /path parameter "version".*at most 2147483647/,
      ],
      ['GET', '/api/v1/models/m/versions/3000000000', undefined, /path parameter "version"/],
      ['GET', '/api/v1/models/m/versions/0', undefined, /versions start at 1/],
      ['GET', '/api/v1/models/m/versions/1e3', undefined, /path parameter "version"/],
      ['GET', '/api/v1/pipelines/not-a-uuid', undefined, /path parameter "id".*UUID/],
      ['GET', '/api/v1/runs/a%00b', undefined, /path parameter "runId".*NUL/],
      ['GET', '/api/v1/schedules/a%00b', undefined, /path parameter "id".*NUL/],
      ['GET', '/api/v1/deployments/x%00', undefined, /path parameter "name".*NUL/],
      ['GET', '/api/v1/runs/%FF%FE', undefined, /not a valid url component/],
      ['GET', '/api/v1/runs?pipelineId=nope', undefined, /pipelineId.*UUID/],
      ['GET', '/api/v1/runs?status=%00', undefined, /query parameter "status".*NUL/],
      ['GET', '/api/v1/schedules?pipelineId=nope', undefined, /pipelineId.*UUID/],
      ['GET', '/api/v1/audit?limit=ten', undefined, /limit/],
      ['PUT', '/api/v1/deployments/x', { model: 'm', version: 3000000000 }, /version/],
      ['POST', `/api/v1/runs/${runId}/nodes/a%20b/approve`, {}, /path parameter "nodeId"/],
      ['POST', '/api/v1/models/m/versions', { runId: 'a\u0000b', nodeId: 'train' }, /NUL/],
      [
        'POST',
        `/api/v1/pipelines/${pipelineId}/runs`,
        { params: { x: nested(2000) } },
        /nests deeper than 64 levels at params\.x/,
      ],
      ['POST', `/api/v1/pipelines/${pipelineId}/runs`, { params: { x: 'a\u0000' } }, /params\.x holds a NUL/],
      [
        'POST',
        '/api/v1/pipelines',
        { spec: { ...noop('deep'), params: nested(100) } },
        /nests deeper than 64/,
      ],
      ['POST', '/api/v1/validate', { spec: nested(3000) }, /nests deeper than 64/],
    ];
    for (const [method, path, body, message] of cases) {
      const res = await api.call(method, path, body);
      expect(res.status, `${method} ${path}: ${JSON.stringify(res.json)}`).toBe(400);
      expect(res.json.message, `${method} ${path}`).toMatch(message);
    }
    // Within range, the query runs: an unknown version is a 404.
    expect((await api.call('GET', `/api/v1/pipelines/${pipelineId}/versions/2147483647`)).status).toBe(404);
    expect((await api.call('GET', `/api/v1/runs?pipelineId=${pipelineId}`)).status).toBe(200);
  });

  it('refuses bodies that are not UTF-8', async () => {
    const body = Buffer.concat([
      Buffer.from('{"params":{"x":"'),
      Buffer.from([0xff, 0xfe]),
      Buffer.from('"}}'),
    ]);
    const res = await raw(`/api/v1/pipelines/${pipelineId}/runs`, { method: 'POST', body });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe('the body is not valid UTF-8');
  });

  it('answers 405 with Allow for methods a known path does not take', async () => {
    const res = await fetch(`${api.url}/api/v1/runs`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${api.adminToken}` },
    });
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('GET, HEAD');
    expect(((await res.json()) as { message: string }).message).toContain(
      'DELETE is not allowed on /api/v1/runs',
    );
    expect((await raw(`/api/v1/pipelines/${pipelineId}`, { method: 'POST', body: '{}' })).status).toBe(405);
    expect((await raw('/healthz', { method: 'PUT', body: '{}' })).status).toBe(405);
    expect((await fetch(`${api.url}/api/v1/nowhere`, { method: 'DELETE' })).status).toBe(404);
  });

  it('publishes OpenAPI 3.1 with typed path parameters, optional queries and documented errors', async () => {
    const doc = (await api.call('GET', '/api/openapi.json', undefined, null)).json;
    expect(doc.openapi).toBe('3.1.0');
    const version = doc.paths['/api/v1/pipelines/{id}/versions/{version}'].get;
    expect(version.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          name: 'id',
          in: 'path',
          required: true,
          schema: { type: 'string', format: 'uuid' },
        }),
        expect.objectContaining({
          name: 'version',
          in: 'path',
          schema: { type: 'integer', minimum: 1, maximum: 2147483647 },
        }),
      ]),
    );
    expect(doc.paths['/api/v1/runs/{runId}'].get.parameters[0].schema.pattern).toBeTruthy();
    const runsQuery = doc.paths['/api/v1/runs'].get.parameters;
    expect(runsQuery.find((p: { name: string }) => p.name === 'pipelineId')).toMatchObject({
      in: 'query',
      required: false,
      schema: { format: 'uuid' },
    });
    expect(runsQuery.every((p: { required: boolean }) => p.required === false)).toBe(true);
    const put = doc.paths['/api/v1/pipelines/{id}'].put.responses;
    for (const status of ['400', '401', '403', '404', '409', '413', '422', '503']) {
      expect(put[status]?.content['application/json'].schema, status).toEqual({
        $ref: '#/components/schemas/Error',
      });
    }
    expect(doc.paths['/api/v1/hooks/{id}'].post.responses['429']).toBeTruthy();
    expect(doc.components.schemas.Error.required).toEqual(['statusCode']);
    // No OpenAPI 3.0 forms left in the schemas (the keyword `nullable: true`, not a property named
    // "nullable" such as a Dataset column's).
    expect(JSON.stringify(doc)).not.toMatch(/"nullable":(true|false)|"\$schema":/);
  });

  describe('a deployment', () => {
    let viewer: string;
    beforeAll(async () => {
      viewer = (await api.call('POST', '/api/v1/tokens', { name: 'vi', role: 'viewer' })).json.token;
      const ref = await new FolderArtifactStore(api.artifactsDir).put(model.onnx, {
        mediaType: 'application/onnx',
      });
      const rolled = await api.call('POST', '/api/v1/deployments/typed/rollouts', {
        model: 'typed-model',
        register: { model: { artifact: ref, ...model.signature, target: 'y' }, runId, nodeId: 'a' },
      });
      expect(rolled.status, JSON.stringify(rolled.json)).toBe(200);
    });
    const predict = (body: string) =>
      raw('/api/v1/deployments/typed/predict', {
        method: 'POST',
        body,
        headers: { authorization: `Bearer ${viewer}` },
      });

    it('checks each value’s JSON type against the model input, naming instance and column', async () => {
      const ok = await predict(
        JSON.stringify({
          instances: [
            { tenure_months: 3, contract: 'monthly' },
            { tenure_months: null, contract: null },
          ],
        }),
      );
      expect(ok.status).toBe(200);
      const cases: [string, string][] = [
        [
          '{"instances":[{"tenure_months":3,"contract":5}]}',
          'instances[0].contract: expected a string, got 5 (a number)',
        ],
        [
          '{"instances":[{"tenure_months":3,"contract":"a"},{"tenure_months":true,"contract":"a"}]}',
          'instances[1].tenure_months: expected a finite number, got true (a boolean)',
        ],
        [
          '{"instances":[{"tenure_months":1e309,"contract":"a"}]}',
          "instances[0].tenure_months: expected a finite number, got Infinity (a number too large for JSON's finite range)",
        ],
      ];
      for (const [body, message] of cases) {
        const res = await predict(body);
        expect(res.status, body).toBe(400);
        expect(((await res.json()) as { message: string }).message).toBe(message);
      }
    });

    it('takes feedback only for prediction ids it issued, once per id', async () => {
      const ids = (
        (await (
          await predict(
            JSON.stringify({
              instances: [
                { tenure_months: 3, contract: 'monthly' },
                { tenure_months: 30, contract: 'yearly' },
              ],
            }),
          )
        ).json()) as { ids: string[] }
      ).ids;
      const send = (items: unknown[]) =>
        api.call('POST', '/api/v1/deployments/typed/feedback', { items }, viewer);
      const dup = await send([
        { id: ids[0], label: 1 },
        { id: ids[1], label: 0 },
        { id: ids[0], label: 0 },
      ]);
      expect(dup.status).toBe(400);
      expect(dup.json.message).toContain('items[2].id: repeats the prediction id of items[0]');
      const forged = `${ids[0]!.slice(0, -1)}${ids[0]!.endsWith('A') ? 'B' : 'A'}`;
      const unknown = await send([
        { id: ids[0], label: 1 },
        { id: 'never-issued', label: 0 },
        { id: forged, label: 0 },
      ]);
      expect(unknown.status).toBe(422);
      expect(unknown.json.problems.map((p: { path: string }) => p.path)).toEqual([
        'items[1].id',
        'items[2].id',
      ]);
      // Nothing of a refused batch is stored; a good batch is.
      expect((await api.call('GET', '/api/v1/deployments/typed/feedback')).json).toEqual([]);
      expect((await send(ids.map((id, i) => ({ id, label: i })))).json).toEqual({ accepted: 2 });
      // Another deployment's ids are not this one's.
      expect(
        (
          await api.call(
            'POST',
            '/api/v1/deployments/other/feedback',
            { items: [{ id: ids[0], label: 1 }] },
            viewer,
          )
        ).status,
      ).toBe(404);
    });
  });

  it('seals webhook secrets at rest and never returns them after creation', async () => {
    const hook = (await api.call('POST', `/api/v1/pipelines/${pipelineId}/webhooks`, {})).json;
    expect(hook.secret).toMatch(/^whsec_/);
    const listed = (await api.call('GET', `/api/v1/pipelines/${pipelineId}/webhooks`)).json;
    expect(JSON.stringify(listed)).not.toContain(hook.secret.slice(6));
    expect(listed[0]).not.toHaveProperty('secret');
    expect(listed[0]).not.toHaveProperty('secretKeyId');
    const body = JSON.stringify({ n: 1 });
    const ts = Math.floor(Date.now() / 1000);
    const delivered = await fetch(`${api.url}/api/v1/hooks/${hook.id}`, {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'webhook-id': 'm1',
        'webhook-timestamp': String(ts),
        'webhook-signature': signWebhook(hook.secret, 'm1', ts, body),
      },
    });
    expect(delivered.status).toBe(202);
    if (usePostgres) {
      const rows = await query(`SELECT secret, secret_key_id FROM webhooks WHERE id = $1`, [hook.id]);
      expect(rows[0]!.secret).toMatch(/^kiln-sealed:v1:local-[0-9a-f]{8}:/);
      expect(rows[0]!.secret).not.toContain(hook.secret.slice(6, 20));
    }
  });

  const query = async (text: string, values: unknown[] = []): Promise<Record<string, string | null>[]> => {
    const db = await openDatabase({ url: postgres.url });
    try {
      return await db.query(text, values);
    } finally {
      await db.destroy();
    }
  };

  it.runIf(usePostgres)(
    'seals plaintext secrets from before sealing, and re-seals on key rotation',
    async () => {
      const hook = (await api.call('POST', `/api/v1/pipelines/${pipelineId}/webhooks`, {})).json;
      // A row as written before migration 0004: the secret in plaintext.
      await query(`UPDATE webhooks SET secret = $1, secret_key_id = NULL WHERE id = $2`, [
        hook.secret,
        hook.id,
      ]);
      await api.stop();
      const oldKey = randomBytes(32).toString('base64');
      const newKey = randomBytes(32).toString('hex');
      const deliver = async (secret: string, id: string) => {
        const ts = Math.floor(Date.now() / 1000);
        return (
          await fetch(`${api.url}/api/v1/hooks/${hook.id}`, {
            method: 'POST',
            body: '{}',
            headers: {
              'content-type': 'application/json',
              'webhook-id': id,
              'webhook-timestamp': String(ts),
              'webhook-signature': signWebhook(secret, id, ts, '{}'),
            },
          })
        ).status;
      };
      api = await startApiProcess({
        temporalAddress: h.address,
        databaseUrl: postgres.url,
        env: { KILN_SECRET_KEY: `old:${oldKey}` },
      });
      let rows = await query(`SELECT secret, secret_key_id FROM webhooks WHERE id = $1`, [hook.id]);
      expect(rows[0]).toMatchObject({
        secret_key_id: 'old',
        secret: expect.stringMatching(/^kiln-sealed:v1:old:/),
      });
      expect(await deliver(hook.secret, 'r1')).toBe(202);
      // Rotation: the new key first, the old one still listed; at start every row moves to the new key.
      await api.stop();
      api = await startApiProcess({
        temporalAddress: h.address,
        databaseUrl: postgres.url,
        env: { KILN_SECRET_KEY: `new:${newKey},old:${oldKey}` },
      });
      rows = await query(`SELECT secret_key_id FROM webhooks WHERE id = $1`, [hook.id]);
      expect(rows[0]!.secret_key_id).toBe('new');
      expect(await deliver(hook.secret, 'r2')).toBe(202);
      // Without the key that sealed a row: 503 naming the cause (rows stay as they are).
      await api.stop();
      api = await startApiProcess({
        temporalAddress: h.address,
        databaseUrl: postgres.url,
        env: { KILN_SECRET_KEY: `other:${oldKey}` },
      });
      expect(await deliver(hook.secret, 'r3')).toBe(503);
      expect(api.logs()).toContain('which KILN_SECRET_KEY does not list');
    },
  );
});
