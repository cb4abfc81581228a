import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import { freePort } from '@kiln/engine/free-port';
import { eventually } from '../support/api-process';
import { tempDir } from '../support/harness';
import { KILN_BIN } from '../support/kiln-process';
import { waitGone } from '../support/processes';

/** The bound the API promises for a dead dependency, and a margin for a loaded test machine (the API itself bounds Temporal calls at 1.5 s). */
const BOUND_MS = 2_000;
/**
 * The supervisor's first wait before restarting Temporal: long enough to probe the API while Temporal
 * is down (six routes at about a second each, then readyz, healthz and a database read).
 */
const RESTART_BACKOFF_MS = 10_000;

let child: ChildProcess;
let out = '';
let url = '';
let token = '';

/** The pid of the Temporal dev server `kiln up` runs (a child process whose command line says `start-dev`). */
function temporalPid(parent: number): number | undefined {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('start-dev'))
        return Number(entry);
    } catch {
      // Gone meanwhile.
    }
  }
  return undefined;
}

async function call(method: string, path: string, body?: unknown) {
  const started = performance.now();
  const res = await fetch(`${url}${path}`, {
    method,
    signal: AbortSignal.timeout(30_000),
    headers: {
      authorization: `Bearer ${token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return {
    status: res.status,
    json: text ? JSON.parse(text) : undefined,
    headers: res.headers,
    ms: performance.now() - started,
  };
}

beforeAll(async () => {
  const port = await freePort();
  child = spawn(process.execPath, [KILN_BIN, 'up', '--port', String(port)], {
    env: {
      ...process.env,
      KILN_HOME: tempDir('kiln-fault-up-'),
      TEMPORAL_CLI: inject('temporalCli'),
      KILN_TEMPORAL_RESTART_BACKOFF_MS: String(RESTART_BACKOFF_MS),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group, so the fallback below can take its Temporal server with it.
    detached: true,
  });
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (out += c.toString()));
  // Generous: on a loaded machine `kiln up` has taken over a minute (the studio build, embedded PostgreSQL).
  const deadline = Date.now() + 240_000;
  while (!out.includes('Ctrl-C stops everything')) {
    if (child.exitCode !== null) throw new Error(`kiln up exited: ${out}`);
    if (Date.now() > deadline) throw new Error(`kiln up did not come up: ${out}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  token = /Admin token\s+(kiln_\S+)/.exec(out)![1]!;
  url = `http://127.0.0.1:${port}`;
}, 300_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGINT');
    // Still starting, it may not listen for Ctrl-C yet.
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
});

it('answers 503 within 2 s while Temporal is dead, restarts it, and a run started before the kill finishes', async () => {
  const spec = {
    apiVersion: 'kiln/v1',
    name: 'survives-temporal',
    nodes: [
      { id: 'review', type: 'gate.approval' },
      { id: 'ship', type: 'core.noop' },
    ],
    edges: [{ from: 'review', to: 'ship' }],
  };
  const pipeline = await call('POST', '/api/v1/pipelines', { spec });
  expect(pipeline.status, JSON.stringify(pipeline.json)).toBe(201);
  const started = await call('POST', `/api/v1/pipelines/${pipeline.json.id}/runs`, {});
  expect(started.status, JSON.stringify(started.json)).toBe(201);
  const runId = started.json.runId as string;
  await eventually(
    async () => (await call('GET', `/api/v1/runs/${runId}`)).json?.state?.nodes?.review?.status === 'running',
    60_000,
    'the gate to wait',
  );

  const pid = temporalPid(child.pid!);
  expect(pid, 'the Temporal dev server under kiln up').toBeDefined();
  process.kill(pid!, 'SIGKILL');
  expect(await waitGone(pid!)).toBe(true);

  // Every route that needs Temporal: 503 naming it, with Retry-After, within the bound. Asked one
  // after another (the first ones find the old connection broken, the later ones a refused one).
  const needTemporal: [string, string, unknown?][] = [
    ['GET', `/api/v1/runs/${runId}`],
    ['POST', `/api/v1/pipelines/${pipeline.json.id}/runs`, {}],
    ['POST', `/api/v1/runs/${runId}/nodes/review/approve`, {}],
    ['POST', `/api/v1/runs/${runId}/cancel`],
    // The gate has no stored log: whether its attempt is over is the run's state, from Temporal.
    ['GET', `/api/v1/runs/${runId}/nodes/review/logs`],
    ['GET', `/api/v1/runs/${runId}`],
  ];
  for (const [method, path, body] of needTemporal) {
    const res = await call(method, path, body);
    console.log(`faults: ${method} ${path} → ${res.status} in ${Math.round(res.ms)} ms`);
    expect({ route: `${method} ${path}`, status: res.status, body: res.json }).toMatchObject({
      status: 503,
      body: { statusCode: 503, dependency: 'temporal' },
    });
    expect(res.headers.get('retry-after')).toBe('5');
    expect(res.ms, `${method} ${path}`).toBeLessThan(BOUND_MS);
  }
  const ready = await call('GET', '/readyz');
  expect(ready.status).toBe(503);
  expect(ready.json).toMatchObject({
    down: ['temporal'],
    checks: { database: 'ok', 'artifact store': 'ok' },
  });
  expect(ready.ms).toBeLessThan(BOUND_MS);
  // Liveness is the process, not its dependencies; reads of the database still answer.
  expect((await call('GET', '/healthz')).status).toBe(200);
  expect((await call('GET', `/api/v1/pipelines/${pipeline.json.id}`)).status).toBe(200);
  // Still inside the supervisor's backoff: nothing above raced a restarted server.
  expect(out).not.toContain('is back on');

  // The supervisor brings it back on the same port and state; the run goes on with no manual step.
  await eventually(async () => out.includes('is back on'), 120_000, `the supervised restart: ${out}`);
  expect(out).toMatch(/stopped \(killed by SIGKILL\).*restarting it in 10\.0 s/);
  await eventually(
    async () => (await call('GET', '/readyz')).status === 200,
    60_000,
    'readyz after the restart',
  );
  const approved = await eventually(
    async () => {
      const res = await call('POST', `/api/v1/runs/${runId}/nodes/review/approve`, {
        comment: 'after the restart',
      });
      return res.status === 503 ? undefined : res;
    },
    60_000,
    'the approval after the restart',
  );
  expect(approved.status, JSON.stringify(approved.json)).toBe(202);
  const ended = await eventually(
    async () => {
      const r = (await call('GET', `/api/v1/runs/${runId}`)).json;
      return r?.status !== 'running' && r?.state ? r : undefined;
    },
    120_000,
    `run ${runId} to end`,
  );
  expect(ended.status, JSON.stringify(ended.error)).toBe('succeeded');
  expect(ended.state.nodes.ship.status).toBe('succeeded');
  expect(child.exitCode).toBeNull();
}, 300_000);
