import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type Harness, openHarness, tempDir } from '../support/harness';
import { type ApiProcess, eventually, startApiProcess } from '../support/api-process';
import { startWorkerProcess, stopProcess } from '../support/worker-process';
import { kiln } from '../support/kiln-process';
import { launchChromium, signedInStudio } from '../support/chromium';

// A TypeScript node package of a team's own (examples/ts-nodes), copied outside this repository
// with its own package.json (`@kiln/sdk` by a file: path, installed by npm), served by a real
// `kiln worker` from that folder (its kiln.config.ts), registered with a real `kiln api`: the
// studio's palette lists it under its package (Chromium), a pipeline mixing it with built-ins runs
// end to end on Temporal, and once the worker stops, a run that needs it is refused at start.

const REPO = resolve(import.meta.dirname, '../..');
const SHOTS = join(import.meta.dirname, '../studio/screenshots');
const SOURCE = '@kiln-examples/ts-nodes';

let h: Harness;
let api: ApiProcess;
let worker: ChildProcess | undefined;
let workerLog = '';
let workerToken: string;
let editor: string;
let pkgDir: string;
const artifactsDir = tempDir('kiln-ts-nodes-artifacts-');

beforeAll(async () => {
  h = await openHarness({ workers: false });
  api = await startApiProcess({ temporalAddress: h.address, artifactsDir });
  workerToken = (await api.call('POST', '/api/v1/tokens', { name: 'ts-nodes worker', role: 'worker' })).json.token;
  editor = (await api.call('POST', '/api/v1/tokens', { name: 'ed', role: 'editor' })).json.token;
  // The example as a user's own repository: outside this checkout, @kiln/sdk from a file: path.
  pkgDir = join(tempDir('kiln-user-repo-'), 'ts-nodes');
  cpSync(join(REPO, 'examples/ts-nodes'), pkgDir, { recursive: true, filter: (p) => !p.includes('node_modules') });
  const manifest = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
  manifest.dependencies['@kiln/sdk'] = `file:${join(REPO, 'sdk/ts')}`;
  writeFileSync(join(pkgDir, 'package.json'), JSON.stringify(manifest, null, 2));
  execFileSync('npm', ['install', '--offline', '--no-audit', '--no-fund'], { cwd: pkgDir, stdio: 'pipe' });
});

afterAll(async () => {
  if (worker) await stopProcess(worker);
  await api?.stop();
  await h?.close();
});

const startWorker = async () => {
  worker = await startWorkerProcess(h.address, 'cpu,gpu', {
    cwd: pkgDir,
    env: { KILN_API_URL: api.url, KILN_WORKER_TOKEN: workerToken, KILN_API_TOKEN: null, KILN_ARTIFACTS: artifactsDir },
    onStderr: (text) => (workerLog += text),
  });
};

describe('a TypeScript node package of its own', () => {
  it('passes its own unit tests outside the repository (vitest, @kiln/sdk/testing)', () => {
    const out = execFileSync(process.execPath, [join(REPO, 'node_modules/vitest/vitest.mjs'), 'run'], { cwd: pkgDir, encoding: 'utf8', stdio: 'pipe' });
    expect(out).toContain('3 passed');
  });

  it('refuses a module whose exports are not all node definitions (exit 2, naming the module)', async () => {
    const dir = tempDir('kiln-bad-nodes-');
    writeFileSync(join(dir, 'not-nodes.mjs'), 'export const helper = () => 1;\n');
    const bad = await kiln(['worker', '--nodes', './not-nodes.mjs', '--temporal-address', h.address], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('./not-nodes.mjs: export "helper" is not a node definition');
    mkdirSync(join(dir, 'pkg'));
    writeFileSync(join(dir, 'pkg/index.mjs'), `export default [{ type: 'Bad', version: 1 }];\n`);
    const listed = await kiln(['worker', '--nodes', './pkg/index.mjs', '--temporal-address', h.address], { cwd: dir });
    expect(listed.code).toBe(2);
    expect(listed.stderr).toContain("./pkg/index.mjs: the default export's item 0 is not a node definition");
  });

  it('registers its types from kiln.config.ts, listed under its package in the catalog and the palette', async () => {
    await startWorker();
    expect(workerLog).toContain(`registered tsnodes.profile@1, tsnodes.ratio@1 from ${SOURCE} on queue nodes.kiln-examples.ts-nodes`);
    const catalog = (await api.call('GET', '/api/v1/catalog', undefined, editor)).json as any[];
    const ratio = catalog.find((t) => t.type === 'tsnodes.ratio');
    expect(ratio).toMatchObject({ source: SOURCE, language: 'typescript', served: true, queue: 'nodes.kiln-examples.ts-nodes', title: 'Ratio feature' });
    expect(ratio.paramsJsonSchema.required).toEqual(['numerator', 'denominator', 'output']);

    let browser: Browser | undefined;
    let page: Page | undefined;
    try {
      browser = await launchChromium();
      page = await signedInStudio(browser, api.url, editor, '#/pipelines/new');
      const group = page.getByRole('region', { name: `Source ${SOURCE}` });
      await group.getByRole('button', { name: 'Add Ratio feature (tsnodes.ratio)' }).waitFor({ timeout: 60_000 });
      await expect(group.getByRole('heading', { level: 2 }).textContent()).resolves.toContain(SOURCE);
      await expect(group.getByRole('button', { name: 'Add Profile a dataset (tsnodes.profile)' }).count()).resolves.toBe(1);
      // Built-ins stay under Kiln's own heading, the package's types only under the package.
      await expect(page.getByRole('region', { name: 'Source builtin' }).getByRole('button', { name: /tsnodes\./ }).count()).resolves.toBe(0);
      // Its form is built from the registered params schema.
      await group.getByRole('button', { name: 'Add Ratio feature (tsnodes.ratio)' }).click();
      await page.getByRole('textbox', { name: /numerator/i }).first().waitFor({ timeout: 30_000 });
      await page.screenshot({ path: join(SHOTS, 'palette-registered-ts.png') });
    } catch (err) {
      await page?.screenshot({ path: join(SHOTS, 'palette-registered-ts-failed.png') }).catch(() => undefined);
      throw err;
    } finally {
      await browser?.close();
    }
  });

  it('runs a pipeline mixing its types with built-ins on Temporal', async () => {
    const spec = JSON.parse(readFileSync(join(REPO, 'examples/ts-nodes/ratio-churn.json'), 'utf8'));
    const created = await api.call('POST', '/api/v1/pipelines', { spec }, editor);
    expect(created.status, JSON.stringify(created.json)).toBe(201);
    const started = await api.call('POST', `/api/v1/pipelines/${created.json.id}/runs`, { params: { data: join(REPO, 'examples/churn/churn.csv') } }, editor);
    expect(started.status, JSON.stringify(started.json)).toBe(201);
    const run = await api.settled(started.json.runId);
    expect(run.status, JSON.stringify(run.state.nodes)).toBe('succeeded');
    const nodes = run.state.nodes;
    expect(nodes.ratio.queue).toBe('nodes.kiln-examples.ts-nodes');
    expect(nodes.train.queue).toBe('cpu');
    expect(nodes.ratio.outputs.dataset.schema.at(-1)).toEqual({ name: 'charge_per_month', type: 'float', nullable: true });
    expect(nodes.ratio.outputs.dataset.rowCount).toBe(2000);
    expect(nodes.profile.outputs.report.summary.rows).toBe(2000);
    expect(nodes.profile.outputs.report.summary.charge_per_month.mean).toBeGreaterThan(0);
    expect(nodes.evaluate.outputs.metrics.values.roc_auc).toBeGreaterThan(0.7);
    // The model was trained on the TypeScript node's feature.
    expect(nodes.train.outputs.model.features.map((f: { name: string }) => f.name)).toContain('charge_per_month');
    // The node's log line, written through ctx.log, is in its attempt's log.
    const log = await api.call('GET', `/api/v1/runs/${started.json.runId}/nodes/ratio/logs`, undefined, editor);
    expect(JSON.stringify(log.json)).toContain('charge_per_month = total_charges / tenure_months on 2000 rows');
  });

  it('deregisters on SIGTERM: the types stay listed, unserved, and a run needing them is refused at start', async () => {
    await stopProcess(worker!);
    worker = undefined;
    expect(workerLog).toContain(`deregistered ${SOURCE}`);
    const ratio = ((await api.call('GET', '/api/v1/catalog', undefined, editor)).json as any[]).find((t) => t.type === 'tsnodes.ratio');
    expect(ratio).toMatchObject({ source: SOURCE, served: false });
    const pipeline = ((await api.call('GET', '/api/v1/pipelines', undefined, editor)).json as any[]).find((p) => p.name === 'ratio-churn');
    const refused = await eventually(async () => {
      const r = await api.call('POST', `/api/v1/pipelines/${pipeline.id}/runs`, { params: {} }, editor);
      return r.status === 409 ? r : undefined;
    }, 10_000, 'a refused start');
    expect(refused.json.message).toContain('no live worker serves node types tsnodes.ratio, tsnodes.profile');
    expect(refused.json.problems.map((p: { nodeId: string }) => p.nodeId)).toEqual(['ratio', 'profile']);
    expect(refused.json.problems[0].message).toContain(`kiln worker --nodes ${SOURCE}`);
  });
});
