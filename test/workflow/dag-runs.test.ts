import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { awaitRun } from '@kiln/engine/temporal';
import { type Harness, cmd, openHarness, run, spec, start, tempDir, waitFor } from '../support/harness';
import { waitGone } from '../support/processes';

let h: Harness;
beforeAll(async () => {
  h = await openHarness({ queues: ['cpu', 'gpu', 'special'] });
});
afterAll(() => h.close());

/** Reads "start end" millisecond stamps a command wrote. */
function interval(file: string): [number, number] {
  const [s, e] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
  return [s!, e!];
}
const stamped = (dir: string, id: string, seconds: number) =>
  cmd(id, `s=$(date +%s%3N); sleep ${seconds}; echo "$s $(date +%s%3N)" > ${join(dir, id)}`);

describe('the DAG workflow on a real Temporal server', () => {
  it('runs a linear chain in order and passes outputs', async () => {
    const state = await run(
      h,
      spec('linear', [cmd('a', 'echo one'), cmd('b', 'echo two'), cmd('c', 'echo three')], [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'c' },
      ]),
    );
    expect(state.status).toBe('succeeded');
    expect(Object.values(state.nodes).map((n) => n.outputs?.stdout)).toEqual(['one\n', 'two\n', 'three\n']);
    const a = state.nodes.a!;
    const b = state.nodes.b!;
    const c = state.nodes.c!;
    expect(Date.parse(a.endedAt!)).toBeLessThanOrEqual(Date.parse(b.startedAt!));
    expect(Date.parse(b.endedAt!)).toBeLessThanOrEqual(Date.parse(c.startedAt!));
  });

  it('runs the branches of a diamond at the same time', async () => {
    const dir = tempDir();
    const state = await run(
      h,
      spec('diamond', [cmd('a', 'true'), stamped(dir, 'b', 1), stamped(dir, 'c', 1), { id: 'd', type: 'core.noop' }], [
        { from: 'a', to: 'b' },
        { from: 'a', to: 'c' },
        { from: 'b', to: 'd' },
        { from: 'c', to: 'd' },
      ]),
    );
    expect(state.status).toBe('succeeded');
    const [bs, be] = interval(join(dir, 'b'));
    const [cs, ce] = interval(join(dir, 'c'));
    // The two one-second sleeps overlapped in time.
    expect(Math.min(be, ce) - Math.max(bs, cs)).toBeGreaterThan(500);
    expect(Date.parse(state.nodes.d!.startedAt!)).toBeGreaterThanOrEqual(Math.max(be, ce) - 5);
  });

  it('retries a failing node and succeeds on a later attempt', async () => {
    const marker = join(tempDir(), 'marker');
    const state = await run(
      h,
      spec('retry', [
        cmd('flaky', `if [ -f ${marker} ]; then echo ok; else touch ${marker}; echo boom >&2; exit 3; fi`, {
          retry: { maxAttempts: 3, initialIntervalSeconds: 0.1 },
        }),
      ]),
    );
    expect(state.nodes.flaky).toMatchObject({ status: 'succeeded', attempts: 2, outputs: { stdout: 'ok\n' } });
  });

  it('stops retrying after maxAttempts and says why, with the stderr tail', async () => {
    const state = await run(
      h,
      spec('exhaust', [cmd('bad', 'echo "disk full" >&2; exit 7', { retry: { maxAttempts: 2, initialIntervalSeconds: 0.1 } })]),
    );
    expect(state.status).toBe('failed');
    expect(state.nodes.bad).toMatchObject({
      status: 'failed',
      attempts: 2,
      error: { type: 'CommandFailed', message: 'command exited with code 7: disk full' },
    });
  });

  it('lets independent branches finish and skips what is below a failure', async () => {
    const state = await run(
      h,
      spec(
        'partial',
        [cmd('bad', 'exit 1'), cmd('below', 'echo never'), cmd('deeper', 'echo never'), cmd('other', 'sleep 0.5; echo fine')],
        [
          { from: 'bad', to: 'below' },
          { from: 'below', to: 'deeper' },
        ],
      ),
    );
    expect(state.status).toBe('failed');
    expect(state.nodes.bad!.status).toBe('failed');
    expect(state.nodes.below).toMatchObject({ status: 'skipped', reason: 'upstream node "bad" failed' });
    expect(state.nodes.deeper!.status).toBe('skipped');
    expect(state.nodes.other).toMatchObject({ status: 'succeeded', outputs: { stdout: 'fine\n' } });
  });

  it('with failFast, stops the whole run at the first failure', async () => {
    const started = Date.now();
    const state = await run(
      h,
      spec('fast', [cmd('bad', 'sleep 0.3; exit 1'), cmd('slow', 'sleep 60'), cmd('after', 'true')], [{ from: 'slow', to: 'after' }], {
        failFast: true,
      }),
    );
    expect(state.status).toBe('failed');
    expect(state.nodes.bad!.status).toBe('failed');
    expect(state.nodes.slow!.status).toBe('cancelled');
    expect(state.nodes.after!.status).toBe('skipped');
    expect(Date.now() - started).toBeLessThan(30_000);
  });

  // `slow` starts from `first`'s result callback, not from the run's first pump: failFast must
  // cancel what the scheduler started later in the run too (it schedules inside the run's scope).
  it('with failFast, cancels a node started after the run began', async () => {
    const dir = tempDir();
    const state = await run(
      h,
      spec(
        'fast-later',
        [
          cmd('first', 'true'),
          cmd('slow', `touch ${join(dir, 'slow.started')}; sleep 60`),
          cmd('bad', `while [ ! -f ${join(dir, 'slow.started')} ]; do sleep 0.1; done; exit 1`),
        ],
        [{ from: 'first', to: 'slow' }],
        { failFast: true },
      ),
    );
    expect(state.status).toBe('failed');
    expect(state.nodes.bad!.status).toBe('failed');
    expect(state.nodes.slow!.status).toBe('cancelled');
  });

  it('routes nodes to the cpu, gpu or named queue', async () => {
    const state = await run(
      h,
      spec('routing', [
        cmd('plain', 'echo $KILN_TASK_QUEUE'),
        cmd('gpu', 'echo $KILN_TASK_QUEUE', { resources: { gpu: 1 } }),
        cmd('named', 'echo $KILN_TASK_QUEUE', { resources: { queue: 'special', gpu: 1 } }),
      ]),
    );
    expect(state.nodes.plain).toMatchObject({ queue: 'cpu', outputs: { stdout: 'cpu\n' } });
    expect(state.nodes.gpu).toMatchObject({ queue: 'gpu', outputs: { stdout: 'gpu\n' } });
    expect(state.nodes.named).toMatchObject({ queue: 'special', outputs: { stdout: 'special\n' } });
  });

  it('replaces $param references with run parameter values and defaults', async () => {
    const pipeline = spec('params', [cmd('say', 'unused', { params: { command: { $param: 'cmd' }, env: { WHO: { $param: 'who' } } } })], [], {
      params: { type: 'object', properties: { cmd: { type: 'string', default: 'echo hello $WHO' }, who: { type: 'string' } }, required: ['who'] },
    });
    const state = await run(h, pipeline, { who: 'kiln' });
    expect(state.nodes.say!.outputs!.stdout).toBe('hello kiln\n');
  });

  it('times a node out, kills its process group, and retries within the policy', async () => {
    const pidFile = join(tempDir(), 'pid');
    const state = await run(
      h,
      spec('timeout', [cmd('hang', `sh -c 'echo $$ >> ${pidFile}; sleep 60' & wait`, { timeoutSeconds: 1, retry: { maxAttempts: 2, initialIntervalSeconds: 0.1 } })]),
    );
    expect(state.nodes.hang).toMatchObject({ status: 'failed', attempts: 2, error: { type: 'Timeout' } });
    expect(state.nodes.hang!.error!.message).toContain('timed out after 1 s');
    const pids = readFileSync(pidFile, 'utf8').trim().split('\n').map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) expect(await waitGone(pid)).toBe(true);
  });

  it('feeds one node\'s output into another node\'s params', async () => {
    const state = await run(
      h,
      spec('outputs', [
        { id: 'make', type: 'core.command', params: { command: 'echo \'{"cmd": "echo chained"}\'', outputJson: true } },
        { id: 'use', type: 'core.command', params: { command: { $output: 'make.stdout' } } },
      ]),
    );
    expect(state.nodes.make!.outputs!.json).toEqual({ cmd: 'echo chained' });
    expect(state.nodes.use!.status).toBe('failed');
    expect(state.nodes.use!.error!.message).toContain('{cmd:');
  });

  it('answers the state query while nodes run', async () => {
    const handle = await start(h, spec('live', [cmd('wait', 'sleep 2'), cmd('then', 'true')], [{ from: 'wait', to: 'then' }]));
    const live = await waitFor(handle, (s) => s.nodes.wait?.status === 'running');
    expect(live.status).toBe('running');
    expect(live.nodes.then!.status).toBe('pending');
    expect((await awaitRun(handle)).status).toBe('succeeded');
  });
});
