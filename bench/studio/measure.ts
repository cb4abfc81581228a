/// <reference lib="dom" />
import type { Browser, Page } from 'playwright-core';
import { type Probe, installProbe } from './probe';

declare global {
  interface Window {
    __bench: Probe;
    __select?: Promise<number>;
  }
}

export interface LoadFigures {
  firstRenderMs: number;
  visibleNodes: number;
}

export interface InteractionFigures {
  selectMs: number[];
  dragFrameMs: number[];
  panFrameMs: number[];
}

const VIEWPORT = { width: 1440, height: 900 };
const MOVES = 60;

/** Opens `url` in a fresh context (cold cache) with the token set, and waits for the first render to settle. */
export async function openPage(
  browser: Browser,
  url: string,
  token: string,
): Promise<{ page: Page; load: LoadFigures }> {
  const context = await browser.newContext({ viewport: VIEWPORT });
  await context.addInitScript(installProbe);
  await context.addInitScript((t) => localStorage.setItem('kiln.token', t), token);
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  await page.goto(url);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await page.evaluate(() => window.__bench.firstRender());
    if (r.settled) return { page, load: { firstRenderMs: r.ms, visibleNodes: r.visibleNodes } };
    if (errors.length || Date.now() > deadline)
      throw new Error(`${url} did not settle: ${errors.join('; ') || JSON.stringify(r)}`);
    await page.waitForTimeout(250);
  }
}

const nextFrame = (page: Page) =>
  page.evaluate(() => new Promise<void>((resolve) => requestAnimationFrame(() => resolve())));

/** Nodes whose centre is on screen and not covered (by the minimap, controls or another node), nearest the canvas centre first. */
function visibleNodeCentres(page: Page): Promise<{ id: string; x: number; y: number }[]> {
  return page.evaluate(() => {
    const pane = document.querySelector('.react-flow')!.getBoundingClientRect();
    const cx = pane.left + pane.width / 2;
    const cy = pane.top + pane.height / 2;
    return [...document.querySelectorAll<HTMLElement>('.react-flow__node')]
      .map((el) => {
        const r = el.getBoundingClientRect();
        return { el, id: el.dataset.id!, x: r.left + r.width / 2, y: r.top + r.height / 2 };
      })
      .filter((n) => document.elementFromPoint(n.x, n.y)?.closest('.react-flow__node') === n.el)
      .map(({ id, x, y }) => ({ id, x, y }))
      .sort((a, b) => Math.hypot(a.x - cx, a.y - cy) - Math.hypot(b.x - cx, b.y - cy));
  });
}

/** A point of empty pane nearest the canvas centre, to start a pan from. */
function emptyPanePoint(page: Page): Promise<{ x: number; y: number }> {
  return page.evaluate(() => {
    const pane = document.querySelector('.react-flow')!.getBoundingClientRect();
    const cx = pane.left + pane.width / 2;
    const cy = pane.top + pane.height / 2;
    for (let d = 0; d < pane.width / 2; d += 8)
      for (let a = 0; a < 360; a += 15) {
        const x = cx + d * Math.cos((a * Math.PI) / 180);
        const y = cy + d * Math.sin((a * Math.PI) / 180);
        if (document.elementFromPoint(x, y)?.classList.contains('react-flow__pane')) return { x, y };
      }
    throw new Error('no empty pane to pan from');
  });
}

/** Mouse down at `from`, one move a frame (MOVES of them), mouse up: the duration of each frame that handled a move. */
async function scriptedDrag(page: Page, from: { x: number; y: number }): Promise<number[]> {
  await page.mouse.move(from.x, from.y);
  await nextFrame(page);
  await page.evaluate(() => window.__bench.startFrames());
  await page.mouse.down();
  for (let i = 1; i <= MOVES; i++) {
    await page.mouse.move(from.x + i * 4, from.y + i * 2);
    await nextFrame(page);
  }
  await page.mouse.up();
  await nextFrame(page);
  await nextFrame(page);
  return page.evaluate(() => window.__bench.stopFrames());
}

/** Selects up to `count` nodes one after the other, then drags a node, then pans the canvas. */
export async function measureInteractions(page: Page, count = 10): Promise<InteractionFigures> {
  const candidates = await visibleNodeCentres(page);
  if (candidates.length < 2) throw new Error('too few nodes on screen to click');
  const selectMs: number[] = [];
  for (const n of candidates.slice(1, count + 1)) {
    await page.mouse.move(n.x, n.y);
    await page.evaluate((id) => void (window.__select = window.__bench.armSelect(id)), n.id);
    await page.mouse.down();
    await page.mouse.up();
    selectMs.push(await page.evaluate(() => window.__select!));
    await page.waitForTimeout(100);
  }
  const dragFrameMs = await scriptedDrag(page, candidates[0]!);
  await page.waitForTimeout(300);
  const panFrameMs = await scriptedDrag(page, await emptyPanePoint(page));
  return { selectMs, dragFrameMs, panFrameMs };
}
