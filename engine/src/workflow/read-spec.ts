import { scheduleActivity, workflowInfo } from '@temporalio/workflow';
import { READ_SPEC_ACTIVITY, type ReadSpecPage, type SpecRef } from '../run/run-input';
import type { PipelineSpec } from '../spec/schema';

/**
 * Reads a spec kept in the artifact store, page by page, each page one activity result well under
 * Temporal's payload limit. The pages are in the history, so a replay reads the same spec.
 */
export async function readSpec(ref: SpecRef): Promise<PipelineSpec> {
  return readStoredJson<PipelineSpec>(ref, 'spec');
}

/** Reads any JSON kept in the artifact store by reference (a spec, a re-run's reused results). */
export async function readStoredJson<T>(ref: SpecRef, what: string): Promise<T> {
  let text = '';
  while (text.length < ref.length) {
    const page: ReadSpecPage = { digest: ref.digest, offset: text.length };
    const chunk = await scheduleActivity<string>(READ_SPEC_ACTIVITY, [page], {
      // Served by the workers of the workflow's own queue.
      taskQueue: workflowInfo().taskQueue,
      activityId: `${what}@${page.offset}`,
      startToCloseTimeout: '1 minute',
      retry: { maximumAttempts: 3 },
    });
    if (chunk.length === 0) throw new Error(`the stored ${what} ${ref.digest} ended at ${text.length} of ${ref.length} characters`);
    text += chunk;
  }
  return JSON.parse(text) as T;
}
