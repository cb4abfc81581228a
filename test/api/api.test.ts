import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { resolve } from 'node:path';
import { signWebhook } from '@kiln/api';
import { NO_JSON_ANSWER, RESPONSES, runEvents } from '@kiln/api-types';
import { type PostgresServer, startPostgres } from '@kiln/db';
import { FolderArtifactStore } from '@kiln/artifacts';
import { type Harness, cmd, openHarness, spec, tempDir } from '../support/harness';
import { type ApiProcess, eventually, startApiProcess } from '../support/api-process';
import { kiln } from '../support/kiln-process';

const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const diamond = () => JSON.parse(readFileSync(resolve(EXAMPLES, 'diamond/diamond.json'), 'utf8'));

let h: Harness;
let postgres: PostgresServer;
// The workers and the APIs share one artifact store, where large specs are kept by digest.
const artifactsDir = tempDir('kiln-api-artifacts-');
beforeAll(async () => {
  h = await openHarness({ artifactsDir });
  postgres = await startPostgres();
});
afterAll(async () => {
  await h?.close();
  await postgres?.stop();
});

describe.each([
  ['embedded PostgreSQL (PGlite)', false],
  ['a PostgreSQL server', true],
])('the API on %s', (_db, usePostgres) => {
  let api: ApiProcess;
  let editor: string;
  let viewer: string;
  beforeAll(async () => {
    // These cases drive the API with core.command pipelines, saved by editors and started by webhooks
    // (which carry no role): user code enabled for any starter. test/security covers the defaults.
    api = await startApiProcess({
      temporalAddress: h.address,
      artifactsDir,
      ...(usePostgres ? { databaseUrl: postgres.url } : {}),
      env: { KILN_ALLOW_USER_CODE: 'true', KILN_USER_CODE_ROLES: '*' },
    });
    editor = (await api.call('POST', '/api/v1/tokens', { name: 'ed', role: 'editor' })).json.token;
    viewer = (await api.call('POST', '/api/v1/tokens', { name: 'vi', role: 'viewer' })).json.token;
  });
  afterAll(() => api?.stop());

  const createPipeline = async (value: unknown) => {
    const res = await api.call('POST', '/api/v1/pipelines', { spec: value }, editor);
    expect(res.status, JSON.stringify(res.json)).toBe(201);
    return res.json.id as string;
  };
  const waitRun = (runId: string, status = 'succeeded') =>
    eventually(async () => {
      const r = await api.call('GET', `/api/v1/runs/${runId}`);
      return r.json.status !== 'running' ? r.json : undefined;
    }, 60_000, `run ${runId}`).then((run) => {
      expect(run.status, JSON.stringify(run.state?.nodes ?? run)).toBe(status);
      return run;
    });

  it('creates, versions, lists and archives pipelines', async () => {
    const first = diamond();
    first.name = `crud-${usePostgres}`;
    const id = await createPipeline(first);
    const same = await api.call('PUT', `/api/v1/pipelines/${id}`, { spec: first }, editor);
    expect(same.json).toEqual({ id, version: 1, created: false, layoutChanged: false });
    const changed = { ...first, description: 'second version' };
    expect((await api.call('PUT', `/api/v1/pipelines/${id}`, { spec: changed }, editor)).json).toEqual({ id, version: 2, created: true, layoutChanged: false });
    const got = await api.call('GET', `/api/v1/pipelines/${id}`, undefined, viewer);
    expect(got.json).toMatchObject({ id, name: first.name, latestVersion: 2, spec: { description: 'second version' } });
    const versions = await api.call('GET', `/api/v1/pipelines/${id}/versions`);
    expect(versions.json.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const v1 = await api.call('GET', `/api/v1/pipelines/${id}/versions/1`);
    expect(v1.json.spec).toEqual(first);
    expect(v1.json.hash).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((await api.call('POST', '/api/v1/pipelines', { spec: first }, editor)).status).toBe(409);
    expect((await api.call('GET', '/api/v1/pipelines')).json.map((p: { id: string }) => p.id)).toContain(id);
    expect((await api.call('DELETE', `/api/v1/pipelines/${id}`, undefined, editor)).status).toBe(204);
    expect((await api.call('GET', '/api/v1/pipelines')).json.map((p: { id: string }) => p.id)).not.toContain(id);
    expect((await api.call('GET', `/api/v1/pipelines/${id}`)).json.archivedAt).toBeTruthy();
    // The name is free again; the archived pipeline's history stays.
    await createPipeline(first);
    expect((await api.call('GET', `/api/v1/pipelines/${id}/versions/2`)).status).toBe(200);
  });

  it('keeps node positions apart from versions: moving nodes saves the layout and makes no version', async () => {
    const bare = diamond();
    bare.name = `layout-${usePostgres}`;
    for (const n of bare.nodes) delete n.position;
    const id = await createPipeline(bare);
    // Opened as applied: the spec as registered, no positions invented.
    expect((await api.call('GET', `/api/v1/pipelines/${id}`)).json.spec).toEqual(bare);
    const placed = structuredClone(bare);
    placed.nodes.forEach((n: { position?: { x: number; y: number } }, i: number) => (n.position = { x: i * 300, y: 40 }));
    const saved = await api.call('PUT', `/api/v1/pipelines/${id}`, { spec: placed }, editor);
    expect(saved.json).toEqual({ id, version: 1, created: false, layoutChanged: true });
    expect((await api.call('GET', `/api/v1/pipelines/${id}/versions`)).json).toHaveLength(1);
    const got = await api.call('GET', `/api/v1/pipelines/${id}`);
    expect(got.json).toMatchObject({ latestVersion: 1, spec: placed });
    expect(got.json.layout).toBeUndefined();
    // The same positions again change nothing; a spec without positions keeps the layout.
    expect((await api.call('PUT', `/api/v1/pipelines/${id}`, { spec: placed }, editor)).json).toEqual({ id, version: 1, created: false, layoutChanged: false });
    expect((await api.call('PUT', `/api/v1/pipelines/${id}`, { spec: bare }, editor)).json).toEqual({ id, version: 1, created: false, layoutChanged: false });
    // A real change is a version; its spec is stored without positions and drawn with the layout.
    const changed = { ...placed, description: 'changed' };
    expect((await api.call('PUT', `/api/v1/pipelines/${id}`, { spec: changed }, editor)).json).toEqual({ id, version: 2, created: true, layoutChanged: false });
    expect((await api.call('GET', `/api/v1/pipelines/${id}/versions/2`)).json.spec).toEqual(changed);
    const hashes = (await api.call('GET', `/api/v1/pipelines/${id}/versions`)).json.map((v: { hash: string }) => v.hash);
    expect(new Set(hashes).size).toBe(2);
  });

  it('refuses invalid specs with every problem, and validates on request', async () => {
    const bad = { apiVersion: 'kiln/v1', name: 'bad', nodes: [{ id: 'a', type: 'core.nope' }, { id: 'a', type: 'core.noop' }], edges: [{ from: 'a', to: 'zz' }] };
    const res = await api.call('POST', '/api/v1/pipelines', { spec: bad }, editor);
    expect(res.status).toBe(422);
    expect(res.json.problems.map((p: { path: string }) => p.path)).toEqual(['nodes[1].id', 'nodes[0].type', 'edges[0].to']);
    const validated = await api.call('POST', '/api/v1/validate', { spec: bad });
    expect(validated.status).toBe(200);
    expect(validated.json.ok).toBe(false);
    expect(validated.json.problems).toEqual(res.json.problems);
  });

  it('serves the node catalog from the node definitions', async () => {
    const types = (await api.call('GET', '/api/v1/node-types', undefined, viewer)).json;
    const command = types.find((t: { type: string }) => t.type === 'core.command');
    expect(command).toMatchObject({ category: 'core', outputs: { stdout: { type: 'Json' } }, paramsJsonSchema: { required: ['command'] } });
    // Each port comes with the JSON Schema of the values it carries.
    const evaluate = types.find((t: { type: string }) => t.type === 'evaluate.model');
    expect(evaluate.inputs.model).toMatchObject({ type: 'Model', schema: { type: 'object', properties: { task: { enum: ['binary', 'multiclass', 'regression'] } } } });
    expect(evaluate.inputs.dataset.schema.required).toEqual(expect.arrayContaining(['artifact', 'schema', 'rowCount', 'stats']));
  });

  it('runs a pipeline over HTTP, with node states visible while it runs', async () => {
    const id = await createPipeline(
      spec(`live-${usePostgres}`, [cmd('first', 'echo one'), cmd('slow', 'sleep 2; echo two'), cmd('last', 'echo $X', { params: { command: 'echo $X', env: { X: { $param: 'x' } } } })], [
        { from: 'first', to: 'slow' },
        { from: 'slow', to: 'last' },
      ], { params: { type: 'object', properties: { x: { type: 'string', default: 'dflt' } } } }),
    );
    const started = await api.call('POST', `/api/v1/pipelines/${id}/runs`, { params: { x: 'given' } }, editor);
    expect(started.status).toBe(201);
    const runId = started.json.runId;
    const live = await eventually(async () => {
      const r = await api.call('GET', `/api/v1/runs/${runId}`);
      // Running in the workflow's state, and its activity pending on Temporal (which `live` comes from).
      return r.json.state?.nodes?.slow?.status === 'running' && r.json.state.nodes.slow.live ? r.json : undefined;
    });
    expect(live.status).toBe('running');
    expect(live.state.nodes.first.status).toBe('succeeded');
    expect(live.state.nodes.last.status).toBe('pending');
    expect(live.state.nodes.slow.live).toMatchObject({ attempt: 1 });
    const done = await waitRun(runId);
    expect(done.state.nodes.last.outputs.stdout).toBe('given\n');
    const listed = await api.call('GET', `/api/v1/runs?pipelineId=${id}&status=succeeded&trigger=api`);
    expect(listed.json.map((r: { id: string }) => r.id)).toEqual([runId]);
    // A re-run starts the same version with the same params.
    const rerun = await api.call('POST', `/api/v1/runs/${runId}/rerun`, undefined, editor);
    const again = await waitRun(rerun.json.runId);
    expect(again).toMatchObject({ trigger: 'rerun', version: 1, params: { x: 'given' }, source: runId });
  });

  it('streams node state changes as server-sent events, in order, ending with the run status', async () => {
    const id = await createPipeline(spec(`sse-${usePostgres}`, [cmd('a', 'sleep 0.5'), cmd('b', 'sleep 0.5')], [{ from: 'a', to: 'b' }]));
    const runId = (await api.call('POST', `/api/v1/pipelines/${id}/runs`, {}, editor)).json.runId;
    const res = await fetch(`${api.url}/api/v1/runs/${runId}/events`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const text = await res.text();
    const events = text
      .split('\n\n')
      .filter((block) => block.includes('event:'))
      .map((block) => ({
        event: /event: (\w+)/.exec(block)![1],
        data: JSON.parse(/data: (.*)/.exec(block)![1]!),
        id: Number(/id: (\d+)/.exec(block)![1]),
      }));
    expect(events.map((e) => e.id)).toEqual(events.map((_, i) => i + 1));
    // Each event's data is what @kiln/api-types says it is (the studio parses them with these schemas).
    for (const e of events) expect(runEvents[e.event as keyof typeof runEvents].strict().safeParse(e.data).error).toBeUndefined();
    const seq = events.filter((e) => e.event === 'node').map((e) => `${e.data.nodeId}:${e.data.status}`);
    expect(seq.indexOf('b:running')).toBeGreaterThan(seq.indexOf('a:succeeded'));
    expect(seq.indexOf('b:succeeded')).toBeGreaterThan(seq.indexOf('b:running'));
    expect(events.at(-1)).toMatchObject({ event: 'end', data: { runId, status: 'succeeded' } });
  });

  it('cancels a run', async () => {
    const id = await createPipeline(spec(`cancel-${usePostgres}`, [cmd('sleepy', 'sleep 60')]));
    const runId = (await api.call('POST', `/api/v1/pipelines/${id}/runs`, {}, editor)).json.runId;
    await eventually(async () => (await api.call('GET', `/api/v1/runs/${runId}`)).json.state?.nodes?.sleepy?.status === 'running');
    expect((await api.call('POST', `/api/v1/runs/${runId}/cancel`, undefined, editor)).status).toBe(202);
    const run = await waitRun(runId, 'cancelled');
    expect(run.state.nodes.sleepy.status).toBe('cancelled');
    expect((await api.call('POST', `/api/v1/runs/${runId}/cancel`, undefined, editor)).status).toBe(409);
  });

  it('approves and rejects a waiting approval gate over HTTP', async () => {
    const id = await createPipeline(
      spec(`gate-${usePostgres}`, [{ id: 'review', type: 'gate.approval' }, cmd('ship', 'echo shipped')], [{ from: 'review', to: 'ship' }]),
    );
    const waiting = async (runId: string) =>
      eventually(async () => (await api.call('GET', `/api/v1/runs/${runId}`)).json.state?.nodes?.review?.status === 'running');
    const first = (await api.call('POST', `/api/v1/pipelines/${id}/runs`, {}, editor)).json.runId;
    await waiting(first);
    expect((await api.call('POST', `/api/v1/runs/${first}/nodes/ship/approve`, {}, editor)).status).toBe(409);
    expect((await api.call('POST', `/api/v1/runs/${first}/nodes/review/approve`, { comment: 'ok' }, viewer)).status).toBe(403);
    expect((await api.call('POST', `/api/v1/runs/${first}/nodes/review/approve`, { comment: 'ok' }, editor)).status).toBe(202);
    const approved = await waitRun(first);
    expect(approved.state.nodes.review.outputs.decision).toMatchObject({ decision: 'approved', by: 'ed', comment: 'ok' });
    expect(approved.state.nodes.ship.status).toBe('succeeded');

    const second = (await api.call('POST', `/api/v1/pipelines/${id}/runs`, {}, editor)).json.runId;
    await waiting(second);
    expect((await api.call('POST', `/api/v1/runs/${second}/nodes/review/reject`, { comment: 'not yet' }, editor)).status).toBe(202);
    const rejected = await waitRun(second);
    expect(rejected.state.nodes.ship).toMatchObject({ status: 'skipped', reason: 'rejected by ed: not yet' });
  });

  it('schedules runs: trigger now, a short interval, pause, backfill', async () => {
    const id = await createPipeline(spec(`sched-${usePostgres}`, [cmd('tick', 'echo tick')]));
    const bad = await api.call('POST', `/api/v1/pipelines/${id}/schedules`, { cron: 'every day at noon' }, editor);
    expect(bad.status).toBe(400);
    expect(bad.json.message).toContain('cron "every day at noon"');
    const hourly = await api.call('POST', `/api/v1/pipelines/${id}/schedules`, { cron: '0 * * * *', timezone: 'Europe/Paris' }, editor);
    expect(hourly.status).toBe(201);
    expect(hourly.json.nextTimes).toHaveLength(5);
    const scheduleId = hourly.json.id;
    // Two triggers in the same second are two runs.
    const triggered = await Promise.all([1, 2].map(() => api.call('POST', `/api/v1/schedules/${scheduleId}/trigger`, undefined, editor)));
    expect(triggered.map((t) => t.status)).toEqual([202, 202]);
    expect(new Set(triggered.map((t) => t.json.runId)).size).toBe(2);
    for (const t of triggered) expect((await waitRun(t.json.runId)).trigger).toBe('schedule');
    // A new version of the pipeline: the schedule follows it.
    const v2 = await api.call('PUT', `/api/v1/pipelines/${id}`, { spec: spec(`sched-${usePostgres}`, [cmd('tick', 'echo tock')]) }, editor);
    expect(v2.json.version).toBe(2);
    const third = await api.call('POST', `/api/v1/schedules/${scheduleId}/trigger`, undefined, editor);
    expect((await waitRun(third.json.runId)).version).toBe(2);
    const paused = await api.call('POST', `/api/v1/schedules/${scheduleId}/pause`, undefined, editor);
    expect(paused.json.paused).toBe(true);
    // Backfill three hours: three more runs.
    const to = new Date(Math.floor(Date.now() / 3600_000) * 3600_000 - 1000);
    const from = new Date(to.getTime() - 3 * 3600_000);
    const back = await api.call('POST', `/api/v1/schedules/${scheduleId}/backfill`, { from: from.toISOString(), to: to.toISOString() }, editor);
    expect(back.status).toBe(202);
    await eventually(async () => {
      const runs = (await api.call('GET', `/api/v1/runs?pipelineId=${id}&trigger=schedule`)).json;
      return runs.length >= 6 && runs;
    });
    expect((await api.call('DELETE', `/api/v1/schedules/${scheduleId}`, undefined, editor)).status).toBe(204);

    const every2s = await api.call('POST', `/api/v1/pipelines/${id}/schedules`, { cron: '@every 2s', overlap: 'allow_all' }, editor);
    expect(every2s.status, JSON.stringify(every2s.json)).toBe(201);
    const before = (await api.call('GET', `/api/v1/runs?pipelineId=${id}&trigger=schedule`)).json.length;
    await eventually(async () => (await api.call('GET', `/api/v1/runs?pipelineId=${id}&trigger=schedule`)).json.length >= before + 2, 30_000);
    await api.call('DELETE', `/api/v1/schedules/${every2s.json.id}`, undefined, editor);
  });

  // Once (on PGlite): the path does not depend on the database.
  it.runIf(!usePostgres)('schedules a pipeline over the inline spec limit by digest, on create and on update', async () => {
    // 30 × 9,000-character node descriptions: a spec over INLINE_SPEC_BYTES (256 KiB).
    const big = (word: string) =>
      spec('sched-big', [cmd('tick', `echo ${word}`), ...Array.from({ length: 30 }, (_, i) => ({ id: `pad${i}`, type: 'core.noop', description: `${word} `.repeat(1800) }))]);
    const id = await createPipeline(big('tick'));
    const created = await api.call('POST', `/api/v1/pipelines/${id}/schedules`, { cron: '0 * * * *' }, editor);
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const scheduleId = created.json.id as string;
    const actionInput = async () => {
      const described = await h.client.schedule.getHandle(scheduleId).describe();
      if (described.action.type !== 'startWorkflow') throw new Error('not a workflow action');
      return described.action.args![0] as { spec?: unknown; specRef?: { digest: string; length: number }; startedBy?: unknown };
    };
    const first = await actionInput();
    expect(first.spec).toBeUndefined();
    expect(first.specRef?.digest).toMatch(/^sha256:/);
    expect(first.specRef!.length).toBeGreaterThan(256 * 1024);
    expect(first.startedBy).toMatchObject({ name: 'ed', role: 'editor' });

    // A fire of the schedule itself (a backfill of the last hour) runs the spec read back by digest.
    // Each fire at its own past hour: the workflow id ends with the fire's nominal time.
    const fired = async (word: string, hoursAgo: number) => {
      const before = new Set((await api.call('GET', `/api/v1/runs?pipelineId=${id}&trigger=schedule`)).json.map((r: { id: string }) => r.id));
      const to = new Date((Math.floor(Date.now() / 3600_000) - hoursAgo + 1) * 3600_000 - 1000);
      const back = await api.call('POST', `/api/v1/schedules/${scheduleId}/backfill`, { from: new Date(to.getTime() - 3600_000).toISOString(), to: to.toISOString() }, editor);
      expect(back.status).toBe(202);
      const runs = await eventually(async () => {
        const all = (await api.call('GET', `/api/v1/runs?pipelineId=${id}&trigger=schedule`)).json as { id: string }[];
        return all.filter((r) => !before.has(r.id)).length > 0 && all.filter((r) => !before.has(r.id));
      });
      const run = await waitRun(runs[0]!.id);
      expect(run.state.nodes.tick.outputs.stdout).toBe(`${word}\n`);
      return run;
    };
    expect((await fired('tick', 1)).version).toBe(1);

    // A new version: the schedule follows it, again by digest.
    const v2 = await api.call('PUT', `/api/v1/pipelines/${id}`, { spec: big('tock') }, editor);
    expect(v2.json.version).toBe(2);
    const second = await actionInput();
    expect(second.spec).toBeUndefined();
    expect(second.specRef?.digest).toMatch(/^sha256:/);
    expect(second.specRef?.digest).not.toBe(first.specRef?.digest);
    expect((await fired('tock', 2)).version).toBe(2);
    expect((await api.call('DELETE', `/api/v1/schedules/${scheduleId}`, undefined, editor)).status).toBe(204);
  });

  it('starts runs from signed webhooks, once per webhook-id, and refuses bad signatures', async () => {
    const id = await createPipeline(
      spec(`hook-${usePostgres}`, [{ id: 'greet', type: 'core.command', params: { command: 'echo "$WHO"', env: { WHO: { $param: 'who' } } } }], [], {
        params: { type: 'object', properties: { who: { type: 'string' } }, required: ['who'] },
      }),
    );
    const hook = await api.call('POST', `/api/v1/pipelines/${id}/webhooks`, { paramMapping: { who: 'user.name' } }, editor);
    expect(hook.status).toBe(201);
    expect(hook.json.secret).toMatch(/^whsec_/);
    const listed = await api.call('GET', `/api/v1/pipelines/${id}/webhooks`);
    expect(JSON.stringify(listed.json)).not.toContain(hook.json.secret);
    const path = new URL(hook.json.url).pathname;
    const deliver = (msgId: string, body: string, opts: { ts?: number; secret?: string; omit?: boolean } = {}) => {
      const ts = opts.ts ?? Math.floor(Date.now() / 1000);
      return fetch(`${api.url}${path}`, {
        method: 'POST',
        headers: opts.omit
          ? { 'content-type': 'application/json' }
          : {
              'content-type': 'application/json',
              'webhook-id': msgId,
              'webhook-timestamp': String(ts),
              'webhook-signature': signWebhook(opts.secret ?? hook.json.secret, msgId, ts, body),
            },
        body,
      });
    };
    const body = JSON.stringify({ user: { name: 'ada' } });
    const ok = await deliver('msg_1', body);
    expect(ok.status).toBe(202);
    const { runId } = (await ok.json()) as { runId: string };
    const run = await waitRun(runId);
    expect(run).toMatchObject({ trigger: 'webhook', source: hook.json.id });
    expect(run.state.nodes.greet.outputs.stdout).toBe('ada\n');

    const count = async () => (await api.call('GET', `/api/v1/runs?pipelineId=${id}`)).json.length;
    expect(await count()).toBe(1);
    expect((await deliver('msg_2', body, { secret: 'whsec_d3Jvbmc=' })).status).toBe(401);
    expect((await deliver('msg_3', body, { ts: Math.floor(Date.now() / 1000) - 600 })).status).toBe(401);
    expect((await deliver('msg_4', body, { omit: true })).status).toBe(401);
    const tampered = await fetch(`${api.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'webhook-id': 'msg_5', 'webhook-timestamp': String(Math.floor(Date.now() / 1000)), 'webhook-signature': signWebhook(hook.json.secret, 'msg_5', Math.floor(Date.now() / 1000), body) },
      body: body.replace('ada', 'eve'),
    });
    expect(tampered.status).toBe(401);
    const missing = await deliver('msg_6', JSON.stringify({ user: {} }));
    expect(missing.status).toBe(422);
    expect(await count()).toBe(1);

    // 50 concurrent deliveries of one webhook-id: exactly one run.
    const deliveries = await Promise.all(Array.from({ length: 50 }, () => deliver('msg_same', body)));
    expect(deliveries.map((d) => d.status)).toEqual(Array(50).fill(202));
    const ids = new Set(await Promise.all(deliveries.map(async (d) => ((await d.json()) as { runId: string }).runId)));
    expect(ids.size).toBe(1);
    await waitRun([...ids][0]!);
    expect(await count()).toBe(2);
    // And later, still the same run.
    const late = await deliver('msg_same', body);
    expect(((await late.json()) as { runId: string }).runId).toBe([...ids][0]);
  });

  it('enforces roles on every endpoint', async () => {
    const pid = await createPipeline(spec(`authz-${usePostgres}`, [{ id: 'n', type: 'core.noop' }]));
    const routes: [string, string, 'public' | 'viewer' | 'editor' | 'admin', unknown?][] = [
      ['GET', '/healthz', 'public'],
      ['GET', '/readyz', 'public'],
      ['GET', '/metrics', 'viewer'],
      ['GET', '/api/v1/node-types', 'viewer'],
      ['POST', '/api/v1/validate', 'editor', { spec: {} }],
      ['GET', '/api/v1/pipelines', 'viewer'],
      ['GET', `/api/v1/pipelines/${pid}`, 'viewer'],
      ['POST', '/api/v1/pipelines', 'editor', {}],
      ['PUT', `/api/v1/pipelines/${pid}`, 'editor', {}],
      ['GET', `/api/v1/pipelines/${pid}/versions`, 'viewer'],
      ['POST', `/api/v1/pipelines/${pid}/runs`, 'editor', { params: 'x' }],
      ['GET', '/api/v1/runs', 'viewer'],
      ['GET', '/api/v1/schedules', 'viewer'],
      ['POST', `/api/v1/pipelines/${pid}/schedules`, 'editor', {}],
      ['POST', `/api/v1/pipelines/${pid}/webhooks`, 'editor', { paramMapping: 5 }],
      ['GET', '/api/v1/tokens', 'admin'],
      ['POST', '/api/v1/tokens', 'admin', {}],
      ['GET', '/api/v1/audit', 'admin'],
    ];
    const tokens = { none: null, viewer, editor, admin: api.adminToken } as const;
    const rank = { public: -1, none: -1, viewer: 0, editor: 1, admin: 2 } as const;
    for (const [method, path, need, body] of routes) {
      for (const [who, token] of Object.entries(tokens)) {
        const res = await api.call(method, path, body, token);
        const allowed = rank[who as keyof typeof rank] >= rank[need];
        if (allowed) expect([401, 403], `${who} ${method} ${path}`).not.toContain(res.status);
        else expect(res.status, `${who} ${method} ${path}`).toBe(who === 'none' ? 401 : 403);
      }
    }
    expect((await api.call('GET', '/api/v1/pipelines', undefined, 'kiln_wrong')).status).toBe(401);
  });

  it('validates bodies, strips unknown fields, and refuses oversized bodies', async () => {
    const pid = await createPipeline(spec(`bodies-${usePostgres}`, [{ id: 'n', type: 'core.noop' }], [], { params: { type: 'object', properties: { n: { type: 'integer' } } } }));
    const table: [string, string, unknown, number][] = [
      ['POST', '/api/v1/pipelines', {}, 400],
      ['POST', '/api/v1/pipelines', { spec: 5 }, 422],
      ['POST', '/api/v1/pipelines', 'not json', 400],
      ['POST', `/api/v1/pipelines/${pid}/runs`, { params: 'x' }, 400],
      ['POST', `/api/v1/pipelines/${pid}/runs`, { params: { n: 'x' } }, 422],
      ['POST', `/api/v1/pipelines/${pid}/runs`, { params: { nope: 1 } }, 422],
      ['POST', `/api/v1/pipelines/${pid}/runs`, { version: 99 }, 404],
      ['POST', `/api/v1/pipelines/${pid}/schedules`, { cron: '0 * * * *', overlap: 'sometimes' }, 400],
      ['POST', `/api/v1/pipelines/${pid}/schedules`, { cron: '0 * * * *', timezone: 'Mars/Olympus' }, 400],
      ['POST', '/api/v1/tokens', { name: 'x', role: 'root' }, 400],
      ['GET', '/api/v1/pipelines/not-a-uuid', undefined, 400],
      ['GET', '/api/v1/runs?limit=0', undefined, 400],
      ['GET', '/api/v1/runs/no-such-run', undefined, 404],
    ];
    for (const [method, path, body, status] of table) {
      const res = await api.call(method, path, body, api.adminToken);
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}: ${JSON.stringify(res.json)}`).toBe(status);
      expect(typeof res.json.message).toBe('string');
    }
    // Mass assignment: extra fields are ignored, not stored.
    const token = await api.call('POST', '/api/v1/tokens', { name: 'plain', role: 'viewer', id: '00000000-0000-0000-0000-000000000000', digest: 'x', createdBy: 'mallory' });
    expect(token.status).toBe(201);
    expect(token.json.id).not.toBe('00000000-0000-0000-0000-000000000000');
    const listed = (await api.call('GET', '/api/v1/tokens')).json.find((t: { id: string }) => t.id === token.json.id);
    expect(listed.createdBy).not.toBe('mallory');
    const run = await api.call('POST', `/api/v1/pipelines/${pid}/runs`, { params: { n: 1 }, createdBy: 'mallory', trigger: 'drift' }, editor);
    const record = await waitRun(run.json.runId);
    expect(record).toMatchObject({ createdBy: 'ed', trigger: 'api' });
    // Like curl, announce the body (Expect: 100-continue) and send it only if the server wants it:
    // the server answers 413 from Content-Length alone.
    const huge = JSON.stringify({ spec: { name: 'x'.repeat(6 * 1024 * 1024) } });
    const { port } = new URL(api.url);
    const status = await new Promise<number>((resolveStatus) => {
      const socket = connect(Number(port), '127.0.0.1');
      let answer = '';
      socket.on('data', (chunk) => {
        answer += chunk.toString();
        for (const m of answer.matchAll(/HTTP\/1\.1 (\d{3})/g)) {
          if (m[1] === '100') continue;
          resolveStatus(Number(m[1]));
          socket.destroy();
          return;
        }
        // Node answers 100 itself; the 413 follows at once, so give it a moment before sending.
        if (answer.startsWith('HTTP/1.1 100')) setTimeout(() => socket.destroyed || socket.write(huge), 500);
      });
      socket.on('error', () => {});
      socket.write(
        `POST /api/v1/pipelines HTTP/1.1\r\nhost: 127.0.0.1\r\nauthorization: Bearer ${editor}\r\n` +
          `content-type: application/json\r\nexpect: 100-continue\r\ncontent-length: ${Buffer.byteLength(huge)}\r\n\r\n`,
      );
    });
    expect(status).toBe(413);
  });

  it('streams artifacts by digest, verified', async () => {
    const store = new FolderArtifactStore(api.artifactsDir);
    const ref = await store.put(new TextEncoder().encode('id,churn\n1,0\n'), { mediaType: 'text/csv' });
    const res = await fetch(`${api.url}/api/v1/artifacts/${ref.digest}`, { headers: { authorization: `Bearer ${viewer}` } });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('id,churn\n1,0\n');
    expect((await api.call('GET', `/api/v1/artifacts/sha256:${'0'.repeat(64)}`)).status).toBe(404);
    expect((await api.call('GET', '/api/v1/artifacts/not-a-digest')).status).toBe(400);
    expect((await api.call('GET', `/api/v1/artifacts/${ref.digest}`, undefined, null)).status).toBe(401);
  });

  it('keeps an audit log, serves OpenAPI and Prometheus metrics', async () => {
    const audit = (await api.call('GET', '/api/v1/audit?limit=1000')).json.map((a: { action: string }) => a.action);
    for (const action of ['pipeline.create', 'pipeline.update', 'pipeline.archive', 'run.start', 'run.cancel', 'run.rerun', 'run.approve', 'run.reject', 'schedule.create', 'webhook.create', 'token.create']) {
      expect(audit).toContain(action);
    }
    const openapi = await api.call('GET', '/api/openapi.json', undefined, null);
    expect(openapi.status).toBe(200);
    expect(Object.keys(openapi.json.paths)).toEqual(expect.arrayContaining(['/api/v1/pipelines', '/api/v1/hooks/{id}', '/api/v1/runs/{runId}/events']));
    // Every operation's JSON answer is documented from @kiln/api-types' RESPONSES, or it answers no JSON
    // (NO_JSON_ANSWER); a route added without its schema fails here, and so does a schema of no route.
    const operations = Object.entries(openapi.json.paths as Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>).flatMap(
      ([path, item]) => Object.entries(item).map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
    );
    const documented = operations.filter(({ op }) => Object.entries(op.responses).some(([status, r]) => status.startsWith('2') && r.content?.['application/json']?.schema));
    expect(operations.filter(({ route }) => !(route in RESPONSES) && !NO_JSON_ANSWER.has(route)).map((o) => o.route)).toEqual([]);
    expect(documented.map((o) => o.route).sort()).toEqual(Object.keys(RESPONSES).sort());
    const metrics = await api.call('GET', '/metrics', undefined, viewer);
    expect(metrics.json).toContain('kiln_http_requests_total');
    expect(metrics.json).toContain('kiln_webhook_deliveries_total{outcome="started"}');
    expect(metrics.headers.get('x-request-id')).toBeTruthy();
  });

  it('kiln apply registers a code-defined pipeline, versioning only real changes', async () => {
    const env = { KILN_API_URL: api.url, KILN_TOKEN: editor };
    const file = resolve(EXAMPLES, 'diamond/diamond.ts');
    const first = await kiln(['apply', file], { env });
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/created pipeline "diamond" \(.*\), version 1|pipeline "diamond" .*: (unchanged|new version)/);
    const second = await kiln(['apply', file], { env });
    expect(second.stdout).toMatch(/unchanged, still version \d+/);
    const denied = await kiln(['apply', file], { env: { ...env, KILN_TOKEN: viewer } });
    expect(denied.code).toBe(1);
    expect(denied.stderr).toContain('403');
  });
});

it('refuses core.command pipelines when KILN_ALLOW_COMMAND_NODES=false', async () => {
  const api = await startApiProcess({ temporalAddress: h.address, env: { KILN_ALLOW_COMMAND_NODES: 'false' } });
  try {
    const res = await api.call('POST', '/api/v1/pipelines', { spec: spec('no-shell', [cmd('x', 'rm -rf /')]) });
    expect(res.status).toBe(403);
    expect(res.json.problems[0]).toMatchObject({ path: 'nodes[0].type', nodeId: 'x', capability: 'user-code' });
    expect(res.json.problems[0].message).toContain('capability "user-code" is disabled on this instance');
  } finally {
    await api.stop();
  }
});
