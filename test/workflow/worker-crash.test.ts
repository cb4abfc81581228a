import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { awaitRun } from '@kiln/engine/temporal';
import { type Harness, cmd, openHarness, spec, start, tempDir, waitFor } from '../support/harness';
import { startWorkerProcess, stopProcess } from '../support/worker-process';

let h: Harness;
const children: ChildProcess[] = [];
beforeAll(async () => {
  // No in-process workers: only the `kiln worker` processes below serve this run.
  h = await openHarness({ workers: false });
});
// Each test starts its own workers: one left serving would take the next test's tasks.
afterEach(async () => {
  for (const c of children.splice(0)) await stopProcess(c, 'SIGKILL');
});
afterAll(async () => {
  await h.close();
});

/** The test starts core.command directly on Temporal (no role) and has it write into its own temp folder. */
const WORKER_ENV = { KILN_ALLOW_USER_CODE: 'true', KILN_USER_CODE_ROLES: '*', KILN_USER_CODE_USER: 'root' };

it('a worker killed with SIGKILL mid-activity is replaced and the run completes', async () => {
  const dir = tempDir();
  const first = await startWorkerProcess(h.address, 'cpu,gpu', { env: WORKER_ENV });
  children.push(first);
  const handle = await start(
    h,
    spec(
      'crash',
      [
        cmd('before', 'echo before'),
        cmd('long', `echo "$KILN_ATTEMPT" >> ${join(dir, 'attempts')}; sleep 4; echo finished`, { heartbeatTimeoutSeconds: 2 }),
        cmd('after', 'echo after'),
      ],
      [
        { from: 'before', to: 'long' },
        { from: 'long', to: 'after' },
      ],
    ),
  );
  await waitFor(handle, (s) => s.nodes.long!.status === 'running');
  const deadline = Date.now() + 10_000;
  while (!existsSync(join(dir, 'attempts')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

  await stopProcess(first, 'SIGKILL');
  const second = await startWorkerProcess(h.address, 'cpu,gpu', { env: WORKER_ENV });
  children.push(second);

  const state = await awaitRun(handle);
  expect(state.status).toBe('succeeded');
  expect(state.nodes.long).toMatchObject({ status: 'succeeded', attempts: 2, outputs: { stdout: 'finished\n' } });
  expect(state.nodes.after!.outputs!.stdout).toBe('after\n');
  expect(readFileSync(join(dir, 'attempts'), 'utf8').trim().split('\n')).toEqual(['1', '2']);
});

// The node cache's lease (worker/src/cache): a worker computing a cacheable node holds a lease that
// others wait on; when that worker dies, a waiter takes the lease over once it has been silent for
// LEASE_STALE_MS (30 s), computes once, and the dead worker's retried attempt reuses that result.
it('a cache lease held by a worker killed mid-node is taken over by the worker waiting on it', async () => {
  const dir = tempDir();
  // The first computation hangs (until its worker is killed); any later one finishes at once.
  const command = `n=$(ls ${dir} | wc -l); touch ${dir}/computation-$$; if [ "$n" = 0 ]; then sleep 120; fi; echo computed`;
  const pipeline = spec('lease-takeover', [cmd('slow', command, { cache: true, heartbeatTimeoutSeconds: 2, retry: { maxAttempts: 2, initialIntervalSeconds: 0.1 } })]);
  // One slot, so the second run's node cannot land on the worker that holds the lease.
  const holder = await startWorkerProcess(h.address, 'cpu,gpu', { env: WORKER_ENV, args: ['--concurrency', '1'] });
  children.push(holder);
  const first = await start(h, pipeline);
  await waitFor(first, (s) => s.nodes.slow!.status === 'running');
  const deadline = Date.now() + 30_000;
  while (readdirSync(dir).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(readdirSync(dir)).toHaveLength(1);

  const waiter = await startWorkerProcess(h.address, 'cpu,gpu', { env: WORKER_ENV });
  children.push(waiter);
  const second = await start(h, pipeline);
  await waitFor(second, (s) => s.nodes.slow!.status === 'running');
  await stopProcess(holder, 'SIGKILL');

  const states = await Promise.all([awaitRun(first), awaitRun(second)]);
  expect(states.map((s) => s.status)).toEqual(['succeeded', 'succeeded']);
  // The killed computation and exactly one more: one run computed the node, the other reused it.
  expect(readdirSync(dir)).toHaveLength(2);
  expect(states.map((s) => s.nodes.slow!.status).sort()).toEqual(['cached', 'succeeded']);
  for (const s of states) expect(s.nodes.slow!.outputs!.stdout).toBe('computed\n');
});
