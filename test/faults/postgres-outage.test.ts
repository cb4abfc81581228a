import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { signWebhook } from '@kiln/api';
import { type PostgresServer, WebhookDelivery, openDatabase, startPostgres } from '@kiln/db';
import { type Harness, openHarness } from '../support/harness';
import { type ApiProcess, eventually, startApiProcess } from '../support/api-process';

/** The bound the API promises for a dead dependency (its own: a 1.5 s connect timeout). */
const BOUND_MS = 2_000;
const OUTAGE_MS = 20_000;

let h: Harness;
let postgres: PostgresServer;
let api: ApiProcess;

beforeAll(async () => {
  postgres = await startPostgres();
  api = await startApiProcess({ temporalAddress: inject('temporalAddress'), databaseUrl: postgres.url });
  // Workers, so the runs the deliveries start also run (and the API's run sync settles them) through the outage.
  h = await openHarness({ artifactsDir: api.artifactsDir });
}, 180_000);

afterAll(async () => {
  await api?.stop();
  await h?.close();
  await postgres?.stop();
});

/** Runs `fn` on every item, 8 at a time. */
async function inBatches<T>(items: T[], fn: (item: T) => Promise<unknown>) {
  for (let i = 0; i < items.length; i += 8) await Promise.all(items.slice(i, i + 8).map(fn));
}

interface Outcome {
  what: string;
  startedAt: number;
  endedAt: number;
  status: number;
  body: any;
  retryAfter: string | null;
}

it('answers 503 (not 500) within 2 s while PostgreSQL is down for 20 s under load, recovers, and loses no accepted webhook delivery', async () => {
  const pipeline = await api.call('POST', '/api/v1/pipelines', {
    spec: {
      apiVersion: 'kiln/v1',
      name: 'pg-outage',
      params: { type: 'object', properties: { n: { type: 'integer' } } },
      nodes: [{ id: 'a', type: 'core.noop' }],
    },
  });
  expect(pipeline.status, JSON.stringify(pipeline.json)).toBe(201);
  const hook = await api.call('POST', `/api/v1/pipelines/${pipeline.json.id}/webhooks`, {
    paramMapping: { n: 'n' },
  });
  expect(hook.status, JSON.stringify(hook.json)).toBe(201);

  const outcomes: Outcome[] = [];
  const deliveries = new Map<string, Outcome[]>();
  const request = async (what: string, path: string, init: RequestInit): Promise<Outcome> => {
    const startedAt = Date.now();
    const res = await fetch(`${api.url}${path}`, { ...init, signal: AbortSignal.timeout(30_000) });
    const text = await res.text();
    const outcome = {
      what,
      startedAt,
      endedAt: Date.now(),
      status: res.status,
      body: text ? JSON.parse(text) : undefined,
      retryAfter: res.headers.get('retry-after'),
    };
    outcomes.push(outcome);
    return outcome;
  };
  const deliver = async (msgId: string, n: number) => {
    const body = JSON.stringify({ n });
    const ts = Math.floor(Date.now() / 1000);
    const outcome = await request('delivery', `/api/v1/hooks/${hook.json.id}`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'webhook-id': msgId,
        'webhook-timestamp': String(ts),
        'webhook-signature': signWebhook(hook.json.secret, msgId, ts, body),
      },
      body,
    });
    deliveries.set(msgId, [...(deliveries.get(msgId) ?? []), outcome]);
    return outcome;
  };
  const auth = { authorization: `Bearer ${api.adminToken}` };
  const reads = [
    `/api/v1/runs?limit=5`,
    `/api/v1/pipelines/${pipeline.json.id}`,
    `/api/v1/pipelines/${pipeline.json.id}/webhooks`,
  ];

  // Load: a delivery every 250 ms and a read every 100 ms, each awaited by its own loop, until told to stop.
  let stop = false;
  let sent = 0;
  const load = Promise.all([
    (async () => {
      while (!stop) {
        const i = sent++;
        await deliver(`msg_${i}`, i);
        await new Promise((r) => setTimeout(r, 250));
      }
    })(),
    (async () => {
      for (let i = 0; !stop; i++) {
        await request('read', reads[i % reads.length]!, { headers: auth });
        await new Promise((r) => setTimeout(r, 100));
      }
    })(),
  ]);

  await new Promise((r) => setTimeout(r, 2_000));
  await postgres.down();
  const downAt = Date.now();
  await new Promise((r) => setTimeout(r, OUTAGE_MS));
  const resumingAt = Date.now();
  await postgres.up();
  await eventually(
    async () => (await api.call('GET', '/readyz')).status === 200,
    60_000,
    'readyz after PostgreSQL is back',
  );
  const recoveredAt = Date.now();
  console.log(
    `faults: PostgreSQL down ${resumingAt - downAt} ms, API ready again ${recoveredAt - resumingAt} ms after it was back`,
  );
  await new Promise((r) => setTimeout(r, 2_000));
  stop = true;
  await load;

  // Never a 500, and never any other 5xx than a 503.
  const failures = outcomes.filter((o) => o.status >= 500 && o.status !== 503);
  expect(failures, JSON.stringify(failures.slice(0, 3))).toEqual([]);
  // While it was down (requests that started after it stopped and ended before it came back): all
  // 503 naming the database, with Retry-After, within the bound.
  const during = outcomes.filter((o) => o.startedAt >= downAt && o.endedAt <= resumingAt);
  expect(during.length).toBeGreaterThan(50);
  for (const o of during) {
    expect(o, JSON.stringify(o)).toMatchObject({
      status: 503,
      body: { statusCode: 503, dependency: 'database' },
      retryAfter: '5',
    });
    expect(o.endedAt - o.startedAt).toBeLessThan(BOUND_MS);
  }
  // Before and after: served.
  const before = outcomes.filter((o) => o.endedAt < downAt - 200);
  const after = outcomes.filter((o) => o.startedAt > recoveredAt);
  expect(before.length).toBeGreaterThan(5);
  expect(after.length).toBeGreaterThan(5);
  for (const o of [...before, ...after])
    expect(
      o.status,
      `${JSON.stringify(o)} ${o.startedAt - recoveredAt} ms after recovery\n${api.logs()}`,
    ).toBeLessThan(300);

  // A sender retries what was not accepted (as Standard Webhooks senders do); then every delivery
  // accepted, during the outage's edges included, has its run and its delivery row.
  const unaccepted = [...deliveries]
    .filter(([, tries]) => !tries.some((t) => t.status === 202))
    .map(([msgId]) => msgId);
  await inBatches(unaccepted, async (msgId) =>
    expect((await deliver(msgId, Number(msgId.slice(4)))).status).toBe(202),
  );
  console.log(`faults: ${sent} deliveries, ${outcomes.length} requests; checking them`);
  const db = await openDatabase({ url: postgres.url });
  try {
    const rows = await db.getRepository(WebhookDelivery).findBy({ webhookId: hook.json.id });
    const byMessage = new Map(rows.map((r) => [r.messageId, r.runId]));
    for (const [msgId, tries] of deliveries) {
      const accepted = tries.filter((t) => t.status === 202);
      expect(accepted.length, msgId).toBeGreaterThan(0);
      // The same message always names the same run, and that run is recorded.
      for (const t of accepted) expect(t.body.runId).toBe(byMessage.get(msgId));
    }
    expect(byMessage.size).toBe(deliveries.size);
    const runIds = [...new Set(byMessage.values())];
    const runs = (await db.query('SELECT id FROM runs WHERE id = ANY($1)', [runIds])) as { id: string }[];
    expect(runs.map((r) => r.id).sort()).toEqual(runIds.sort());
  } finally {
    await db.destroy();
  }
}, 240_000);
