// Rolling upgrades: a run started by one version of the workflow is carried on by the next, which
// replays its history and must make the same decisions. Every recorded history (histories/<version>/,
// made by histories/record.ts) replays on this checkout's workflow code. When a change to
// engine/src/workflow or engine/src/run fails here, guard the new behaviour with `patched()` (or start
// new runs on a new worker build) and record new histories beside the old ones; never re-record the
// old ones to make this pass.
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from '@temporalio/worker';
import { expect, it } from 'vitest';
import { workflowBundle } from '@kiln/worker';

const root = join(import.meta.dirname, 'histories');
const fixtures = readdirSync(root, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    readdirSync(join(root, d.name))
      .filter((f) => f.endsWith('.json'))
      .map((f) => ({ name: `${d.name}/${f}`, history: JSON.parse(readFileSync(join(root, d.name, f), 'utf8')) as { events: { eventType: string }[] } })),
  );

const CLOSED = /^EVENT_TYPE_WORKFLOW_EXECUTION_(COMPLETED|FAILED|CANCELED|CONTINUED_AS_NEW)$/;

it('has whole histories of every shape recorded', () => {
  expect(fixtures.length).toBeGreaterThanOrEqual(7);
  for (const { name, history } of fixtures) expect(history.events.at(-1)!.eventType, name).toMatch(CLOSED);
});

it.each(fixtures.map((f) => [f.name, f.history] as const))('replays %s on the current workflow code', async (name, history) => {
  await Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, name);
});

it('fails a history the current code would not have made (a node scheduled as another type)', async () => {
  const { history } = fixtures.find((f) => f.name.endsWith('/dag.json'))!;
  const tampered = structuredClone(history) as { events: { activityTaskScheduledEventAttributes?: { activityType: { name: string } } }[] };
  const scheduled = tampered.events.find((e) => e.activityTaskScheduledEventAttributes)!;
  scheduled.activityTaskScheduledEventAttributes!.activityType.name = 'test.other';
  await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, tampered, 'tampered')).rejects.toThrow(/[Nn]ondetermin/);
});
