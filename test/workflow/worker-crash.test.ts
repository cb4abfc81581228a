import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
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
afterAll(async () => {
  for (const c of children) await stopProcess(c, 'SIGKILL');
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
