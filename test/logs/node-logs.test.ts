// Node logs end to end on real parts: a `kiln api` process and in-process workers sharing a MinIO
// store, a `core.command` that fails its first attempt and then runs until the test opens a gate.
// The API (JSON, tail, SSE follow, 4xx and path safety, 503), `kiln logs -f` and the studio's log
// panel in Chromium read the same logs, live and after the retry.
import { chmodSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ensureStudioBuilt } from '@kiln/api';
import { freePort } from '@kiln/engine/free-port';
import { type LogLine, type NodeLog, streamEvents } from '@kiln/engine';
import { S3ArtifactStore } from '@kiln/artifacts';
import { AttemptLog } from '@kiln/artifacts/logs';
import { type Harness, openHarness, tempDir } from '../support/harness';
import { type ApiProcess, eventually, startApiProcess } from '../support/api-process';
import { kiln } from '../support/kiln-process';
import { launchChromium } from '../support/chromium';
import { type MinioServer, startMinio } from '../support/minio-server';

let minio: MinioServer;
let api: ApiProcess;
let h: Harness;
let viewer: string;
let runId: string;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];
const SHOTS = join(import.meta.dirname, 'screenshots');
const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });
const gateDir = tempDir('kiln-logs-gate-');
const gate = join(gateDir, 'open');

/** Prints, fails its first attempt; the second ticks until the gate file exists, then says done. */
const SCRIPT = [
  'echo "attempt $KILN_ATTEMPT starting"; echo "warning on stderr" >&2',
  'if [ "$KILN_ATTEMPT" = 1 ]; then echo "failing now"; exit 3; fi',
  'i=0; while [ ! -e "$GATE" ]; do i=$((i+1)); echo "tick $i"; sleep 0.2; done; echo done',
].join('\n');

const spec = {
  apiVersion: 'kiln/v1',
  name: 'logs-demo',
  nodes: [
    { id: 'prep', type: 'core.command', params: { command: 'echo prepared' } },
    // Prints nothing: an attempt without a line leaves no log.
    { id: 'quiet', type: 'core.command', params: { command: 'true' } },
    { id: 'flaky', type: 'core.command', retry: { maxAttempts: 2, initialIntervalSeconds: 1 }, params: { command: SCRIPT, env: { GATE: gate } } },
  ],
  edges: [{ from: 'prep', to: 'flaky' }],
};

const logsPath = (node: string, query = '') => `/api/v1/runs/${runId}/nodes/${node}/logs${query}`;
const texts = (lines: LogLine[]) => lines.map((l) => l.m);

/** A GET with the path sent exactly as written (fetch would resolve `..` and `%2E%2E` segments first). */
function rawGet(path: string, token: string): Promise<{ status: number; json: any }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(api.url);
    const req = request({ hostname, port, path, headers: { authorization: `Bearer ${token}` } }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, json: JSON.parse(body) }));
    });
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  chmodSync(gateDir, 0o755);
  mkdirSync(SHOTS, { recursive: true });
  const [server] = await Promise.all([startMinio(), ensureStudioBuilt()]);
  minio = server;
  const s3 = { S3_ENDPOINT: minio.endpoint, S3_ACCESS_KEY: minio.accessKey, S3_SECRET_KEY: minio.secretKey, S3_BUCKET: 'kiln-logs' };
  api = await startApiProcess({ temporalAddress: inject('temporalAddress'), env: { ...s3, KILN_ALLOW_USER_CODE: 'true' } });
  const store = new S3ArtifactStore({ endpoint: minio.endpoint, accessKey: minio.accessKey, secretKey: minio.secretKey, bucket: 'kiln-logs', cacheDir: tempDir() });
  h = await openHarness({ store });
  viewer = (await api.call('POST', '/api/v1/tokens', { name: 'logs-viewer', role: 'viewer' })).json.token;
  const saved = await api.call('POST', '/api/v1/pipelines', { spec });
  expect(saved.status).toBe(201);
  const started = await api.call('POST', `/api/v1/pipelines/${saved.json.id}/runs`, { params: {} });
  expect(started.status).toBe(201);
  runId = started.json.runId;
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('console', (msg) => msg.type() === 'error' && consoleErrors.push(msg.text()));
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
});

afterAll(async () => {
  await page?.screenshot({ path: join(SHOTS, 'zz-last.png') }).catch(() => undefined);
  await browser?.close();
  writeFileSync(gate, '');
  await api?.stop();
  await h?.close();
  await minio?.stop();
});

describe('node logs', () => {
  it('reads a running attempt live, and the failed attempt before it with its stdout and stderr', async () => {
    const live = await eventually(async () => {
      const res = await api.call('GET', logsPath('flaky'));
      return res.status === 200 && res.json.attempt === 2 && texts(res.json.lines).includes('tick 5') ? (res.json as NodeLog) : undefined;
    }, 120_000, 'attempt 2 ticking');
    expect(live.ended).toBe(false);
    expect(live.attempts).toEqual([{ attempt: 1 }, { attempt: 2 }]);
    expect(live.lines[0]).toMatchObject({ n: 1, s: 'stdout', m: 'attempt 2 starting' });
    expect(live.lines.find((l) => l.m === 'warning on stderr')?.s).toBe('stderr');

    const first = (await api.call('GET', logsPath('flaky', '?attempt=1'))).json as NodeLog;
    expect(first).toMatchObject({ attempt: 1, ended: true, end: { outcome: 'failed', droppedLines: 0 } });
    // Each stream in order (the two pipes are read independently, so not interleaved exactly).
    const of = (s: string) => texts(first.lines.filter((l) => l.s === s));
    expect(of('stdout')).toEqual(['attempt 1 starting', 'failing now']);
    expect(of('stderr')).toEqual(['warning on stderr']);
    expect(first.lines.at(-1)).toMatchObject({ s: 'warn', m: 'attempt 1 failed: command exited with code 3: warning on stderr' });
    expect(first.lines.map((l) => l.n)).toEqual([1, 2, 3, 4]);
    for (const line of first.lines) expect(Number.isNaN(Date.parse(line.t))).toBe(false);

    const tail = (await api.call('GET', logsPath('flaky', '?tail=2'), undefined, viewer)).json as NodeLog;
    expect(tail.lines).toHaveLength(2);
    expect(tail.lines[1]!.m).toMatch(/^tick \d+$/);
  });

  it('follows the running attempt over SSE, with `kiln logs -f` and in the studio, until it ends; the studio then shows the failed attempt', async () => {
    // The studio's run view, signed in as a viewer: the log panel of the running node follows it.
    await page.goto(`${api.url}/`);
    await page.evaluate((t) => (globalThis as any).localStorage.setItem('kiln.token', t), viewer);
    await page.goto(`${api.url}/#/runs/${encodeURIComponent(runId)}`);
    await page.reload();
    await page.getByLabel(/^node flaky: /).click();
    const panel = page.getByRole('region', { name: 'Log' });
    const logBox = panel.getByRole('log', { name: 'Log lines' });
    await panel.getByRole('status', { name: 'Log state' }).filter({ hasText: 'live' }).waitFor({ timeout: 30_000 });
    await logBox.getByText('attempt 2 starting').waitFor();
    // New lines arrive while it runs.
    const ticks = async () => Number(/tick (\d+)\s*$/.exec((await logBox.textContent()) ?? '')?.[1] ?? 0);
    const seen = await (async () => {
      await expect.poll(ticks, { timeout: 30_000 }).toBeGreaterThan(0);
      return ticks();
    })();
    await expect.poll(ticks, { timeout: 30_000 }).toBeGreaterThan(seen);
    await shot('01-live-log');

    const events: { event: string; data: any }[] = [];
    const sse = streamEvents(`${api.url}${logsPath('flaky', '?follow=true')}`, viewer, (e) => events.push({ event: e.event, data: JSON.parse(e.data) }), AbortSignal.timeout(120_000));
    let cliOut = '';
    const cli = kiln(['logs', runId, 'flaky', '-f', '--tail', '2', '--api', api.url, '--token', viewer], { onStdout: (text) => (cliOut = text) });
    // Both have read live lines before the gate opens.
    await eventually(async () => events.some((e) => e.event === 'lines' && e.data.some((l: LogLine) => /^tick/.test(l.m))) && /tick \d+/.test(cliOut), 120_000, 'live lines');
    writeFileSync(gate, '');
    const [, result] = await Promise.all([sse, cli]);
    expect(events[0]).toEqual({ event: 'attempt', data: { attempt: 2 } });
    const lines = events.filter((e) => e.event === 'lines').flatMap((e) => e.data as LogLine[]);
    expect(lines.map((l) => l.n)).toEqual(lines.map((_, i) => i + 1));
    expect(lines.at(-1)!.m).toBe('done');
    expect(events.at(-1)).toMatchObject({ event: 'end', data: { attempt: 2, end: { outcome: 'succeeded' } } });

    expect(result.code).toBe(0);
    expect(result.stderr).toContain('following attempt 2');
    expect(result.stderr).toContain('attempt ended (succeeded)');
    expect(result.stdout).toMatch(/^\d\d:\d\d:\d\d\.\d{3} out {2}tick \d+$/m);
    expect(result.stdout).toMatch(/out {2}done$/m);
    expect(result.stdout).not.toContain('attempt 2 starting'); // --tail 2 began after it
    const run = await api.settled(runId);
    expect(run.status).toBe('succeeded');

    // The panel saw the end; the earlier, failed attempt is one pick away.
    await logBox.getByText('done', { exact: true }).waitFor({ timeout: 30_000 });
    await panel.getByRole('status', { name: 'Log state' }).filter({ hasText: /^succeeded/ }).waitFor({ timeout: 30_000 });
    await panel.getByLabel('Attempt').selectOption('1');
    await logBox.getByText('failing now').waitFor();
    await panel.getByRole('status', { name: 'Log state' }).filter({ hasText: /^failed, 4 lines/ }).waitFor();
    expect(await logBox.textContent()).not.toContain('tick');
    expect(await logBox.locator('.log-stderr').textContent()).toContain('warning on stderr');
    await shot('02-earlier-attempt');


    // A node that printed nothing has no stored log, and the panel says so.
    await page.getByLabel(/^node quiet: /).click();
    await panel.getByText('No log: the node printed nothing.').waitFor({ timeout: 30_000 });
    // It stays said (the panel asks again, and the answer is the same).
    await new Promise((r) => setTimeout(r, 2500));
    await panel.getByText('No log: the node printed nothing.').waitFor({ timeout: 1000 });
    // The note stands alone: no empty box of lines under it.
    expect(await panel.getByRole('log', { name: 'Log lines' }).count()).toBe(0);
    await shot('03-silent-node');
    expect(consoleErrors).toEqual([]);
  });

  it('prints a whole run, or one earlier attempt, with `kiln logs`', async () => {
    const all = await kiln(['logs', runId, '--api', api.url, '--token', viewer]);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('── prep (attempt 1) ──');
    expect(all.stdout).toMatch(/prep │ .* out {2}prepared/);
    expect(all.stdout).toMatch(/flaky │ .* out {2}done/);
    const one = await kiln(['logs', runId, 'flaky', '--attempt', '1', '--json'], { env: { KILN_API_URL: api.url, KILN_TOKEN: viewer } });
    expect(one.code).toBe(0);
    expect(one.stdout.trim().split('\n').map((l) => JSON.parse(l).m)).toContain('failing now');
    const missing = await kiln(['logs', runId, 'flaky', '--attempt', '7', '--api', api.url, '--token', viewer]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('attempt 7 of node "flaky"');
    const nowhere = await kiln(['logs', runId, 'flaky', '-f', '--api', `http://127.0.0.1:${await freePort()}`, '--token', viewer]);
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toMatch(/cannot reach the Kiln API at http:\/\/127\.0\.0\.1:\d+ \(ECONNREFUSED\)/);
    const bad = await kiln(['logs', runId, 'flaky', '--tail', 'x', '--api', api.url, '--token', viewer]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--tail must be an integer');
  });

  it('answers 404 naming what is missing, 400 for bad queries, and never reads outside the run', async () => {
    // A log planted under another run: no id, attempt or item a request can send reaches it.
    const store = new S3ArtifactStore({ endpoint: minio.endpoint, accessKey: minio.accessKey, secretKey: minio.secretKey, bucket: 'kiln-logs', cacheDir: tempDir() });
    const planted = new AttemptLog(store, { runId: 'other-run', nodeId: 'flaky', attempt: 1 });
    planted.logger.info('SECRET of another run');
    await planted.finish('succeeded');

    // An attempt that printed nothing stores no log: it reads as ended and empty; one it never had is a 404.
    expect((await api.call('GET', logsPath('quiet'), undefined, viewer)).json).toEqual({ runId, nodeId: 'quiet', attempt: 1, attempts: [], ended: true, lines: [] });
    expect((await api.call('GET', logsPath('quiet', '?attempt=1'), undefined, viewer)).json).toMatchObject({ attempt: 1, ended: true, lines: [] });
    expect((await api.call('GET', logsPath('quiet', '?attempt=2'), undefined, viewer)).status).toBe(404);

    const cases: [string, number, RegExp][] = [
      [`/api/v1/runs/no-such-run/nodes/flaky/logs`, 404, /run no-such-run not found/],
      [logsPath('nope'), 404, /node "nope" in run .* not found/],
      [logsPath('flaky', '?attempt=9'), 404, /attempt 9 of node "flaky" .*attempts with logs: 1, 2/],
      [logsPath('flaky', '?item=0'), 404, /item 0/],
      [logsPath('flaky', '?attempt=0'), 400, /attempt/],
      [logsPath('flaky', '?attempt=abc'), 400, /attempt/],
      [logsPath('flaky', '?attempt=1%2F..%2F..%2Fother-run'), 400, /attempt/],
      [logsPath('flaky', '?tail=-1'), 400, /tail/],
      [logsPath('flaky', '?item=-1'), 400, /item/],
      [logsPath('flaky', '?follow=maybe'), 400, /follow/],
      [`/api/v1/runs/${runId}/nodes/%2E%2E/logs`, 400, /nodeId/],
      [`/api/v1/runs/${runId}/nodes/../../other-run/nodes/flaky/logs`, 404, /Route GET.* not found/],
      [`/api/v1/runs/${runId}/nodes/..%2F..%2Fother-run%2Fflaky/logs`, 400, /nodeId/],
      [`/api/v1/runs/..%2Fother-run/nodes/flaky/logs`, 400, /runId/],
      [`/api/v1/runs/other-run/nodes/flaky/logs`, 404, /run other-run not found/],
    ];
    for (const [path, status, message] of cases) {
      const res = await rawGet(path, viewer);
      expect({ path, status: res.status, message: String(res.json.message) }).toEqual({ path, status, message: expect.stringMatching(message) });
      expect(JSON.stringify(res.json)).not.toContain('SECRET');
    }
    expect((await api.call('GET', logsPath('flaky'), undefined, null)).status).toBe(401);
  });

  it('is described in the OpenAPI document', async () => {
    const doc = (await api.call('GET', '/api/openapi.json', undefined, null)).json;
    const op = doc.paths['/api/v1/runs/{runId}/nodes/{nodeId}/logs'].get;
    expect(op.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['attempt', 'follow', 'item', 'nodeId', 'runId', 'tail']);
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '404', '503']));
    expect(Object.keys(op.responses['200'].content)).toEqual(['application/json', 'text/event-stream']);
  });

  it('answers 503 naming the store when it is down', async () => {
    await minio.stop();
    const res = await api.call('GET', logsPath('flaky'));
    expect(res.status).toBe(503);
    expect(res.json).toMatchObject({ dependency: 'artifact store' });
  });
});
