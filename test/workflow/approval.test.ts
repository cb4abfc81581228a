import { afterAll, beforeAll, expect, it } from 'vitest';
import { APPROVAL_SIGNAL, type ApprovalDecision } from '@kiln/engine';
import { awaitRun } from '@kiln/engine/temporal';
import { type Harness, cmd, openHarness, spec, start, waitFor } from '../support/harness';
import { kiln } from '../support/kiln-process';

let h: Harness;
beforeAll(async () => {
  h = await openHarness();
});
afterAll(() => h.close());

const gated = (name: string, params: Record<string, unknown> = {}) =>
  spec(name, [cmd('train', 'echo trained'), { id: 'review', type: 'gate.approval', params }, cmd('deploy', 'echo deployed')], [
    { from: 'train', to: 'review' },
    { from: 'review', to: 'deploy' },
  ]);

it('an approval lets the downstream run, and records who and why', async () => {
  const handle = await start(h, gated('approve-me', { message: 'check the metrics' }));
  await waitFor(handle, (s) => s.nodes.review!.status === 'running');
  // The CLI sends the decision straight to Temporal.
  const res = await kiln(['approve', handle.workflowId, 'review', '--comment', 'looks good', '--temporal-address', h.address]);
  expect(res.code, res.stderr).toBe(0);
  const state = await awaitRun(handle);
  expect(state.status).toBe('succeeded');
  expect(state.nodes.review!.outputs!.decision).toMatchObject({ decision: 'approved', comment: 'looks good' });
  expect(state.nodes.deploy!.outputs!.stdout).toBe('deployed\n');
});

it('a rejection skips the downstream without failing the run', async () => {
  const handle = await start(h, gated('reject-me'));
  await waitFor(handle, (s) => s.nodes.review!.status === 'running');
  const decision: ApprovalDecision = { nodeId: 'review', decision: 'reject', by: 'ada', comment: 'AUC too low' };
  await handle.signal(APPROVAL_SIGNAL, decision);
  const state = await awaitRun(handle);
  expect(state.status).toBe('succeeded');
  expect(state.nodes.review).toMatchObject({ status: 'succeeded', outputs: { decision: { decision: 'rejected', by: 'ada' } } });
  expect(state.nodes.deploy).toMatchObject({ status: 'skipped', reason: 'rejected by ada: AUC too low' });
});

it('no decision before the timeout rejects; a waiting gate holds no activity slot', async () => {
  const pipeline = spec(
    'timeout-gate',
    [{ id: 'review', type: 'gate.approval', params: { timeoutSeconds: 2 } }, cmd('after', 'true'), cmd('other', 'echo busy')],
    [{ from: 'review', to: 'after' }],
    { maxParallel: 1 },
  );
  const state = await awaitRun(await start(h, pipeline));
  expect(state.nodes.review!.outputs!.decision).toMatchObject({ decision: 'rejected', by: 'timeout' });
  expect(state.nodes.after!.status).toBe('skipped');
  // `other` ran while the gate waited, though only one activity may run at a time.
  expect(Date.parse(state.nodes.other!.endedAt!)).toBeLessThan(Date.parse(state.nodes.review!.endedAt!));
});

it('cancelling a run cancels a waiting gate', async () => {
  const handle = await start(h, gated('cancel-gate'));
  await waitFor(handle, (s) => s.nodes.review!.status === 'running');
  await handle.cancel();
  const state = await awaitRun(handle);
  expect(state.status).toBe('cancelled');
  expect(state.nodes.review!.status).toBe('cancelled');
  expect(state.nodes.deploy!.status).toBe('cancelled');
});

it('resolves its timeout like any node param: a $param timeout waits that long, a bad one fails the node', async () => {
  const pipeline = spec('param-timeout-gate', [{ id: 'review', type: 'gate.approval', params: { timeoutSeconds: { $param: 't' } } }, cmd('after', 'true')], [{ from: 'review', to: 'after' }], {
    params: { type: 'object', properties: { t: { type: 'number', default: 3600 } } },
  });
  const state = await awaitRun(await start(h, pipeline, { t: 1 }));
  expect(state.status).toBe('succeeded');
  expect(state.nodes.review!.outputs!.decision).toMatchObject({ decision: 'rejected', by: 'timeout', comment: 'no decision within 1 s' });
  expect(state.nodes.after!.status).toBe('skipped');

  const bad = await awaitRun(await start(h, pipeline, { t: -5 }));
  expect(bad.nodes.review).toMatchObject({
    status: 'failed',
    error: { type: 'InvalidParams', message: 'params.timeoutSeconds must be a number of seconds above 0 and at most 31536000, got -5' },
  });
  expect(bad.nodes.after!.status).toBe('skipped');
});
