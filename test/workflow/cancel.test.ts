import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { awaitRun } from '@kiln/engine/temporal';
import { type Harness, cmd, openHarness, spec, start, tempDir, waitFor } from '../support/harness';
import { isRunning, waitGone } from '../support/processes';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(() => h.close());

it('cancelling a run kills running commands and marks every unfinished node cancelled', async () => {
  const dir = tempDir();
  const handle = await start(
    h,
    spec(
      'cancel-me',
      [
        cmd('quick', 'echo done'),
        cmd('long1', `echo $$ > ${join(dir, 'long1')}; sleep 120 & wait`),
        cmd('long2', `echo $$ > ${join(dir, 'long2')}; sleep 120 & wait`),
        cmd('after', 'echo never'),
      ],
      [
        { from: 'quick', to: 'long1' },
        { from: 'quick', to: 'long2' },
        { from: 'long1', to: 'after' },
      ],
    ),
  );
  await waitFor(handle, (s) => s.nodes.long1!.status === 'running' && s.nodes.long2!.status === 'running');
  // Wait until both shells have really started.
  const deadline = Date.now() + 10_000;
  while (!(existsSync(join(dir, 'long1')) && existsSync(join(dir, 'long2'))) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
  }
  const pids = ['long1', 'long2'].map((f) => Number(readFileSync(join(dir, f), 'utf8')));
  for (const pid of pids) expect(isRunning(pid)).toBe(true);

  const cancelledAt = Date.now();
  await handle.cancel();
  const state = await awaitRun(handle);
  expect(Date.now() - cancelledAt).toBeLessThan(15_000);

  expect(state.status).toBe('cancelled');
  expect(state.nodes.quick!.status).toBe('succeeded');
  expect(state.nodes.long1!.status).toBe('cancelled');
  expect(state.nodes.long2!.status).toBe('cancelled');
  expect(state.nodes.after).toMatchObject({ status: 'cancelled', reason: 'the run was cancelled' });
  for (const pid of pids) expect(await waitGone(pid)).toBe(true);
  const description = await handle.describe();
  expect(description.status.name).toBe('CANCELLED');
});
