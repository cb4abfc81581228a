import type { TestProject } from 'vitest/node';
import { findTemporalCli, startDevServer, type DevServer } from '@kiln/engine/temporal';
import { workflowBundle } from '@kiln/activities/worker';

let server: DevServer | undefined;

/** One Temporal dev server (in memory) for the whole test run; its address is injected into tests. */
export async function setup(project: TestProject): Promise<void> {
  const cli = await findTemporalCli((line) => console.log(line));
  server = await startDevServer();
  project.provide('temporalAddress', server.address);
  project.provide('temporalCli', cli);
  // Bundle the workflow once, so test files start workers from the cache.
  await workflowBundle();
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCli: string;
  }
}
