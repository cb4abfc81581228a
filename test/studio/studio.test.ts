import { ensureStudioBuilt } from '@kiln/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Browser, type Page, chromium } from 'playwright-core';
import { type Harness, openHarness } from '../support/harness';
import { type ApiProcess, startApiProcess } from '../support/api-process';

const SHOTS = join(import.meta.dirname, 'screenshots');
const CHROMIUM = process.env.KILN_CHROMIUM ?? '/usr/bin/chromium';

let h: Harness;
let api: ApiProcess;
let browser: Browser;
let page: Page;
const consoleErrors: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `the studio browser test needs Chromium at ${CHROMIUM}: install it with "apt-get install -y chromium" (or set KILN_CHROMIUM)`,
    );
  }
  await ensureStudioBuilt();
  mkdirSync(SHOTS, { recursive: true });
  // The in-process workers and the API share one artifact store, so the studio can fetch reports.
  const artifacts = mkdtempSync(join(tmpdir(), 'kiln-studio-artifacts-'));
  h = await openHarness({ artifactsDir: artifacts });
  api = await startApiProcess({ temporalAddress: h.address, env: { KILN_ARTIFACTS: artifacts } });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
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

    // command_1 before command_2; then the reverse, which would make a cycle, is refused with the reason.
    await dragBetween('command_1: done (order output)', 'command_2: run after (order input)');
    await expect.poll(() => page.locator('.react-flow__edge').count()).toBe(1);
    await dragBetween('command_2: done (order output)', 'command_1: run after (order input)');
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toContain('Connection refused: it would make a cycle: command_1 → command_2 → command_1');
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
        'Connection refused: output "file_1.dataset" is Dataset but input "model_1.model" takes Model.',
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
});
