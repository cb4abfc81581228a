import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import { Client } from '@temporalio/client';
import { type NodeReuse, type NodeState, type PipelineSpec, type RerunFrom, type RunState, UnknownRerunNodesError, coerceParam, formatProblem, queueOf, rerunReuse, resolveRunParams } from '@kiln/engine';
import {
  RunTooLargeError,
  TEMPORAL_FLAG_OPTIONS,
  awaitRun,
  connectTemporalClient,
  startDevServer,
  startRun,
  temporalSettings,
  watchRun,
  type DevServer,
} from '@kiln/engine/temporal';
import { kilnHome } from '@kiln/engine/home';
import { createWorkers, localWorkerPolicy, type WorkerSet } from '@kiln/worker';
import { artifactSpecStore, defaultArtifactStore } from '@kiln/artifacts';
import { catalog } from '@kiln/nodes/catalog';
import type { Io } from '../io';
import { Interrupts } from '../interrupts';
import { waitForUp } from '../up-state';
import { LiveView } from '../progress/live-view';
import { progressLine } from '../progress/progress-lines';
import { nodeResult } from '../progress/node-results';
import { paint, summaryTable } from '../progress/summary-table';
import { runSummary } from '../summary';
import { fetchRunRecord, loadRunRecord, saveRunRecord } from '../run-records';
import { apiTarget } from '../api-target';
import { loadAndValidate } from './validate';
import { RUN_USAGE } from './usage';

/** Runs a pipeline to the end. Exit 0 succeeded, 1 failed or cancelled, 2 invalid spec or params, 130 Ctrl-C. */
export async function runCommand(args: string[], io: Io, signals: NodeJS.EventEmitter = process): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        param: { type: 'string', multiple: true, short: 'p' },
        json: { type: 'boolean' },
        resume: { type: 'string' },
        from: { type: 'string' },
        'no-cache': { type: 'boolean' },
        ...TEMPORAL_FLAG_OPTIONS,
      },
    });
  } catch (err) {
    io.err(`${(err as Error).message}\nusage: ${RUN_USAGE}`);
    return 2;
  }
  const [file, ...extra] = parsed.positionals;
  const resumed = parsed.values.resume;
  if (resumed !== undefined && (file !== undefined || parsed.values.param)) {
    io.err(`kiln run: --resume re-runs a recorded run with its own spec and params; give no file and no --param\nusage: ${RUN_USAGE}`);
    return 2;
  }
  if (parsed.values.from !== undefined && resumed === undefined) {
    io.err(`kiln run: --from says where a re-run starts; it goes with --resume <runId>\nusage: ${RUN_USAGE}`);
    return 2;
  }
  if (resumed === undefined && (!file || extra.length > 0)) {
    io.err(`usage: ${RUN_USAGE}`);
    return 2;
  }
  let spec: PipelineSpec | undefined;
  let params: Record<string, unknown> | undefined;
  let rerun: ExecuteContext['rerun'];
  if (resumed !== undefined) {
    // Recorded here by `kiln run`, else a run of the API (KILN_API_URL or the running kiln up's) when a token is given.
    let record = await loadRunRecord(resumed);
    const api = apiTarget({});
    if (!record && api.token) {
      try {
        record = await fetchRunRecord(resumed, { base: api.base, token: api.token });
      } catch (err) {
        io.err(`kiln run: ${(err as Error).message}`);
        return 2;
      }
    }
    if (!record) {
      const asked = api.token ? ` nor known to the API at ${api.base}` : ' (with KILN_TOKEN set, the API of KILN_API_URL or of the running kiln up is asked too)';
      io.err(`kiln run: no run "${resumed}" is recorded under ${join(kilnHome(), 'runs')}${asked}; --resume re-runs a run that \`kiln run\` waited for on this KILN_HOME`);
      return 2;
    }
    ({ spec, params } = record);
    const from = rerunFromFlag(parsed.values.from);
    if (!from) {
      io.err(`kiln run: --from takes node ids separated by commas (e.g. --from train,evaluate), or "failed"\nusage: ${RUN_USAGE}`);
      return 2;
    }
    try {
      rerun = { of: resumed, from: from === 'failed' ? 'its failures' : from.join(', '), reuse: rerunReuse(spec, record.state, from) };
    } catch (err) {
      if (!(err instanceof UnknownRerunNodesError)) throw err;
      io.err(`kiln run: --from ${parsed.values.from}: ${err.message} (run ${resumed} is of pipeline "${spec.name}")`);
      return 2;
    }
  } else {
    spec = await loadAndValidate(file!, io);
    if (!spec) return 2;
    params = parseParams(spec, parsed.values.param ?? [], io);
    if (!params) return 2;
  }

  const json = Boolean(parsed.values.json);
  const say = json ? io.err : io.out;
  let temporal;
  try {
    temporal = temporalSettings(process.env, parsed.values);
  } catch (err) {
    io.err(`kiln run: ${(err as Error).message}\nusage: ${RUN_USAGE}`);
    return 2;
  }
  // Ctrl-C from here on: the first cancels (the run, or the start), a second stops at once.
  const interrupts = new Interrupts(signals, () => {
    say('stopping now, without waiting for the run to be cancelled');
    process.exit(INTERRUPTED);
  });
  // A Temporal named by flag or TEMPORAL_ADDRESS is used as it is (its workers serve the run).
  // Otherwise a running `kiln up`'s (on this KILN_HOME), else an embedded dev server; either way with
  // in-process workers, which beside `kiln up` serve private queues (its workers never take this
  // run's nodes, nor these workers its runs).
  const remote = Boolean(parsed.values['temporal-address'] || process.env.TEMPORAL_ADDRESS);
  let server: DevServer | undefined;
  let workers: WorkerSet | undefined;
  let queueSuffix: string | undefined;
  try {
    if (!remote) {
      const up = await waitForUp();
      if (up?.temporal) {
        say(`using the Temporal of kiln up (pid ${up.pid}) at ${up.temporal.address}; the run shows in its studio at ${up.apiUrl}/`);
        temporal = { address: up.temporal.address, namespace: up.temporal.namespace };
        queueSuffix = `@kiln-run-${randomUUID().slice(0, 8)}`;
      } else {
        say('starting the embedded Temporal dev server…');
        server = await startDevServer({ dbFile: join(kilnHome(), 'temporal.db'), namespace: temporal.namespace, log: say });
        // The embedded server is local plaintext, whatever TLS the environment names.
        temporal = { address: server.address, namespace: temporal.namespace };
      }
      if (interrupts.count > 0) return cancelledBeforeStart(say);
      const queues = new Set(['cpu', 'gpu', ...spec.nodes.map((n) => queueOf(n))]);
      // Node failures show in the progress lines; the SDK's own warnings would repeat them.
      // The developer's own file on their own machine: user code is allowed (localWorkerPolicy).
      workers = await createWorkers({
        temporal,
        queues: [...queues],
        ...(queueSuffix ? { queueSuffix } : {}),
        workflows: true,
        logLevel: 'ERROR',
        policy: localWorkerPolicy(process.env),
      });
      void workers.run();
    }
    if (interrupts.count > 0) return cancelledBeforeStart(say);
    const namespace = temporal.namespace;
    const connection = await connectTemporalClient(temporal);
    try {
      const client = new Client({ connection, namespace });
      const noCache = parsed.values['no-cache'] === true;
      const state = await execute(client, spec, params, { io, say, interrupts, json, noCache, ...(queueSuffix ? { queueSuffix } : {}), ...(rerun ? { rerun } : {}) });
      // Kept for `kiln run --resume` (a failure to keep it must not change how the run ended).
      await saveRunRecord({ spec, params, state }).catch((err: unknown) => say(`could not record the run for --resume: ${(err as Error).message}`));
      if (json) io.out(JSON.stringify(runSummary(state, rerun?.of)));
      if (state.status === 'cancelled' && interrupts.count > 0) return INTERRUPTED;
      return state.status === 'succeeded' ? 0 : 1;
    } finally {
      await connection.close();
    }
  } catch (err) {
    io.err(`kiln run: ${(err as Error).message}`);
    return err instanceof RunTooLargeError ? 2 : 1;
  } finally {
    // Workers first, the server they talk to last.
    await workers?.shutdown();
    await server?.stop();
    interrupts.dispose();
  }
}

/** The exit code of a command stopped by Ctrl-C (128 + SIGINT), as shells report it. */
const INTERRUPTED = 130;

function cancelledBeforeStart(say: (line: string) => void): number {
  say('cancelled before the run started');
  return INTERRUPTED;
}

interface ExecuteContext {
  io: Io;
  say: (line: string) => void;
  interrupts: Interrupts;
  json: boolean;
  queueSuffix?: string;
  /** A re-run (`--resume`): the run it re-runs and the results it reuses. */
  rerun?: {
    of: string;
    /** Where it starts, as said to the user: "its failures", or the nodes named. */
    from: string;
    reuse: Record<string, NodeReuse>;
  };
  /** `--no-cache`: nothing of this run is reused from, or recorded in, the node cache. */
  noCache?: boolean;
}

async function execute(client: Client, spec: PipelineSpec, params: Record<string, unknown>, ctx: ExecuteContext): Promise<RunState> {
  const { io, say, json } = ctx;
  const startedBy = `kiln run (${localUser()})`;
  // A large spec goes to the workers by digest, through the artifact store they read (KILN_HOME or S3).
  // No token, so no role: workers other than this command's own decide whether to run user code for it.
  // The memo's trigger lets a `kiln up` API on the same Temporal record the run (run sync).
  const handle = await startRun(client, {
    spec,
    params,
    trigger: 'cli',
    startedBy: { name: startedBy },
    memo: { kiln: { trigger: 'cli', source: startedBy } },
    specStore: artifactSpecStore(defaultArtifactStore()),
    catalog,
    ...(ctx.queueSuffix ? { queueSuffix: ctx.queueSuffix } : {}),
    ...(ctx.rerun ? { reuse: ctx.rerun.reuse } : {}),
    ...(ctx.noCache ? { cache: false } : {}),
  });
  say(`run ${handle.workflowId} of "${spec.name}" started (${spec.nodes.length} nodes)`);
  if (ctx.rerun) {
    const reused = Object.keys(ctx.rerun.reuse).length;
    say(`re-running run ${ctx.rerun.of} from ${ctx.rerun.from}: ${reused} node${reused === 1 ? '' : 's'} reused if their artifacts are still stored, ${spec.nodes.length - reused} to run`);
  }
  ctx.interrupts.onFirst(() => {
    say('cancelling the run (Ctrl-C again to stop at once)…');
    void handle.cancel().catch(() => {});
  });
  // Results read by port type from the catalog; lines fit a terminal, plain (no colour) elsewhere.
  const types = new Map(spec.nodes.map((n) => [n.id, n.type]));
  const resultOf = (id: string, s: NodeState) => nodeResult(s, catalog.get(types.get(id) ?? ''));
  const width = (json ? undefined : io.columns) ?? 120;
  const colour = io.isTty && !json && !process.env.NO_COLOR;
  const live = !json && io.isTty ? new LiveView(`run ${handle.workflowId}`, io.write) : undefined;
  const redraw = live ? setInterval(() => live.render(), 200) : undefined;
  const done = awaitRun(handle);
  try {
    await watchRun(
      handle,
      (nodeId, state) => (live ? live.update(nodeId, state) : say(progressLine(nodeId, state, new Date(), resultOf(nodeId, state), width))),
      done,
    );
    const state = await done;
    if (live) {
      for (const [id, s] of Object.entries(state.nodes)) live.update(id, s);
      live.render();
    }
    say('');
    for (const line of summaryTable(state, resultOf, width, colour)) say(line);
    say(`run ${state.runId} ${paint(state.status, state.status, colour)}`);
    return state;
  } finally {
    if (redraw) clearInterval(redraw);
  }
}

function parseParams(spec: PipelineSpec, pairs: string[], io: Io): Record<string, unknown> | undefined {
  const given: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      io.err(`--param ${pair}: expected name=value`);
      return undefined;
    }
    const key = pair.slice(0, eq);
    given[key] = coerceParam(spec, key, pair.slice(eq + 1));
  }
  const resolved = resolveRunParams(spec, given);
  if (!resolved.ok) {
    for (const p of resolved.problems) io.err(formatProblem(p));
    return undefined;
  }
  return resolved.values;
}

function localUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown user';
  }
}

/** `--from`: absent or "failed" re-runs what failed, was skipped or cancelled; else the nodes named (and what is below them). */
function rerunFromFlag(value: string | undefined): RerunFrom | undefined {
  if (value === undefined || value === 'failed') return 'failed';
  const ids = value.split(',').map((id) => id.trim());
  return ids.length > 0 && ids.every((id) => id.length > 0) ? ids : undefined;
}
