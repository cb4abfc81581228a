// The Python worker with a real `kiln api`: it registers its node types with a worker token (the
// catalog lists them, served, under their module), the example pipeline (examples/python-nodes:
// ingest → pandas features → scikit-learn trainer → evaluate → gate → deploy) runs through the API
// and its Python-trained ONNX model is evaluated, deployed and served; a registration the API refuses
// stops the worker with the API's message; the studio's palette lists its types (Chromium); a stopped worker's types are unserved and a run needing
// them is refused at start.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, signedInStudio } from '../support/chromium';
import { type ApiProcess, startApiProcess } from '../support/api-process';
import { type Harness, openHarness, tempDir } from '../support/harness';
import {
  PYTHON_EXAMPLE_DIR,
  REPO,
  type PythonWorker,
  sdkPython,
  startPythonWorker,
} from '../support/python-sdk';

const QUEUE = 'python-e2e';
const SERVICE_TOKEN = `kiln_svc_py_${Math.random().toString(36).slice(2)}`;
const artifactsDir = tempDir('kiln-py-api-artifacts-');
let python: string;
let api: ApiProcess;
let h: Harness;
let workerToken: string;
let worker: PythonWorker;

beforeAll(async () => {
  const address = (await openHarness({ workers: false })).address;
  [python, api] = await Promise.all([
    sdkPython(),
    startApiProcess({ temporalAddress: address, artifactsDir, env: { KILN_SERVICE_TOKEN: SERVICE_TOKEN } }),
  ]);
  // Kiln's own workers (cpu, and the workflow), sharing the API's store; deploy.model calls the API.
  h = await openHarness({ queues: ['cpu'], artifactsDir, api: { url: api.url, token: SERVICE_TOKEN } });
  const made = await api.call('POST', '/api/v1/tokens', { name: 'python worker', role: 'worker' });
  expect(made.status, JSON.stringify(made.json)).toBe(201);
  workerToken = made.json.token;
  worker = await startPythonWorker({
    python,
    modules: ['churn_nodes'],
    queue: QUEUE,
    paths: [PYTHON_EXAMPLE_DIR],
    env: {
      TEMPORAL_ADDRESS: h.address,
      KILN_ARTIFACTS: artifactsDir,
      KILN_API_URL: api.url,
      KILN_WORKER_TOKEN: workerToken,
    },
  });
}, 900_000);
afterAll(async () => {
  await worker?.stop();
  await h?.close();
  await api?.stop();
});

it('registers its node types: the catalog lists them under their module, served, with their params schema', async () => {
  expect(worker.output()).toContain(
    'kiln worker: registered churn_py.features, churn_py.train_sklearn as py-',
  );
  const catalog = (await api.call('GET', '/api/v1/catalog')).json as any[];
  const features = catalog.find((t) => t.type === 'churn_py.features');
  expect(features).toMatchObject({
    source: 'churn_nodes',
    language: 'python',
    queue: QUEUE,
    served: true,
    category: 'churn_py',
    title: 'Churn features (pandas)',
  });
  expect(features.inputs).toMatchObject({ dataset: { type: 'Dataset' } });
  expect(Object.keys(features.outputs).sort()).toEqual(['test', 'train']);
  expect(features.paramsJsonSchema).toMatchObject({
    required: ['target'],
    properties: { test_fraction: { default: 0.25, exclusiveMinimum: 0, exclusiveMaximum: 1 } },
  });
  const train = catalog.find((t) => t.type === 'churn_py.train_sklearn');
  expect(train.paramsJsonSchema.properties.estimator).toMatchObject({
    enum: ['gradient_boosting', 'logistic'],
    default: 'gradient_boosting',
  });
});

it("shows its types in the studio's palette under their module, with forms built from their params schema (Chromium)", async () => {
  const editor = (await api.call('POST', '/api/v1/tokens', { name: 'py palette', role: 'editor' })).json.token as string;
  let browser: Browser | undefined;
  let page: Page | undefined;
  try {
    browser = await launchChromium();
    page = await signedInStudio(browser, api.url, editor, '#/pipelines/new');
    const group = page.getByRole('region', { name: 'Source churn_nodes' });
    const features = group.getByRole('button', { name: 'Add Churn features (pandas) (churn_py.features)' });
    await features.waitFor({ timeout: 60_000 });
    await expect(group.getByRole('heading', { level: 2 }).textContent()).resolves.toContain('churn_nodes');
    await expect(group.getByText('python', { exact: true }).count()).resolves.toBeGreaterThan(0);
    await expect(group.getByRole('button', { name: 'Add Train (scikit-learn) (churn_py.train_sklearn)' }).count()).resolves.toBe(1);
    await expect(page.getByRole('region', { name: 'Source builtin' }).getByRole('button', { name: /churn_py\./ }).count()).resolves.toBe(0);
    // The form comes from the Python type hints' JSON Schema: `target` is required, `test_fraction` has its default.
    await features.click();
    await page.getByRole('textbox', { name: /target/i }).first().waitFor({ timeout: 30_000 });
    await page.screenshot({ path: join(import.meta.dirname, '../studio/screenshots/palette-registered-python.png') });
  } catch (err) {
    await page?.screenshot({ path: join(import.meta.dirname, '../studio/screenshots/palette-registered-python-failed.png') }).catch(() => undefined);
    throw err;
  } finally {
    await browser?.close();
  }
});

it('runs the example through the API: the Python-trained model is evaluated, deployed and served', async () => {
  const spec = JSON.parse(readFileSync(join(PYTHON_EXAMPLE_DIR, 'churn-python.json'), 'utf8'));
  spec.params.properties.data.default = join(REPO, 'examples/churn/churn.csv');
  spec.nodes.find((n: { id: string }) => n.id === 'train').params.n_estimators = 60;
  const created = await api.call('POST', '/api/v1/pipelines', { spec });
  expect(created.status, JSON.stringify(created.json)).toBe(201);
  // The API validates the Python nodes' params against their registered schema.
  const bad = structuredClone(spec);
  bad.name = 'churn-python-bad';
  bad.nodes.find((n: { id: string }) => n.id === 'features').params.test_fraction = 2;
  const refused = await api.call('POST', '/api/v1/pipelines', { spec: bad });
  expect(refused.status).toBe(422);
  expect(JSON.stringify(refused.json.problems)).toContain('nodes[1].params.test_fraction');

  const run = await api.runToEnd(created.json.id, {});
  expect(run.status, JSON.stringify(run.state.nodes, null, 1).slice(0, 4000)).toBe('succeeded');
  expect(run.state.nodes.train.queue).toBe(QUEUE);
  expect(run.state.nodes.evaluate.outputs.metrics.values.roc_auc).toBeGreaterThan(0.8);
  expect(run.state.nodes.deploy.outputs.deployment).toMatchObject({
    name: 'churn-python',
    version: 1,
    role: 'primary',
  });

  const deployment = (await api.call('GET', '/api/v1/deployments/churn-python')).json;
  expect(deployment).toMatchObject({ primaryVersion: 1, ready: true });
  const version = (await api.call('GET', '/api/v1/models/churn-python/versions/1')).json;
  expect(version.model.artifact.digest).toBe(run.state.nodes.train.outputs.model.artifact.digest);
  expect(version.lineage.runId).toBe(run.id);

  const instance = {
    tenure_months: 2,
    monthly_charges: 95.5,
    total_charges: 191,
    contract: 'month-to-month',
    payment_method: 'electronic-check',
    internet_service: 'fiber',
    support_calls: 4,
    senior_citizen: 0,
    charges_per_month_of_tenure: 95.5,
    is_month_to_month: 1,
    calls_per_year: 24,
  };
  const predicted = await api.call('POST', '/api/v1/deployments/churn-python/predict', {
    instances: [
      instance,
      {
        ...instance,
        tenure_months: 70,
        contract: 'two-year',
        is_month_to_month: 0,
        support_calls: 0,
        calls_per_year: 0,
      },
    ],
  });
  expect(predicted.status, JSON.stringify(predicted.json)).toBe(200);
  expect(predicted.json.modelVersion).toBe(1);
  expect(predicted.json.predictions).toHaveLength(2);
  for (const p of predicted.json.predictions) expect([0, 1]).toContain(p);
  for (const row of predicted.json.probabilities) expect(row[0] + row[1]).toBeCloseTo(1, 5);
  // A short-tenure monthly customer with many support calls churns more likely than a loyal one.
  expect(predicted.json.probabilities[0][1]).toBeGreaterThan(predicted.json.probabilities[1][1]);
});

it('stops a worker whose registration the API refuses, with the API’s message', async () => {
  const bad = await startPythonWorker({
    python,
    modules: ['bad_nodes'],
    queue: 'python-bad',
    paths: [import.meta.dirname],
    env: {
      TEMPORAL_ADDRESS: h.address,
      KILN_ARTIFACTS: artifactsDir,
      KILN_API_URL: api.url,
      KILN_WORKER_TOKEN: workerToken,
    },
    expectExit: true,
  });
  expect(await bad.exited).toBe(2);
  expect(bad.output()).toMatch(
    /the API refused the registration of bad_nodes \(400\): .*train\.gbdt is a built-in node type/,
  );
  expect(bad.output()).not.toContain('kiln worker: serving');
});

it('ends its registration when it stops: its types stay listed, unserved, and a run needing them is refused', async () => {
  expect(await worker.stop(), worker.output()).toBe(0);
  const features = ((await api.call('GET', '/api/v1/catalog')).json as any[]).find(
    (t) => t.type === 'churn_py.features',
  );
  expect(features).toMatchObject({ served: false, source: 'churn_nodes' });
  const pipeline = (await api.call('GET', '/api/v1/pipelines')).json.find(
    (p: { name: string }) => p.name === 'churn-python',
  );
  const run = await api.call('POST', `/api/v1/pipelines/${pipeline.id}/runs`, { params: {} });
  expect(run.status, JSON.stringify(run.json)).toBe(409);
  expect(run.json.message).toMatch(/no live worker serves node types? .*churn_py\.features/);
});
