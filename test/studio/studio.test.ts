import { ensureStudioBuilt } from '@kiln/api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type Harness, openHarness } from '../support/harness';
import { type ApiProcess, eventually, startApiProcess } from '../support/api-process';
import { launchChromium } from '../support/chromium';
import { churnFeatures, churnRows } from '../support/churn-data';

const SHOTS = join(import.meta.dirname, 'screenshots');
const CHURN = resolve(import.meta.dirname, '../../examples/churn');
/** Where run views link to the Temporal web UI (the test server has none: only the link is checked). */
const TEMPORAL_UI = 'http://127.0.0.1:8233';
/** deploy.model and monitor.drift nodes call the API with this token (as `kiln up` gives its workers). */
const SERVICE_TOKEN = `kiln_svc_studio_${Math.random().toString(36).slice(2)}`;

let h: Harness;
let api: ApiProcess;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  await ensureStudioBuilt();
  mkdirSync(SHOTS, { recursive: true });
  // The in-process workers and the API share one artifact store, so the studio can fetch reports.
  const artifacts = mkdtempSync(join(tmpdir(), 'kiln-studio-artifacts-'));
  // The API first, so the workers can be given its address for the nodes that call it.
  api = await startApiProcess({
    temporalAddress: inject('temporalAddress'),
    env: {
      KILN_ARTIFACTS: artifacts,
      KILN_SERVICE_TOKEN: SERVICE_TOKEN,
      KILN_ALLOW_USER_CODE: 'true',
      KILN_TEMPORAL_UI_URL: TEMPORAL_UI,
    },
  });
  h = await openHarness({ artifactsDir: artifacts, api: { url: api.url, token: SERVICE_TOKEN } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
});

afterAll(async () => {
  // The last screen, whatever happened: the first thing to look at when this test fails.
  await page?.screenshot({ path: join(SHOTS, 'zz-last.png') }).catch(() => undefined);
  await browser?.close();
  await api?.stop();
  await h?.close();
});

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

/** Drags from one element's centre to another's with real mouse events (React Flow connections). */
async function dragBetween(fromLabel: string, toLabel: string): Promise<void> {
  const from = await page.getByLabel(fromLabel, { exact: true }).boundingBox();
  const to = await page.getByLabel(toLabel, { exact: true }).boundingBox();
  if (!from || !to) throw new Error(`cannot find ${fromLabel} or ${toLabel}`);
  await page.mouse.move(from.x + from.width / 2, from.y + from.height / 2);
  await page.mouse.down();
  await page.mouse.move((from.x + to.x) / 2, (from.y + to.y) / 2, { steps: 5 });
  await page.mouse.move(to.x + to.width / 2, to.y + to.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** Opens a studio route signed in as admin, whether or not the tests before this one ran. */
async function openSignedIn(hash: string): Promise<void> {
  await page.goto(`${api.url}/`);
  await page.evaluate((t) => (globalThis as any).localStorage.setItem('kiln.token', t), api.adminToken);
  await page.goto(`${api.url}/${hash}`);
  await page.reload();
}

describe('the studio in Chromium', () => {
  it('is served by the API at / with the SPA fallback, and the API stays JSON', async () => {
    const index = await fetch(`${api.url}/`);
    expect(index.status).toBe(200);
    expect(await index.text()).toContain('<div id="root">');
    expect((await fetch(`${api.url}/some/studio/route`)).headers.get('content-type')).toContain('text/html');
    const missing = await fetch(`${api.url}/api/v1/nope`);
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/json');
    expect((await fetch(`${api.url}/api/v1/pipelines`)).status).toBe(401);
  });

  it('signs in, draws a pipeline from the palette, refuses a bad connection, saves, runs it and shows every node succeed', async () => {
    await page.goto(`${api.url}/`);
    await page.getByLabel('API token').fill('wrong-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('not accepted');
    // Chromium logs the refused token's 401 as a console error; only errors after this step count.
    consoleErrors.length = 0;
    await page.getByLabel('API token').fill(api.adminToken);
    await shot('01-sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Pipelines' }).waitFor();
    await page.getByRole('button', { name: 'New pipeline' }).click();

    // Two command nodes dragged from the palette onto the canvas.
    const canvas = page.getByRole('region', { name: 'Pipeline canvas' });
    await canvas.waitFor();
    const item = page.getByRole('button', { name: 'Add Shell command (core.command)' });
    await item.dragTo(canvas, { targetPosition: { x: 220, y: 200 } });
    await item.dragTo(canvas, { targetPosition: { x: 620, y: 260 } });
    const first = page.getByLabel(/^node command_1: /);
    const second = page.getByLabel(/^node command_2: /);
    await first.waitFor();
    await second.waitFor();
    // Without a command both are invalid, and the panel says so per field.
    const problems = page
      .getByRole('region', { name: 'Validation problems' })
      .or(page.getByLabel('Validation problems'));
    await expect.poll(() => problems.textContent()).toContain('nodes[0].params.command');
    expect(await first.getAttribute('aria-label')).toContain('has problems');

    // command_1 before command_2; then the reverse, which would make a cycle, is refused with the
    // reason, in the validator's words.
    await dragBetween('command_1: done (order output)', 'command_2: run after (order input)');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
    await dragBetween('command_2: done (order output)', 'command_1: run after (order input)');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('Connection refused: cycle: command_1 → command_2 → command_1');
    expect(await page.locator('.react-flow__edge').count()).toBe(1);
    await shot('02-connection-refused');
    // Undo takes the connection back, redo restores it.
    await page.getByRole('button', { name: 'Undo' }).click();
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(0);
    await page.getByRole('button', { name: 'Redo' }).click();
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);

    // Param forms generated from the JSON Schema: a field error, then valid values.
    await first.click();
    const form1 = page.getByRole('group', { name: 'Params of command_1' });
    await form1.waitFor();
    const retry = page.getByLabel('Max attempts');
    await retry.fill('0');
    await expect.poll(() => problems.textContent()).toContain('nodes[0].retry.maxAttempts');
    await retry.fill('2');
    await form1.getByLabel(/^command/).fill('echo one');
    await shot('03-param-form');
    await second.click();
    const form2 = page.getByRole('group', { name: 'Params of command_2' });
    await form2.getByLabel(/^command/).fill('sleep 1; echo two');
    await expect.poll(() => problems.textContent()).toContain('Valid');
    expect(await first.getAttribute('aria-label')).not.toContain('has problems');

    // Name the pipeline, lay it out and save it: a first version.
    await page.locator('.react-flow__pane').click({ position: { x: 40, y: 40 } });
    await page.getByLabel('Name', { exact: true }).fill('studio-e2e');
    await page.getByRole('button', { name: 'Auto layout' }).click();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/#\/pipelines\/[0-9a-f-]{36}$/);
    await expect.poll(() => page.getByLabel('Saved version').textContent()).toBe('v1');
    expect(await page.getByText('unsaved changes').count()).toBe(0);
    await shot('04-saved');
    const pipelineId = /pipelines\/([0-9a-f-]{36})/.exec(page.url())![1]!;
    const stored = await api.call('GET', `/api/v1/pipelines/${pipelineId}`);
    expect(stored.json.spec.nodes.map((n: any) => [n.id, n.params, n.retry])).toEqual([
      ['command_1', { command: 'echo one' }, { maxAttempts: 2 }],
      ['command_2', { command: 'sleep 1; echo two' }, undefined],
    ]);
    expect(stored.json.spec.edges).toEqual([{ from: 'command_1', to: 'command_2' }]);

    // Run it and watch every node reach succeeded over server-sent events.
    await page.getByRole('button', { name: '▶ Run' }).click();
    await page
      .getByRole('dialog', { name: 'Run studio-e2e' })
      .getByRole('button', { name: 'Start run' })
      .click();
    await page.waitForURL(/#\/runs\//);
    await page.getByLabel(/^node command_2: .*running/).waitFor({ timeout: 60_000 });
    await shot('05-run-live');
    await page.getByLabel(/^node command_1: .*succeeded/).waitFor({ timeout: 60_000 });
    await page.getByLabel(/^node command_2: .*succeeded/).waitFor({ timeout: 60_000 });
    await expect
      .poll(() => page.getByRole('status', { name: 'Run status' }).textContent(), { timeout: 30_000 })
      .toContain('succeeded');
    await page.getByLabel(/^node command_2: /).click();
    await expect
      .poll(() => page.getByRole('region', { name: 'Outputs' }).or(page.getByLabel('Outputs')).textContent())
      .toContain('two');
    await shot('06-run-succeeded');

    // The same run in the dark theme, and the runs list.
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await shot('07-run-dark');
    await page.getByRole('link', { name: 'Runs' }).click();
    await page.getByRole('table', { name: 'Runs' }).waitFor();
    await shot('08-runs-list');

    expect(consoleErrors).toEqual([]);
  });

  it('waits at an approval gate until it is approved in the run view', async () => {
    const created = await api.call('POST', '/api/v1/pipelines', {
      spec: {
        apiVersion: 'kiln/v1',
        name: 'gated',
        nodes: [
          { id: 'gate', type: 'gate.approval', params: { message: 'Ship it?' } },
          { id: 'ship', type: 'core.command', params: { command: 'echo shipped' } },
        ],
        edges: [{ from: 'gate', to: 'ship' }],
      },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const runId = (await api.call('POST', `/api/v1/pipelines/${created.json.id}/runs`, {})).json.runId;
    await page.goto(`${api.url}/#/runs/${encodeURIComponent(runId)}`);
    const gate = page.getByLabel(/^node gate: .*running/);
    await gate.waitFor();
    await gate.click();
    const approval = page
      .getByRole('region', { name: 'Approval' })
      .or(page.getByLabel('Approval', { exact: true }));
    await approval.getByLabel('Comment').fill('looks good');
    await shot('09-approval');
    await approval.getByRole('button', { name: 'Approve' }).click();
    await page.getByLabel(/^node ship: .*succeeded/).waitFor({ timeout: 60_000 });
    await page.getByLabel(/^node gate: .*succeeded/).waitFor();
    expect(consoleErrors).toEqual([]);
  });

  it('re-runs a failed run from its failure: reused nodes look cached and link to the source run', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'kiln-studio-rerun-')), 'marker');
    writeFileSync(marker, '');
    const created = await api.call('POST', '/api/v1/pipelines', {
      spec: {
        apiVersion: 'kiln/v1',
        name: 'flaky',
        nodes: [
          { id: 'prepare', type: 'core.command', params: { command: 'echo prepared' } },
          { id: 'flaky', type: 'core.command', params: { command: `test ! -e ${marker}` } },
          { id: 'report', type: 'core.command', params: { command: 'echo reported' } },
        ],
        edges: [
          { from: 'prepare', to: 'flaky' },
          { from: 'flaky', to: 'report' },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const source = (await api.call('POST', `/api/v1/pipelines/${created.json.id}/runs`, {})).json.runId as string;
    await eventually(async () => ((await api.call('GET', `/api/v1/runs/${source}`)).json.status === 'failed' ? true : undefined), 60_000, 'the run to fail');
    await openSignedIn(`#/runs/${encodeURIComponent(source)}`);
    await page.getByLabel(/^node flaky: .*failed/).waitFor();
    unlinkSync(marker);
    await page.getByRole('button', { name: 'Re-run from failure' }).click();
    await page.waitForURL((url) => url.hash.startsWith('#/runs/') && !url.hash.includes(source));
    await page.getByLabel(/^node report: .*succeeded/).waitFor({ timeout: 60_000 });
    const prepare = page.getByLabel(/^node prepare: .*cached/);
    await prepare.waitFor();
    // Its own look, not the succeeded one: dashed and in the cached colour.
    const look = await prepare.evaluate((el) => ({ style: (globalThis as any).getComputedStyle(el).borderStyle as string, status: el.getAttribute('data-status') }));
    expect(look).toEqual({ style: 'dashed', status: 'cached' });
    await page.getByLabel(`Re-run of run ${source}`).waitFor();
    await prepare.click();
    const link = page.getByLabel(`Source run ${source}`);
    await link.waitFor();
    await shot('09b-rerun-cached');
    await link.click();
    await page.waitForURL((url) => url.hash === `#/runs/${encodeURIComponent(source)}`);
    await page.getByLabel(/^node flaky: .*failed/).waitFor();
    expect(consoleErrors).toEqual([]);
  });

  it('lists the pipeline with its last run, and creates a schedule after previewing its next fire times', async () => {
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await page.getByRole('link', { name: 'Pipelines' }).click();
    const table = page.getByRole('table', { name: 'Pipelines' });
    await table.waitFor();
    // The list shows the stored run records, which the API settles within a few seconds of the end.
    const rows = async () => {
      await page.reload();
      await table.waitFor();
      return `${await table.getByRole('row', { name: /studio-e2e/ }).textContent()} | ${await table.getByRole('row', { name: /gated/ }).textContent()}`;
    };
    await expect
      .poll(rows, { timeout: 30_000, interval: 1000 })
      .toMatch(/studio-e2ev1.*succeeded.* \| gatedv1.*succeeded/);
    await shot('10-pipelines');

    await page.getByRole('link', { name: 'Schedules' }).click();
    await page.getByLabel('Pipeline', { exact: true }).selectOption({ label: 'studio-e2e' });
    await page.getByLabel('Cron').fill('*/5 * * * *');
    await page.getByLabel('Time zone').fill('UTC');
    const preview = page.getByRole('region', { name: 'Next fire times' });
    await expect.poll(() => preview.getByRole('listitem').count()).toBe(5);
    await page.getByRole('button', { name: 'Create schedule' }).click();
    const schedules = page.getByRole('table', { name: 'Schedules' });
    await expect
      .poll(() => schedules.getByRole('row', { name: /studio-e2e/ }).textContent())
      .toContain('*/5 * * * *');
    await schedules.getByRole('button', { name: 'Pause' }).click();
    await expect
      .poll(() => schedules.getByRole('row', { name: /studio-e2e/ }).textContent())
      .toContain('paused');
    await shot('11-schedules');
    expect(consoleErrors).toEqual([]);
  });
  it('refuses a connection between ports of different types, naming both, and accepts a matching one', async () => {
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await page.goto(`${api.url}/#/pipelines/new`);
    const canvas = page.getByRole('region', { name: 'Pipeline canvas' });
    await canvas.waitFor();
    await page.getByLabel('Search node types').fill('file');
    await page
      .getByRole('button', { name: 'Add Ingest file (ingest.file)' })
      .dragTo(canvas, { targetPosition: { x: 200, y: 200 } });
    await page.getByLabel('Search node types').fill('evaluate');
    await page
      .getByRole('button', { name: 'Add Evaluate model (evaluate.model)' })
      .dragTo(canvas, { targetPosition: { x: 600, y: 200 } });
    await page.getByLabel('Search node types').fill('');
    await dragBetween('file_1: output dataset (Dataset)', 'model_1: input model (Model)');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain(
        'Connection refused: output "file_1.dataset" is a Dataset but input "model_1.model" takes a Model.',
      );
    expect(await page.locator('.react-flow__edge').count()).toBe(0);
    await dragBetween('file_1: output dataset (Dataset)', 'model_1: input dataset (Dataset)');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
    await shot('12-typed-ports-dark');

    // Copy both nodes with their edge and paste them: new ids, the edge between the copies.
    await page.getByLabel(/^node file_1: /).click();
    await page.getByLabel(/^node model_1: /).click({ modifiers: ['Shift'] });
    await page.keyboard.press('Control+c');
    await expect
      .poll(() => page.getByRole('status').filter({ hasText: 'Copied' }).textContent())
      .toContain('Copied 2 nodes');
    await page.keyboard.press('Control+v');
    await page.getByLabel(/^node file_2: /).waitFor();
    await page.getByLabel(/^node model_2: /).waitFor();
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(2);
    expect(
      await page.locator('.react-flow__edge').evaluateAll((es) => es.map((e) => e.getAttribute('data-id'))),
    ).toContain('file_2.dataset->model_2.dataset');
    await shot('18-copy-paste');
    expect(consoleErrors).toEqual([]);
  });
  it("shows a pipeline's version history and highlights what changed between two versions", async () => {
    const node = (id: string, command: string) => ({ id, type: 'core.command', params: { command } });
    const created = await api.call('POST', '/api/v1/pipelines', {
      spec: {
        apiVersion: 'kiln/v1',
        name: 'versioned',
        nodes: [node('prepare', 'echo p'), node('train', 'echo t'), node('report', 'echo r')],
        edges: [
          { from: 'prepare', to: 'train' },
          { from: 'train', to: 'report' },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const id = created.json.id as string;
    const updated = await api.call('PUT', `/api/v1/pipelines/${id}`, {
      spec: {
        apiVersion: 'kiln/v1',
        name: 'versioned',
        nodes: [node('prepare', 'echo p'), node('train', 'echo T --epochs 3'), node('publish', 'echo pub')],
        edges: [
          { from: 'prepare', to: 'train' },
          { from: 'train', to: 'publish' },
        ],
      },
    });
    expect(updated.json.version).toBe(2);
    await openSignedIn(`#/pipelines/${id}`);
    await page.getByRole('link', { name: 'Version history' }).click();
    await page.getByRole('table', { name: 'Versions' }).waitFor();
    expect(await page.getByLabel('From version').inputValue()).toBe('1');
    expect(await page.getByLabel('To version').inputValue()).toBe('2');
    await expect
      .poll(() => page.getByRole('status', { name: 'Diff summary' }).textContent())
      .toMatch(/\+ 1 added.*− 1 removed.*~ 1 changed.*2 edge/);
    const diff = page.getByRole('region', { name: 'Version diff canvas' });
    await diff.getByLabel(/^node publish: .*, added$/).waitFor();
    await diff.getByLabel(/^node report: .*, removed$/).waitFor();
    await diff.getByLabel(/^node train: .*, changed$/).waitFor();
    await diff.getByLabel(/^node prepare: .*, same$/).waitFor();
    await page.locator('[aria-label="Version diff canvas"][aria-busy="false"]').waitFor();
    expect(await page.getByRole('region', { name: 'Changes' }).textContent()).toContain(
      'train changed (params)',
    );
    await shot('13-version-diff');
    // The same version on both sides: nothing changed.
    await page.getByLabel('From version').selectOption('2');
    await expect
      .poll(() => page.getByRole('region', { name: 'Changes' }).textContent())
      .toContain('The two versions draw the same pipeline.');
    expect(consoleErrors).toEqual([]);
  });
  it('draws column histograms and validation results in the node details of a run', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-studio-'));
    const csv = join(dir, 'people.csv');
    const rows = Array.from(
      { length: 60 },
      (_, i) => `${i + 1},${(i * 37) % 90},${['free', 'pro', 'team'][i % 3]}`,
    );
    writeFileSync(csv, `id,age,plan\n${rows.join('\n')}\n`);
    const created = await api.call('POST', '/api/v1/pipelines', {
      spec: {
        apiVersion: 'kiln/v1',
        name: 'charted',
        nodes: [
          { id: 'people', type: 'ingest.file', params: { uri: `file://${csv}` } },
          {
            id: 'checks',
            type: 'validate.tabular',
            params: {
              onFailure: 'warn',
              columns: [
                { name: 'id', notNull: true, unique: true },
                { name: 'age', min: 0, max: 80 },
              ],
            },
          },
        ],
        edges: [{ from: 'people.dataset', to: 'checks.dataset' }],
      },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const runId = (await api.call('POST', `/api/v1/pipelines/${created.json.id}/runs`, {})).json.runId;
    await openSignedIn(`#/runs/${encodeURIComponent(runId)}`);
    await page.getByLabel(/^node checks: .*succeeded/).waitFor({ timeout: 60_000 });
    await page.getByLabel(/^node people: /).click();
    const charts = page.getByRole('region', { name: 'Charts' });
    await charts.getByRole('img', { name: 'Histogram of age' }).waitFor();
    await charts.getByRole('img', { name: 'Top values of plan' }).waitFor();
    await shot('14-dataset-histograms');
    await page.getByLabel(/^node checks: /).click();
    const results = charts.getByRole('group', { name: 'Validation results' });
    await results.waitFor();
    expect(await results.textContent()).toMatch(/\d+ of \d+ checks passed/);
    expect(await results.textContent()).toContain('✗');
    await shot('15-validation-results');
    expect(consoleErrors).toEqual([]);
  });
  it('draws a progress bar on a running node from its heartbeat progress', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kiln-studio-'));
    const csv = join(dir, 'tiny.csv');
    writeFileSync(csv, `x,y\n${Array.from({ length: 20 }, (_, i) => `${i},${i % 2}`).join('\n')}\n`);
    const created = await api.call('POST', '/api/v1/pipelines', {
      spec: {
        apiVersion: 'kiln/v1',
        name: 'progressing',
        nodes: [
          { id: 'data', type: 'ingest.file', params: { uri: `file://${csv}` } },
          { id: 'prep', type: 'featurize.tabular', params: { target: 'y' } },
          {
            id: 'fit',
            type: 'train.command',
            params: { command: 'echo \'KILN_PROGRESS {"epoch":3,"of":10}\'; sleep 30' },
          },
        ],
        edges: [
          { from: 'data.dataset', to: 'prep.dataset' },
          { from: 'prep.train', to: 'fit.train' },
          { from: 'prep.transform', to: 'fit.transform' },
        ],
      },
    });
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const runId = (await api.call('POST', `/api/v1/pipelines/${created.json.id}/runs`, {})).json.runId;
    await openSignedIn(`#/runs/${encodeURIComponent(runId)}`);
    const bar = page.getByRole('progressbar', { name: 'fit progress' });
    await bar.waitFor({ timeout: 30_000 });
    expect(await bar.getAttribute('aria-valuenow')).toBe('30');
    await shot('16-progress');
    await page.getByRole('button', { name: /^Cancel/ }).click();
    await expect
      .poll(() => page.getByRole('status', { name: 'Run status' }).textContent(), { timeout: 30_000 })
      .toMatch(/cancel/);
    expect(consoleErrors).toEqual([]);
  });
  it('creates an API token on the admin tokens page, shows it once, and revokes it', async () => {
    await openSignedIn('#/tokens');
    await page.getByRole('link', { name: 'Tokens' }).waitFor();
    await page.getByRole('table', { name: 'Tokens' }).waitFor();
    await page.getByLabel('Token name').fill('ci-bot');
    await page.getByLabel('Role').selectOption('viewer');
    await page.getByRole('button', { name: 'Create token' }).click();
    const shown = page.getByRole('region', { name: 'New token value' });
    await expect.poll(() => shown.textContent()).toMatch(/kiln_[\w-]{20,}/);
    const token = /kiln_[\w-]+/.exec((await shown.textContent()) ?? '')![0];
    expect(
      (await fetch(`${api.url}/api/v1/pipelines`, { headers: { authorization: `Bearer ${token}` } })).status,
    ).toBe(200);
    const row = page.getByRole('table', { name: 'Tokens' }).getByRole('row', { name: /ci-bot/ });
    await expect.poll(() => row.textContent()).toContain('viewer');
    await shot('17-tokens');
    page.once('dialog', (d) => void d.accept());
    await row.getByRole('button', { name: 'Revoke ci-bot' }).click();
    await expect.poll(() => row.textContent()).toContain('revoked');
    await expect
      .poll(
        async () =>
          (await fetch(`${api.url}/api/v1/pipelines`, { headers: { authorization: `Bearer ${token}` } }))
            .status,
        { timeout: 30_000 },
      )
      .toBe(401);
    expect(consoleErrors).toEqual([]);
  });
  it('shows models with their versions and card, and a deployment with its traffic split, charts, drift, events and a predict form', async () => {
    // A churn pipeline whose deploy.model node registers v1 and rolls it out.
    const churn = JSON.parse(readFileSync(join(CHURN, 'churn.json'), 'utf8'));
    churn.name = 'churn-studio';
    churn.nodes.push({
      id: 'deploy',
      type: 'deploy.model',
      params: { deployment: 'churn-live', model: 'churn', strategy: 'replace' },
    });
    churn.edges.push(
      { from: 'gate', to: 'deploy' },
      { from: 'train.model', to: 'deploy.model' },
      { from: 'evaluate.metrics', to: 'deploy.metrics' },
      { from: 'featurize.train', to: 'deploy.data' },
    );
    const runToEnd = async (spec: unknown, params: Record<string, unknown> = {}) => {
      const created = await api.call('POST', '/api/v1/pipelines', { spec });
      expect(created.status, JSON.stringify(created.json)).toBe(201);
      const { runId } = (await api.call('POST', `/api/v1/pipelines/${created.json.id}/runs`, { params }))
        .json;
      return eventually(
        async () => {
          const r = (await api.call('GET', `/api/v1/runs/${encodeURIComponent(runId)}`)).json;
          return r.status !== 'running' && r.state ? r : undefined;
        },
        150_000,
        `run ${runId}`,
      );
    };
    const trained = await runToEnd(churn, { data: join(CHURN, 'churn.csv') });
    expect(trained.status, JSON.stringify(trained.state.nodes.deploy)).toBe('succeeded');

    // The run's results as a user reads them: the gate's decision as a badge with its reason, metrics
    // as tables with integers printed as integers, the validation report as a download, a Temporal UI link.
    await openSignedIn(`#/runs/${encodeURIComponent(trained.id)}`);
    const gateNode = page.getByLabel(/^node gate: .*succeeded/);
    await gateNode.waitFor();
    expect(await gateNode.textContent()).toContain('✓ passed');
    expect(await page.getByRole('link', { name: 'Temporal UI ↗' }).getAttribute('href')).toBe(
      `${TEMPORAL_UI}/namespaces/default/workflows/${encodeURIComponent(trained.id)}`,
    );
    const details = page.getByRole('complementary', { name: 'Node details' });
    await gateNode.click();
    const badge = details.getByRole('status', { name: 'Decision: passed' }).first();
    await badge.waitFor();
    expect(await details.textContent()).toMatch(/roc_auc 0\.\d+ >= 0\.\d+/);
    const checks = details.getByRole('table', { name: 'decision checks', exact: true });
    expect(await checks.getByRole('row').count()).toBe(2);
    await page.getByLabel(/^node evaluate: /).click();
    const metrics = details.getByRole('table', { name: 'values', exact: true }).first();
    await metrics.waitFor();
    const rowsCell = await metrics
      .getByRole('row', { name: /^rows / })
      .getByRole('cell')
      .textContent();
    expect(rowsCell).toMatch(/^\d+$/);
    expect(
      await metrics
        .getByRole('row', { name: /^roc_auc / })
        .getByRole('cell')
        .textContent(),
    ).toMatch(/^0\.\d{1,4}$/);
    await shot('19-run-results');
    expect(await details.getByRole('region', { name: 'Outputs' }).textContent()).not.toContain('{');
    await page.getByLabel(/^node validate: /).click();
    const reportDigest = trained.state.nodes.validate.outputs.report.artifact.digest as string;
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      details.getByRole('button', { name: `Download report (${reportDigest})` }).click(),
    ]);
    const downloaded = readFileSync(await download.path());
    expect(`sha256:${createHash('sha256').update(downloaded).digest('hex')}`).toBe(reportDigest);
    expect(download.suggestedFilename()).toMatch(/^report-[0-9a-f]{12}\.json$/);
    expect(JSON.parse(downloaded.toString())).toBeTypeOf('object');
    // v2 from the same run, as a canary taking 30% of the traffic.
    const reg = await api.call('POST', '/api/v1/models/churn/versions', {
      runId: trained.id,
      nodeId: 'train',
      metricsNodeId: 'evaluate',
    });
    expect(reg.status, JSON.stringify(reg.json)).toBe(201);
    const canary = await api.call('PUT', '/api/v1/deployments/churn-live', {
      model: 'churn',
      version: 2,
      strategy: 'canary',
      canaryPercent: 30,
    });
    expect(canary.status, JSON.stringify(canary.json)).toBe(200);

    // Traffic: rows like the training data, a monitor report, then shifted rows and another report.
    const rows: Record<string, unknown>[] = churnRows().slice(0, 200).map(churnFeatures);
    const predict = async (batch: Record<string, unknown>[]) => {
      for (let i = 0; i < batch.length; i += 4) {
        const r = await api.call('POST', '/api/v1/deployments/churn-live/predict', {
          instances: batch.slice(i, i + 4),
        });
        expect(r.status, JSON.stringify(r.json)).toBe(200);
      }
    };
    const monitor = {
      apiVersion: 'kiln/v1',
      name: 'churn-studio-monitor',
      nodes: [{ id: 'monitor', type: 'monitor.drift', params: { deployment: 'churn-live', minRows: 30 } }],
    };
    await predict(rows.slice(0, 100));
    // Two bad requests (a column missing), for the errors line.
    for (const bad of [{ tenure_months: 1 }, { contract: 'two-year' }])
      expect(
        (await api.call('POST', '/api/v1/deployments/churn-live/predict', { instances: [bad] })).status,
      ).toBe(400);
    expect((await runToEnd(monitor)).status).toBe('succeeded');
    await predict(
      rows.slice(100, 200).map((r) => ({
        ...r,
        tenure_months: 2,
        monthly_charges: Number(r.monthly_charges) * 2.5,
        contract: 'month-to-month',
      })),
    );
    expect((await runToEnd({ ...monitor, name: 'churn-studio-monitor-2' })).status).toBe('succeeded');

    // The models list and the model: versions with stages and metrics, the card, the lineage.
    await page.setViewportSize({ width: 1280, height: 800 });
    await openSignedIn('#/models');
    const models = page.getByRole('table', { name: 'Models' });
    await models.getByRole('link', { name: 'churn v1 in production' }).waitFor();
    // The cases before may have left the dark theme on: these screenshots start in the light one.
    const toLight = page.getByRole('button', { name: 'Switch to light theme' });
    if (await toLight.count()) await toLight.click();
    expect(await models.getByRole('row', { name: /churn/ }).textContent()).toContain('v2');
    await shot('19-models');
    await models.getByRole('link', { name: 'churn', exact: true }).click();
    const versions = page.getByRole('table', { name: 'Versions' });
    await expect.poll(() => versions.getByRole('row', { name: /^v1/ }).textContent()).toContain('production');
    expect(await versions.getByRole('row', { name: /^v2/ }).textContent()).toContain('staging');
    expect(await versions.getByRole('columnheader', { name: 'roc_auc' }).count()).toBe(1);
    await page.getByRole('heading', { name: 'Intended use' }).waitFor();
    expect(await page.getByRole('table', { name: 'metric and value' }).textContent()).toContain('roc_auc');
    const lineage = page.getByRole('link', { name: `Run ${trained.id} that made v1` });
    expect(await lineage.getAttribute('href')).toBe(`#/runs/${encodeURIComponent(trained.id)}`);
    expect(await page.getByRole('button', { name: 'Promote v2 to production' }).isEnabled()).toBe(true);
    await shot('20-model');
    await page.getByRole('link', { name: 'v2', exact: true }).click();
    await page
      .getByRole('heading', { name: /churn v2/ })
      .first()
      .waitFor();

    // The deployments list: the traffic split as a bar.
    await page.getByRole('link', { name: 'Deployments' }).click();
    const deployments = page.getByRole('table', { name: 'Deployments' });
    await deployments
      .getByRole('img', { name: 'Traffic: v1 70% (primary), v2 30% (canary)' })
      .waitFor({ timeout: 10_000 });
    await shot('21-deployments');

    // The deployment: serving state, charts from /stats and the monitor reports, events.
    await deployments.getByRole('link', { name: 'churn-live' }).click();
    await page.getByRole('heading', { name: 'Deployment churn-live' }).waitFor();
    await page.getByRole('img', { name: 'Latency (p50 solid, p99 dashed)' }).waitFor();
    await page.getByRole('img', { name: 'Requests and errors per minute' }).waitFor();
    await page.getByRole('img', { name: 'PSI per feature over time' }).waitFor();
    expect(
      await page.getByRole('list', { name: 'Latency (p50 solid, p99 dashed) legend' }).textContent(),
    ).toMatch(/v1 primary p50.*v1 primary p99.*v2 canary p50/);
    expect(await page.getByLabel('Traffic totals').textContent()).toMatch(/^\d+ requests, 2 errors/);
    const report = page.getByRole('group', { name: 'Latest monitor report' });
    expect(await report.textContent()).toContain('Drift');
    expect(await report.textContent()).toContain('tenure_months');
    const events = page.getByRole('table', { name: 'Events' });
    expect(await events.textContent()).toContain('Rolled out v2 (canary at 30%)');
    expect(await events.getByRole('row').nth(1).textContent()).toContain('Drift:');

    await shot('22-deployment');
    const scrollTo = (heading: string | RegExp) =>
      page.getByRole('heading', { name: heading }).evaluate((e) => e.scrollIntoView({ block: 'start' }));
    await scrollTo(/^Drift/);
    await shot('23-deployment-drift');

    // Try it: a prediction from the serving version's features, prefilled from the training data.
    expect(await page.getByLabel(/^contract/).inputValue()).not.toBe('');
    await page.getByLabel(/^tenure_months/).fill('3');
    await page.getByRole('button', { name: 'Predict', exact: true }).click();
    const prediction = page.getByRole('region', { name: 'Prediction' });
    await expect.poll(() => prediction.textContent()).toMatch(/Prediction\s*[01]\s*from v[12]/);
    expect(
      await prediction.getByRole('list', { name: 'Class probabilities' }).getByRole('listitem').count(),
    ).toBe(2);
    await scrollTo('Try it');
    await shot('24-deployment-try-it');
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await scrollTo('Deployment churn-live');
    await shot('25-deployment-dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();

    // Controls: the canary's share, then promote it, then roll back.
    await page.getByLabel('Canary traffic (%)').fill('50');
    await page.getByRole('button', { name: 'Set traffic' }).click();
    await page.getByRole('img', { name: 'Traffic: v1 50% (primary), v2 50% (canary)' }).waitFor();
    await page.getByRole('button', { name: 'Promote v2' }).click();
    await page.getByRole('img', { name: 'Traffic: v2 100% (primary), v1 on standby' }).waitFor();
    await page.getByLabel('Rollback reason').fill('studio check');
    page.once('dialog', (d) => void d.accept());
    await page.getByRole('button', { name: 'Roll back' }).click();
    await page.getByRole('img', { name: 'Traffic: v1 100% (primary)' }).waitFor();
    await expect.poll(() => events.textContent()).toContain('Rolled back to v1: studio check');
    await shot('26-deployment-rolled-back');
    // The rollout form takes a registered version back as a canary; the model page in the dark theme.
    await page.getByLabel('Version to roll out').selectOption('2');
    await page.getByLabel('Rollout strategy').selectOption('canary');
    await page.getByLabel('Canary share of the rollout (%)').fill('20');
    await page.getByRole('button', { name: 'Roll out' }).click();
    await page.getByRole('img', { name: 'Traffic: v1 80% (primary), v2 20% (canary)' }).waitFor();
    await page.getByRole('button', { name: 'Switch to dark theme' }).click();
    await page.getByRole('link', { name: 'churn', exact: true }).first().click();
    await page.getByRole('table', { name: 'Versions' }).waitFor();
    await page.getByRole('heading', { name: 'Intended use' }).waitFor();
    await page.getByRole('link', { name: 'churn-studio', exact: true }).waitFor();
    await shot('27-model-dark');
    await page.getByRole('button', { name: 'Switch to light theme' }).click();
    await page.setViewportSize({ width: 1440, height: 900 });
    expect(consoleErrors).toEqual([]);
  });
});
