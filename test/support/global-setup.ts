import type { TestProject } from 'vitest/node';
import { findTemporalCli, startDevServer, type DevServer } from '@kiln/engine/temporal';
import { workflowBundle } from '@kiln/worker';
import { ensureGoTool, prepareMinio } from './go-tools';

let server: DevServer | undefined;

/** One Temporal dev server (in memory) for the whole test run; its address is injected into tests. */
export async function setup(project: TestProject): Promise<void> {
  const cli = await findTemporalCli((line) => console.log(line));
  server = await startDevServer();
  project.provide('temporalAddress', server.address);
  project.provide('temporalCli', cli);
  // Bundle the workflow once, so test files start workers from the cache.
  await workflowBundle();
  // MinIO for the S3 tests: built from the Go module proxy on the first run (minutes, once per tools
  // folder); no setup hook timeout applies here. Without Go, only the tests that need it fail, saying why.
  project.provide('minio', await prepareMinio());
  // Helm too (test/deploy/helm.test.ts asks for it again and reports the reason if this failed).
  if (!process.env.HELM_BIN) await ensureGoTool('helm').catch(() => undefined);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCli: string;
    minio: { path: string } | { error: string };
  }
}
