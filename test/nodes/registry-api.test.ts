import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PostgresServer, startPostgres } from '@kiln/db';
import { type Harness, openHarness } from '../support/harness';
import { type ApiProcess, startApiProcess } from '../support/api-process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../support/harness';
import { kiln } from '../support/kiln-process';

// The node-type registry's contract (ARCHITECTURE.md, "Node types registered by their workers") on
// a real `kiln api`, on both databases: who may register, what is refused and why (400 naming the
// type), what the catalog then serves, and that a run needing an unserved type is refused at start.
// test/nodes/ts-nodes.test.ts runs a registered package end to end.

let h: Harness;
let postgres: PostgresServer;
beforeAll(async () => {
  h = await openHarness({ workers: false });
  postgres = await startPostgres();
});
afterAll(async () => {
  await h?.close();
  await postgres?.stop();
});

const cleanType = {
  type: 'acme.clean',
  version: 1,
  title: 'Clean rows',
  description: 'Drops rows with missing values.',
  inputs: { data: 'Dataset' },
  outputs: { data: 'Dataset', dropped: { type: 'Json', description: 'rows dropped' } },
  capabilities: [],
  paramsJsonSchema: {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    type: 'object',
    properties: { columns: { type: 'array', items: { type: 'string' } } },
    additionalProperties: false,
  },
};
const registration = (types: unknown[], more: Record<string, unknown> = {}) => ({ language: 'typescript', source: '@acme/nodes', queue: 'acme', types, ...more });

describe.each([
  ['embedded PostgreSQL (PGlite)', false],
  ['a PostgreSQL server', true],
])('the node-type registry on %s', (_db, usePostgres) => {
  let api: ApiProcess;
  let worker: string;
  let editor: string;
  beforeAll(async () => {
    api = await startApiProcess({ temporalAddress: h.address, ...(usePostgres ? { databaseUrl: postgres.url } : {}) });
    const made = await api.call('POST', '/api/v1/tokens', { name: 'acme worker', role: 'worker' });
    expect(made.status, JSON.stringify(made.json)).toBe(201);
    expect(made.json.role).toBe('worker');
    worker = made.json.token;
    editor = (await api.call('POST', '/api/v1/tokens', { name: 'ed', role: 'editor' })).json.token;
  });
  afterAll(() => api?.stop());

  it('takes a worker token for registrations and nothing else, and refuses other roles', async () => {
    expect((await api.call('PUT', '/api/v1/node-types/registrations/w1', registration([cleanType]), editor)).status).toBe(403);
    const pipelines = await api.call('GET', '/api/v1/pipelines', undefined, worker);
    expect(pipelines.status).toBe(403);
    expect(pipelines.json.message).toContain('the token has worker');
    expect((await api.call('POST', '/api/v1/tokens', { name: 'x', role: 'admin' }, worker)).status).toBe(403);
  });

  it('registers types, serves them in the catalog with their source, and renews without change', async () => {
    const put = await api.call('PUT', '/api/v1/node-types/registrations/host-1.acme', registration([cleanType]), worker);
    expect(put.status, JSON.stringify(put.json)).toBe(200);
    expect(put.json).toMatchObject({ workerId: 'host-1.acme', source: '@acme/nodes', language: 'typescript', queue: 'acme', renewSeconds: 15, types: [{ type: 'acme.clean', version: 1, status: 'registered' }] });
    const again = await api.call('PUT', '/api/v1/node-types/registrations/host-1.acme', registration([cleanType]), worker);
    expect(again.json.types).toEqual([{ type: 'acme.clean', version: 1, status: 'unchanged' }]);

    const catalog = (await api.call('GET', '/api/v1/catalog', undefined, editor)).json as any[];
    const clean = catalog.find((t) => t.type === 'acme.clean');
    expect(clean).toMatchObject({ source: '@acme/nodes', language: 'typescript', queue: 'acme', served: true, category: 'acme', title: 'Clean rows' });
    expect(clean.inputs.data.type).toBe('Dataset');
    expect(clean.outputs.dropped).toMatchObject({ type: 'Json', description: 'rows dropped' });
    expect(catalog.find((t) => t.type === 'core.noop')).toMatchObject({ source: 'builtin', language: 'typescript', served: true });
    expect((await api.call('GET', '/api/v1/node-types')).json).toEqual(catalog);

    const live = (await api.call('GET', '/api/v1/node-types/registrations')).json;
    expect(live.map((w: { workerId: string }) => w.workerId)).toContain('host-1.acme');
  });

  it('validates pipelines with registered types: ports, params against the registered JSON Schema', async () => {
    const spec = {
      apiVersion: 'kiln/v1',
      name: `uses-clean-${usePostgres}`,
      nodes: [
        { id: 'start', type: 'core.noop' },
        { id: 'clean', type: 'acme.clean', params: { columns: ['a'], extra: 1 } },
      ],
      edges: [],
    };
    const res = await api.call('POST', '/api/v1/validate', { spec }, editor);
    expect(res.json.ok).toBe(false);
    const messages = res.json.problems.map((p: { path: string; message: string }) => `${p.path}: ${p.message}`);
    expect(messages.some((m: string) => m.startsWith('nodes[1].params.extra'))).toBe(true);
    expect(messages.some((m: string) => m.includes('data') && m.includes('clean'))).toBe(true);
  });

  it('kiln validate checks against the API catalog when given one, registered types included', async () => {
    const file = join(tempDir('kiln-validate-registered-'), 'p.json');
    writeFileSync(file, JSON.stringify({ apiVersion: 'kiln/v1', name: 'v', nodes: [{ id: 'c', type: 'acme.clean', params: { columns: ['a'] } }], edges: [] }));
    const local = await kiln(['validate', file], { env: { KILN_API_URL: '' } });
    expect(local.code).toBe(2);
    expect(local.stderr).toContain('acme.clean');
    const remote = await kiln(['validate', file, '--api', api.url, '--token', editor]);
    // Its only problem is the unconnected input: the type and its params are known to the API.
    expect(remote.stderr).toContain('input "data" (Dataset) is not connected');
    expect(remote.stderr).not.toContain('unknown');
  });

  it('refuses a bad registration with 400 naming the type and the problem', async () => {
    const refuse = async (body: unknown, ...expected: string[]) => {
      const res = await api.call('PUT', '/api/v1/node-types/registrations/host-2.bad', body, worker);
      expect(res.status, JSON.stringify(res.json)).toBe(400);
      for (const text of expected) expect(res.json.message).toContain(text);
      return res.json;
    };
    // A params schema that is not a JSON Schema.
    const badSchema = await refuse(registration([{ ...cleanType, type: 'acme.broken', paramsJsonSchema: { type: 'object', properties: { n: { type: 'integr' } } } }]), 'acme.broken', 'not a valid JSON Schema');
    expect(badSchema.problems[0].path).toBe('types[0].paramsJsonSchema');
    await refuse(registration([{ ...cleanType, type: 'acme.list', paramsJsonSchema: { type: 'array' } }]), 'acme.list', 'must describe an object');
    // Shadowing a built-in, an unknown port type, an unknown capability, a bad name.
    await refuse(registration([{ ...cleanType, type: 'train.gbdt' }]), 'train.gbdt is a built-in node type');
    await refuse(registration([{ ...cleanType, inputs: { data: 'Table' } }]), 'types[0].inputs.data');
    await refuse(registration([{ ...cleanType, capabilities: ['root'] }]), 'types[0].capabilities[0]');
    await refuse(registration([{ ...cleanType, type: 'Acme Clean' }]), 'types[0].type', '<category>.<name>');
    // Another source's name, Kiln's own queues, and the builtin source.
    await refuse(registration([cleanType], { source: 'other-pkg' }), 'acme.clean is registered by @acme/nodes');
    await refuse(registration([cleanType], { queue: 'cpu' }), 'queue');
    await refuse(registration([cleanType], { source: 'builtin' }), 'source');
    // A changed definition under a version a live worker serves.
    await refuse(registration([{ ...cleanType, outputs: { data: 'Dataset' } }]), 'acme.clean version 1 differs from what live worker host-1.acme serves', 'new version');
    // Nothing of a refused registration was kept.
    const types = ((await api.call('GET', '/api/v1/catalog')).json as { type: string }[]).map((t) => t.type);
    expect(types).not.toContain('acme.broken');
    expect(types).not.toContain('acme.list');
  });

  it('keeps a type whose workers are gone, unserved, and refuses to start a run that needs it', async () => {
    const spec = {
      apiVersion: 'kiln/v1',
      name: `needs-gone-${usePostgres}`,
      nodes: [{ id: 'gone', type: 'acme.gone' }],
      edges: [],
    };
    const gone = { ...cleanType, type: 'acme.gone', inputs: {}, outputs: {}, paramsJsonSchema: { type: 'object' } };
    expect((await api.call('PUT', '/api/v1/node-types/registrations/host-3.gone', registration([gone]), worker)).status).toBe(200);
    const created = await api.call('POST', '/api/v1/pipelines', { spec }, editor);
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    expect((await api.call('DELETE', '/api/v1/node-types/registrations/host-3.gone', undefined, worker)).status).toBe(204);
    expect((await api.call('DELETE', '/api/v1/node-types/registrations/host-3.gone', undefined, worker)).status).toBe(404);

    const entry = ((await api.call('GET', '/api/v1/catalog')).json as any[]).find((t) => t.type === 'acme.gone');
    expect(entry).toMatchObject({ served: false, source: '@acme/nodes' });
    const run = await api.call('POST', `/api/v1/pipelines/${created.json.id}/runs`, { params: {} }, editor);
    expect(run.status, JSON.stringify(run.json)).toBe(409);
    expect(run.json.message).toContain('no live worker serves node type acme.gone');
    expect(run.json.problems[0]).toMatchObject({ path: 'nodes[0].type', nodeId: 'gone' });
    expect(run.json.problems[0].message).toContain('queue "acme"');

    // An admin may forget the type; a built-in cannot be removed.
    expect((await api.call('DELETE', '/api/v1/node-types/acme.gone')).status).toBe(204);
    expect((await api.call('DELETE', '/api/v1/node-types/core.noop')).status).toBe(400);
    expect((await api.call('DELETE', '/api/v1/node-types/acme.gone', undefined, editor)).status).toBe(403);
  });
});
