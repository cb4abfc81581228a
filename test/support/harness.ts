import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { inject } from 'vitest';
import { catalog } from '@kiln/nodes';
import { type WorkerPolicy, createWorkers, type WorkerSet } from '@kiln/worker';
import { type ArtifactStore, FolderArtifactStore } from '@kiln/artifacts';
import type { ApiConnection } from '@kiln/nodes';
import type { PipelineSpec, RunInput, RunState } from '@kiln/engine';
import { OPEN_CAPABILITY_POLICY, resolveRunParams, validateSpec } from '@kiln/engine';
import { awaitRun, queryRun, startRun } from '@kiln/engine/temporal';

/** A Temporal client and in-process workers for the queues a test needs. */
export interface Harness {
  client: Client;
  address: string;
  workers?: WorkerSet;
  close(): Promise<void>;
}

/**
 * The in-process workers' default policy: the test is the operator of its own workers, so every
 * capability is allowed, for runs started with any role or none, and user code runs as the test's
 * own user (test/security starts real `kiln worker` processes with the instance defaults instead).
 */
export const TEST_WORKER_POLICY: WorkerPolicy = { capabilities: OPEN_CAPABILITY_POLICY };

/**
 * A Temporal client on the test run's server, and in-process workers unless `workers: false`;
 * `artifactsDir` gives the workers a folder store of the test's own (to share with a CLI or API process).
 */
export async function openHarness(
  options: { queues?: string[]; workers?: boolean; artifactsDir?: string; store?: ArtifactStore; api?: ApiConnection; policy?: WorkerPolicy } = {},
): Promise<Harness> {
  const address = inject('temporalAddress');
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  let workers: WorkerSet | undefined;
  if (options.workers ?? true) {
    workers = await createWorkers({
      temporal: { address },
      queues: options.queues ?? ['cpu', 'gpu'],
      workflows: true,
      logLevel: 'ERROR',
      policy: options.policy ?? TEST_WORKER_POLICY,
      ...(options.artifactsDir ? { store: new FolderArtifactStore(options.artifactsDir) } : {}),
      ...(options.store ? { store: options.store } : {}),
      ...(options.api ? { api: options.api } : {}),
    });
    void workers.run();
  }
  return {
    client,
    address,
    ...(workers ? { workers } : {}),
    async close() {
      await workers?.shutdown();
      await connection.close();
    },
  };
}

/** Validates a spec (failing the test with its problems) and starts a run. */
export async function start(
  h: Harness,
  raw: unknown,
  params: Record<string, unknown> = {},
  limits?: RunInput['limits'],
): Promise<WorkflowHandle> {
  const checked = validateSpec(raw, catalog);
  if (!checked.ok) throw new Error(`invalid spec: ${JSON.stringify(checked.problems)}`);
  const resolved = resolveRunParams(checked.spec, params);
  if (!resolved.ok) throw new Error(`invalid params: ${JSON.stringify(resolved.problems)}`);
  return startRun(h.client, { spec: checked.spec, params: resolved.values, catalog, ...(limits ? { limits } : {}) });
}

export async function run(h: Harness, raw: unknown, params: Record<string, unknown> = {}): Promise<RunState> {
  return awaitRun(await start(h, raw, params));
}

/** Polls the run until `predicate` holds for its state. */
export async function waitFor(
  handle: WorkflowHandle,
  predicate: (state: RunState) => boolean,
  timeoutMs = 60_000,
): Promise<RunState> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const state = await queryRun(handle);
      if (predicate(state)) return state;
    } catch {
      // Not queryable yet.
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for run ${handle.workflowId}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function tempDir(prefix = 'kiln-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A spec with the given nodes and edges. */
export function spec(name: string, nodes: unknown[], edges: unknown[] = [], extra: Record<string, unknown> = {}): PipelineSpec {
  return { apiVersion: 'kiln/v1', name, nodes, edges, ...extra } as PipelineSpec;
}

export function cmd(id: string, command: string, extra: Record<string, unknown> = {}) {
  return { id, type: 'core.command', params: { command }, ...extra };
}
