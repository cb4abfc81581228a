import { ensureStudioBuilt } from '@kiln/api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { type ApiProcess, startApiProcess } from '../support/api-process';
import { launchChromium } from '../support/chromium';
import { kiln } from '../support/kiln-process';

// The canvas as a user meets it: pipelines registered with `kiln apply` (no positions), drawn left to
// right, with every title and port label readable. Needs the API and Chromium only (nothing runs).
const SHOTS = join(import.meta.dirname, 'screenshots');
const EXAMPLES = resolve(import.meta.dirname, '../../examples');
const APPLIED = {
  churn: join(EXAMPLES, 'churn/churn.json'),
  'churn-deploy': join(EXAMPLES, 'retrain-loop/churn-deploy.json'),
  'churn-search': join(EXAMPLES, 'churn-search/churn-search.json'),
} as const;

let api: ApiProcess;
let browser: Browser;
let page: Page;
const ids: Record<string, string> = {};
const consoleErrors: string[] = [];

beforeAll(async () => {
  await ensureStudioBuilt();
  mkdirSync(SHOTS, { recursive: true });
  api = await startApiProcess({ temporalAddress: inject('temporalAddress') });
  for (const [name, file] of Object.entries(APPLIED)) {
    const applied = await kiln(['apply', file], {
      env: { KILN_API_URL: api.url, KILN_TOKEN: api.adminToken },
    });
    expect(applied.code, applied.stderr).toBe(0);
    const listed = await api.call('GET', '/api/v1/pipelines');
    const spec = JSON.parse(readFileSync(file, 'utf8')) as { name: string };
    ids[name] = listed.json.find((p: { name: string }) => p.name === spec.name).id;
  }
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.on('console', (msg) => {
    if (msg.type() === 'error') consoleErrors.push(msg.text());
  });
  page.on('pageerror', (err) => consoleErrors.push(String(err)));
  await page.goto(`${api.url}/`);
  await page.evaluate((t) => (globalThis as any).localStorage.setItem('kiln.token', t), api.adminToken);
});

afterAll(async () => {
  await page?.screenshot({ path: join(SHOTS, 'canvas-zz-last.png') }).catch(() => undefined);
  await browser?.close();
  await api?.stop();
});

const shot = (name: string) => page.screenshot({ path: join(SHOTS, `canvas-${name}.png`) });

async function openPipeline(id: string): Promise<void> {
  await page.goto(`${api.url}/#/pipelines/${id}`);
  await page.reload();
  const canvas = page.getByRole('region', { name: 'Pipeline canvas' });
  await canvas.waitFor();
  await expect.poll(() => canvas.getAttribute('aria-busy')).toBe('false');
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
/** What the canvas shows, read in the page: each node's box and its labels' boxes, and clipped labels. */
interface Drawn {
  nodes: { id: string; box: Box; labels: { text: string; box: Box }[]; clipped: string[] }[];
}

/** Every node's box, its title / id-and-type / port label boxes, and labels cut off (scrollWidth > clientWidth, or outside the node). */
const readCanvas = (): Promise<Drawn> =>
  page.evaluate(() => {
    // The page's DOM (this package's types have no DOM library).
    type El = {
      getBoundingClientRect(): {
        x: number;
        y: number;
        width: number;
        height: number;
        left: number;
        right: number;
        bottom: number;
      };
      querySelector(s: string): El | null;
      querySelectorAll(s: string): Iterable<El>;
      getAttribute(name: string): string | null;
      scrollWidth: number;
      clientWidth: number;
      textContent: string | null;
    };
    const document = (globalThis as unknown as { document: El }).document;
    const rect = (e: El) => {
      const r = e.getBoundingClientRect();
      return { x: r.x, y: r.y, width: r.width, height: r.height };
    };
    const nodes = [...document.querySelectorAll('.react-flow__node')].map((el) => {
      const node = el.querySelector('.kiln-node')!;
      const box = rect(node);
      const labelEls = [...node.querySelectorAll('.node-title, .node-type, .port-label')];
      const clipped = labelEls
        .filter((l) => {
          const r = l.getBoundingClientRect();
          const outside =
            r.left < box.x - 0.5 || r.right > box.x + box.width + 0.5 || r.bottom > box.y + box.height + 0.5;
          return l.scrollWidth > l.clientWidth || outside;
        })
        .map((l) => l.textContent ?? '');
      return {
        id: el.getAttribute('data-id')!,
        box,
        labels: labelEls.map((l) => ({ text: l.textContent ?? '', box: rect(l) })),
        clipped,
      };
    });
    return { nodes };
  });

const overlap = (a: Box, b: Box): boolean =>
  a.x < b.x + b.width - 0.5 &&
  b.x < a.x + a.width - 0.5 &&
  a.y < b.y + b.height - 0.5 &&
  b.y < a.y + a.height - 0.5;

/** Pairs of labels that overlap, within a node and across nodes, and pairs of overlapping nodes. */
function overlaps(drawn: Drawn): string[] {
  const found: string[] = [];
  const labels = drawn.nodes.flatMap((n) => n.labels.map((l) => ({ ...l, node: n.id })));
  for (let i = 0; i < labels.length; i++)
    for (let j = i + 1; j < labels.length; j++)
      if (overlap(labels[i]!.box, labels[j]!.box))
        found.push(
          `${labels[i]!.node}: "${labels[i]!.text}" overlaps ${labels[j]!.node}: "${labels[j]!.text}"`,
        );
  for (let i = 0; i < drawn.nodes.length; i++)
    for (let j = i + 1; j < drawn.nodes.length; j++)
      if (overlap(drawn.nodes[i]!.box, drawn.nodes[j]!.box))
        found.push(`node ${drawn.nodes[i]!.id} overlaps node ${drawn.nodes[j]!.id}`);
  return found;
}

describe('the canvas in Chromium', () => {
  it.each(Object.keys(APPLIED))(
    'opens the applied %s pipeline clean, laid out left to right with no label overlapping or clipped',
    async (name) => {
      await openPipeline(ids[name]!);
      const toolbar = page.getByRole('toolbar', { name: 'Editor actions' });
      await expect.poll(() => toolbar.textContent()).toContain('v1');
      await shot(`${name}-applied`);
      expect(await toolbar.textContent()).not.toMatch(/unsaved changes|layout not saved/);

      const spec = JSON.parse(readFileSync(APPLIED[name as keyof typeof APPLIED], 'utf8')) as {
        nodes: { id: string }[];
        edges: { from: string; to: string }[];
      };
      const drawn = await readCanvas();
      expect(drawn.nodes.map((n) => n.id).sort()).toEqual(spec.nodes.map((n) => n.id).sort());
      expect(overlaps(drawn)).toEqual([]);
      expect(drawn.nodes.flatMap((n) => n.clipped.map((c) => `${n.id}: ${c}`))).toEqual([]);
      // Every edge flows left to right: its source ends before its target starts.
      const box = new Map(drawn.nodes.map((n) => [n.id, n.box]));
      const backwards = spec.edges
        .map((e) => [e.from.split('.')[0]!, e.to.split('.')[0]!] as const)
        .filter(([from, to]) => box.get(from)!.x + box.get(from)!.width >= box.get(to)!.x);
      expect(backwards).toEqual([]);

      // Run is allowed at once: the dialog opens, no "save first".
      await page.getByRole('button', { name: '▶ Run' }).click();
      await page.getByRole('dialog').waitFor();
      await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('dialog').waitFor({ state: 'detached' });
    },
  );

  it('saves moved nodes as layout, not as a version, and reopens them where they were left', async () => {
    await openPipeline(ids.churn!);
    const train = page.getByLabel(/^node train: /);
    const before = (await train.boundingBox())!;
    await page.mouse.move(before.x + 20, before.y + 10);
    await page.mouse.down();
    await page.mouse.move(before.x + 60, before.y + 130, { steps: 5 });
    await page.mouse.up();
    const toolbar = page.getByRole('toolbar', { name: 'Editor actions' });
    await expect.poll(() => toolbar.textContent()).toContain('layout not saved');
    expect(await toolbar.textContent()).not.toContain('unsaved changes');
    await page.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent())
      .toContain('Layout saved; the pipeline is unchanged (version 1)');
    expect((await api.call('GET', `/api/v1/pipelines/${ids.churn}/versions`)).json).toHaveLength(1);
    const saved = (await api.call('GET', `/api/v1/pipelines/${ids.churn}`)).json.spec.nodes.find(
      (n: { id: string }) => n.id === 'train',
    ).position;
    await openPipeline(ids.churn!);
    expect(await toolbar.textContent()).not.toMatch(/unsaved changes|layout not saved/);
    // The saved layout is drawn as is (no layout on reopening): the node's flow position is the saved one.
    const transform = await page
      .locator('.react-flow__node[data-id="train"]')
      .evaluate((e) => (e as unknown as { style: { transform: string } }).style.transform);
    expect(transform).toBe(`translate(${saved.x}px, ${saved.y}px)`);
    await shot('churn-moved');
    // The inspector shows what an empty resource field means: train.gbdt's declared default cores.
    await page.getByLabel(/^node train: /).click();
    await expect(page.getByRole('spinbutton', { name: 'CPUs' }).getAttribute('placeholder')).resolves.toBe('type default: 8');
    await expect(page.getByRole('spinbutton', { name: 'GPUs' }).getAttribute('placeholder')).resolves.toBeNull();
  });

  it('serves the sign-in hint and the API docs page with nothing from another host', async () => {
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(`${api.url}/api/docs`);
    await page.locator('.swagger-ui .info').waitFor();
    await page.waitForLoadState('networkidle');
    const origin = new URL(api.url).origin;
    expect(requested.filter((u) => !u.startsWith(origin) && !u.startsWith('data:'))).toEqual([]);
    await shot('api-docs');
    // The sign-in hint shows the command as code, not between literal backticks.
    const context = await browser.newContext();
    const fresh = await context.newPage();
    await fresh.goto(`${api.url}/`);
    const hint = fresh.getByText('prints the admin token on first start');
    await hint.waitFor();
    expect(await hint.textContent()).not.toContain('`');
    expect(await hint.locator('code').textContent()).toBe('kiln up');
    await context.close();
  });

  it('draws every node type of the catalog, imported without positions, with no label overlapping or clipped', async () => {
    const types = (await api.call('GET', '/api/v1/node-types')).json as { type: string }[];
    // The longest title a spec may give (200 characters) on one node, the catalog's titles on the others.
    const nodes = types.map((t, i) => ({
      id: `n${i}`,
      type: t.type,
      ...(i === 0
        ? { title: 'Train gradient-boosted trees on the churn features '.repeat(4).slice(0, 200) }
        : {}),
    }));
    const file = join(mkdtempSync(join(tmpdir(), 'kiln-canvas-')), 'catalog.json');
    writeFileSync(file, JSON.stringify({ apiVersion: 'kiln/v1', name: 'catalog', nodes, edges: [] }));
    await page.goto(`${api.url}/#/pipelines/new`);
    await page.reload();
    await page.getByRole('region', { name: 'Pipeline canvas' }).waitFor();
    await page.locator('input[type=file]').setInputFiles(file);
    await expect.poll(() => page.locator('.react-flow__node').count()).toBe(nodes.length);
    await page.getByRole('button', { name: 'Auto layout' }).click();
    await expect.poll(async () => overlaps(await readCanvas())).toEqual([]);
    await shot('catalog');
    const drawn = await readCanvas();
    expect(drawn.nodes).toHaveLength(nodes.length);
    expect(drawn.nodes.flatMap((n) => n.clipped.map((c) => `${n.id}: ${c}`))).toEqual([]);
    // The long title wraps inside its node instead of being cut.
    const long = drawn.nodes.find((n) => n.id === 'n0')!.labels[0]!;
    expect(long.text).toBe(nodes[0]!.title);
    expect(long.box.height).toBeGreaterThan(20);
    expect(consoleErrors).toEqual([]);
  });
});
