import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { awaitRun } from '@kiln/engine/temporal';
import { type Harness, openHarness, run, spec, start, tempDir } from '../support/harness';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(() => h.close());

const mapped = (id: string, command: unknown, items: unknown, maxParallel?: number) => ({
  id,
  type: 'core.command',
  params: { command },
  map: { items, ...(maxParallel ? { maxParallel } : {}) },
});

it('maps over a run parameter with bounded parallelism and gathers outputs in order', async () => {
  const dir = tempDir();
  const items = Array.from({ length: 9 }, (_, i) => `w${i}`);
  const state = await run(
    h,
    spec(
      'fan-out',
      [
        mapped(
          'work',
          { $item: '' },
          { $param: 'words' },
          3,
        ),
      ],
      [],
      { params: { type: 'object', properties: { words: { type: 'array', items: { type: 'string' } } } } },
    ),
    { words: items.map((w) => `s=$(date +%s%3N); sleep 0.3; echo "$s $(date +%s%3N)" > ${join(dir, w)}; echo ${w}`) },
  );
  expect(state.status).toBe('succeeded');
  expect(state.nodes.work!.items).toEqual({ total: 9, done: 9, failed: 0 });
  expect(state.nodes.work!.outputs!.stdout).toEqual(items.map((w) => `${w}\n`));
  // Never more than 3 at once: at every item's start, count the items running.
  const spans = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8').trim().split(' ').map(Number) as [number, number]);
  const peak = Math.max(...spans.map(([s]) => spans.filter(([s2, e2]) => s2 <= s && s < e2).length));
  expect(peak).toBeLessThanOrEqual(3);
  expect(peak).toBeGreaterThanOrEqual(2);
});

it('maps over an upstream node\'s output', async () => {
  const state = await run(
    h,
    spec('fan-out-upstream', [
      { id: 'list', type: 'core.command', params: { command: `echo '[1, 2, 3, 4]'`, outputJson: true } },
      { id: 'square', type: 'core.command', params: { command: 'echo $((N * N))', env: { N: { $item: '' } } }, map: { items: { $output: 'list.json' } } },
      { id: 'field', type: 'core.command', params: { command: 'true', env: { N: { $item: 'n' } } }, map: { items: { $output: 'list.json' } } },
    ]),
  );
  // env values must be strings: items are numbers, so each item fails validation with a clear message.
  expect(state.nodes.square!.status).toBe('failed');
  expect(state.nodes.square!.error!.message).toMatch(/^item 0 failed: invalid params for core.command: env.N: /);
  expect(state.nodes.field!.error!.message).toBe('item 0: {"$item": "n"}: the item has no field "n" (item: 1)');

  const ok = await run(
    h,
    spec('fan-out-upstream-ok', [
      { id: 'list', type: 'core.command', params: { command: `echo '["1", "2", "3", "4"]'`, outputJson: true } },
      { id: 'square', type: 'core.command', params: { command: 'echo $((N * N))', env: { N: { $item: '' } } }, map: { items: { $output: 'list.json' } } },
      { id: 'sum', type: 'core.command', params: { command: { $output: 'square.stdout' } } },
    ], [{ from: 'square', to: 'sum' }]),
  );
  expect(ok.nodes.square!.outputs!.stdout).toEqual(['1\n', '4\n', '9\n', '16\n']);
  // A list where a string is expected fails the downstream node's param check, naming the param.
  expect(ok.nodes.sum!.error!.message).toContain('command');
});

it('an empty list succeeds with empty outputs; a failing item fails the node after the others stop', async () => {
  const empty = await run(
    h,
    spec('empty', [mapped('none', 'true', [])]),
  );
  expect(empty.nodes.none).toMatchObject({ status: 'succeeded', items: { total: 0, done: 0, failed: 0 } });

  const failing = await run(h, spec('item-fails', [mapped('some', { $item: '' }, ['true', 'exit 4', 'true'], 1)]));
  expect(failing.nodes.some).toMatchObject({ status: 'failed', error: { message: 'item 1 failed: command exited with code 4' } });
  expect(failing.nodes.some!.items).toEqual({ total: 3, done: 1, failed: 1 });
});

it('continues as new in the middle of a map and keeps every finished item', async () => {
  const items = Array.from({ length: 30 }, (_, i) => `echo ${i}`);
  const handle = await start(h, spec('map-can', [mapped('many', { $item: '' }, items, 4)]), {}, { maxHistoryEvents: 40 });
  const state = await awaitRun(handle);
  expect(state.status).toBe('succeeded');
  expect(state.generations).toBeGreaterThanOrEqual(2);
  expect(state.nodes.many!.outputs!.stdout).toEqual(items.map((_, i) => `${i}\n`));
  expect(state.nodes.many!.items).toEqual({ total: 30, done: 30, failed: 0 });
});
