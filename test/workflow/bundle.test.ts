import { expect, it } from 'vitest';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '@kiln/worker';

it('the workflow bundles for the sandbox without Node built-ins or non-workflow libraries', async () => {
  const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { trace() {}, debug() {}, info() {}, warn() {}, error() {}, log() {} } });
  expect(code).toContain('pipelineWorkflow');
  // Module paths are in the bundle, so the checks below would see an import that slipped in.
  expect(code).toContain('engine/src/workflow/run-scheduler');
  // Only the SDK and pure engine modules: none of these may be in the bundle.
  for (const forbidden of ['zod', 'ajv', '@noble/hashes', 'child_process', 'node:fs', 'nodes/src', 'worker/src', 'tabular/src', 'ml/src']) {
    expect(code.includes(`node_modules/${forbidden}`) || code.includes(`/${forbidden}/`), forbidden).toBe(false);
  }
});
