// bench/studio: the studio's editor in Chromium — time to first render, select, drag and pan — on
// pipelines of 50, 500 and 2,000 nodes, each figure beside a bare @xyflow/react page drawing the same
// graph with default nodes, built by the same Vite and measured in the same run.
// Usage: npm run studio -w @kiln/bench   (BENCH_SIZES=50,500 BENCH_LOADS=3 to change the runs)
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startDevServer } from '@kiln/engine/temporal';
import { startApiProcess } from '@kiln/test/support/api-process';
import { launchChromium } from '@kiln/test/support/chromium';
// The test support's module augmentation (vitest's provided context), which api-process's harness import relies on.
import type {} from '@kiln/test/support/global-setup';
import { buildBarePage, serveBarePage } from './bare-site';
import { ensureStudioBuilt } from '@kiln/api';
import { type InteractionFigures, type LoadFigures, measureInteractions, openPage } from './measure';
import { layeredSpec } from './pipeline-spec';
import { median, percentile, row } from './report';

const here = dirname(fileURLToPath(import.meta.url));
const SIZES = (process.env.BENCH_SIZES ?? '50,500,2000').split(',').map(Number);
const LOADS = Number(process.env.BENCH_LOADS ?? 3);

interface Side {
  loads: LoadFigures[];
  interactions?: InteractionFigures;
}

async function main() {
  await ensureStudioBuilt((line) => console.log(line));
  const temporal = await startDevServer();
  const api = await startApiProcess({ temporalAddress: temporal.address });
  const bare = await serveBarePage(await buildBarePage(), api.url);
  const browser = await launchChromium();
  const results: Record<number, { edges: number; kiln: Side; bare: Side }> = {};
  try {
    for (const size of SIZES) {
      const spec = layeredSpec(`bench-studio-${size}`, size);
      const created = await api.call('POST', '/api/v1/pipelines', { spec });
      if (created.status !== 201)
        throw new Error(`cannot create the ${size}-node pipeline: ${JSON.stringify(created.json)}`);
      const urls = {
        kiln: `${api.url}/#/pipelines/${created.json.id}`,
        bare: `${bare.url}/?pipeline=${created.json.id}`,
      };
      const sides = { kiln: { loads: [] as LoadFigures[] }, bare: { loads: [] as LoadFigures[] } } as Record<
        'kiln' | 'bare',
        Side
      >;
      // Loads alternate between the two pages, so both see the same machine noise; each load is then
      // driven (select, drag, pan) and the samples of all loads are pooled.
      for (let i = 0; i < LOADS; i++) {
        for (const side of ['kiln', 'bare'] as const) {
          const { page, load } = await openPage(browser, urls[side], api.adminToken);
          sides[side].loads.push(load);
          const driven = await measureInteractions(page);
          const pooled = sides[side].interactions;
          sides[side].interactions = pooled
            ? {
                selectMs: [...pooled.selectMs, ...driven.selectMs],
                dragFrameMs: [...pooled.dragFrameMs, ...driven.dragFrameMs],
                panFrameMs: [...pooled.panFrameMs, ...driven.panFrameMs],
              }
            : driven;
          await page.context().close();
        }
      }
      results[size] = { edges: spec.edges!.length, ...sides };
      print(size, results[size]);
    }
    const out = join(here, '..', 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, 'studio.json'),
      JSON.stringify({ at: new Date().toISOString(), chromium: browser.version(), results }, null, 2),
    );
  } finally {
    await browser.close();
    await bare.close();
    await api.stop();
    await temporal.stop();
  }
}

function print(size: number, r: { edges: number; kiln: Side; bare: Side }) {
  const figures = ({ loads, interactions }: Side) => ({
    render: median(loads.map((l) => l.firstRenderMs)),
    drawn: loads.at(-1)!.visibleNodes,
    select: median(interactions!.selectMs),
    drag: interactions!.dragFrameMs,
    pan: interactions!.panFrameMs,
  });
  const k = figures(r.kiln);
  const b = figures(r.bare);
  console.log(
    `\n${size} nodes, ${r.edges} edges — nodes in the DOM after first render: kiln ${k.drawn}, bare ${b.drawn}; ` +
      `frames pooled over ${r.kiln.loads.length} loads: drag ${k.drag.length}/${b.drag.length}, pan ${k.pan.length}/${b.pan.length}; ` +
      `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} CPUs`,
  );
  console.log(row(`first render (median of ${r.kiln.loads.length})`, k.render, b.render));
  console.log(row('select a node (median)', k.select, b.select));
  console.log(row('drag frame (median)', median(k.drag), median(b.drag)));
  console.log(row('drag frame (p95)', percentile(k.drag, 95), percentile(b.drag, 95)));
  console.log(row('pan frame (median)', median(k.pan), median(b.pan)));
  console.log(row('pan frame (p95)', percentile(k.pan, 95), percentile(b.pan, 95)));
}

console.log(
  'bench/studio — Chromium headless (--disable-gpu), 1440×900; first render = navigation start to the end of the first frame that ' +
    'draws the final visible nodes in the final viewport (cold cache); frame = first pointer event of a frame to the end of its rendering',
);
await main();
