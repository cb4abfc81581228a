// What `kiln run` keeps of each run it waited for, under KILN_HOME/runs: the spec and params it ran
// and its final state, so `kiln run --resume <runId>` can re-run it with no API. Loads only node
// built-ins and the engine's types.
import type { PipelineVersion, RunDetail } from '@kiln/api-types';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { PipelineSpec, RunState } from '@kiln/engine';
import { kilnHome } from '@kiln/engine/home';

export interface RunRecord {
  spec: PipelineSpec;
  params: Record<string, unknown>;
  state: RunState;
}

/** Run ids as `kiln run` and the API make them (`<pipeline slug>-<uuid>`, `run-<hex>`): safe as file names. */
const RUN_ID = /^[\w-][\w.-]{0,254}$/;

const recordPath = (home: string, runId: string) => join(home, 'runs', `${runId}.json`);

/** Keeps a run's record (written whole, then renamed: a reader never sees half of one). */
export async function saveRunRecord(record: RunRecord, home = kilnHome()): Promise<void> {
  if (!RUN_ID.test(record.state.runId)) return;
  await mkdir(join(home, 'runs'), { recursive: true });
  const path = recordPath(home, record.state.runId);
  const temp = `${path}.${process.pid}.tmp`;
  await writeFile(temp, JSON.stringify(record));
  await rename(temp, path);
}

/**
 * A run of a Kiln API as a record: its version's spec, params and final state (GET /runs/:id and the
 * version); undefined when the API does not know the run. Throws when the API cannot be asked.
 */
export async function fetchRunRecord(runId: string, api: { base: string; token: string }): Promise<RunRecord | undefined> {
  const get = async (path: string) => {
    const res = await fetch(`${api.base}/api/v1${path}`, { headers: { authorization: `Bearer ${api.token}` } }).catch((err: unknown) => {
      throw new Error(`could not ask the API at ${api.base} about the run: ${(err as Error).message}`);
    });
    const body = (await res.json().catch(() => ({}))) as Record<string, unknown>;
    if (res.status === 404) return undefined;
    if (!res.ok) throw new Error(`${api.base}: ${res.status} ${String(body.message ?? res.statusText)}`);
    return body;
  };
  const run = (await get(`/runs/${encodeURIComponent(runId)}`)) as RunDetail | undefined;
  if (!run) return undefined;
  if (run.status === 'running' || !run.state) throw new Error(`run ${runId} has not ended (${run.status}); re-run it once it has`);
  const version = (await get(`/pipelines/${encodeURIComponent(run.pipelineId)}/versions/${run.version}`)) as PipelineVersion | undefined;
  if (!version) return undefined;
  return { spec: version.spec as PipelineSpec, params: run.params, state: run.state as RunState };
}

/** The record of a run `kiln run` waited for on this KILN_HOME; undefined when there is none. */
export async function loadRunRecord(runId: string, home = kilnHome()): Promise<RunRecord | undefined> {
  if (!RUN_ID.test(runId)) return undefined;
  try {
    return JSON.parse(await readFile(recordPath(home, runId), 'utf8')) as RunRecord;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}
