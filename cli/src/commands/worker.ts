import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startCsvThreads } from '@kiln/tabular';
import { loadNodeDefinitions, nodeTypes } from '@kiln/nodes/catalog';
import { registeredNodeType } from '@kiln/nodes/registered-type';
import { type KeptRegistration, RegistrationRefused, createWorkers, keepRegistered, registrationTargetFromEnv } from '@kiln/worker';
import { type NodePackage, NodePackageError, findConfig, loadKilnConfig, loadNodePackages } from '../nodes/node-packages';
import { TEMPORAL_FLAG_OPTIONS, describeTemporal, temporalSettings } from '@kiln/engine/temporal';
import type { Io } from '../io';
import { WORKER_USAGE } from './usage';

/** How long running nodes may finish after SIGTERM before they are handed back (KILN_WORKER_GRACE_SECONDS). */
const DEFAULT_GRACE_SECONDS = 30;

/** Serves node activities (and pipeline workflows) until SIGINT/SIGTERM. */
export async function workerCommand(args: string[], io: Io, signals: NodeJS.EventEmitter = process): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: {
        queues: { type: 'string', default: 'cpu,gpu' },
        concurrency: { type: 'string' },
        'no-workflows': { type: 'boolean' },
        'grace-seconds': { type: 'string' },
        nodes: { type: 'string', multiple: true },
        'nodes-queue': { type: 'string' },
        config: { type: 'string' },
        ...TEMPORAL_FLAG_OPTIONS,
      },
    }));
  } catch (err) {
    io.err(`${(err as Error).message}\nusage: ${WORKER_USAGE}`);
    return 2;
  }
  const queues = values.queues.split(',').map((q) => q.trim()).filter(Boolean);
  const concurrency = values.concurrency === undefined ? undefined : Number(values.concurrency);
  if (queues.length === 0 || (concurrency !== undefined && !(Number.isInteger(concurrency) && concurrency > 0))) {
    io.err(`--queues needs at least one queue and --concurrency a positive whole number\nusage: ${WORKER_USAGE}`);
    return 2;
  }
  const graceText = values['grace-seconds'] ?? process.env.KILN_WORKER_GRACE_SECONDS;
  const grace = graceText === undefined ? DEFAULT_GRACE_SECONDS : Number(graceText);
  if (!(Number.isFinite(grace) && grace >= 0)) {
    io.err(`--grace-seconds (or KILN_WORKER_GRACE_SECONDS) must be a number of seconds ≥ 0, not "${graceText}"\nusage: ${WORKER_USAGE}`);
    return 2;
  }
  let temporal;
  try {
    temporal = temporalSettings(process.env, values);
  } catch (err) {
    io.err(`kiln worker: ${(err as Error).message}\nusage: ${WORKER_USAGE}`);
    return 2;
  }
  let packages: NodePackage[];
  try {
    packages = await nodePackagesOf(values);
  } catch (err) {
    if (!(err instanceof NodePackageError)) throw err;
    io.err(`kiln worker: ${err.message}`);
    return 2;
  }
  const definitions = packages.length > 0 ? [...(await loadNodeDefinitions()), ...packages.flatMap((p) => p.definitions)] : undefined;
  const served = [...new Set([...queues, ...packages.map((p) => p.queue)])];
  const workflows = !values['no-workflows'];
  let workers;
  try {
    workers = await createWorkers({ temporal, queues: served, workflows, ...(definitions ? { definitions } : {}), shutdownGraceSeconds: grace, ...(concurrency ? { concurrency } : {}) });
    // The CSV parse thread loads its code now rather than during the first large ingest.
    void startCsvThreads();
  } catch (err) {
    io.err(`kiln worker: ${(err as Error).message}`);
    return 1;
  }
  // Node packages' types are registered with the API (and the registration kept alive) when the
  // worker has one: KILN_API_URL with KILN_WORKER_TOKEN (a worker-role token) or KILN_API_TOKEN.
  const registrations: KeptRegistration[] = [];
  const target = registrationTargetFromEnv();
  if (packages.length > 0 && !target) {
    io.err('kiln worker: not registering node types with an API (set KILN_API_URL and KILN_WORKER_TOKEN or KILN_API_TOKEN)');
  }
  if (target) {
    for (const pkg of packages) {
      const workerId = `${hostname()}.${process.pid}.${pkg.source}`.replace(/[^A-Za-z0-9._:@-]/g, '-').slice(0, 200);
      const body = { language: 'typescript' as const, source: pkg.source, queue: pkg.queue, types: pkg.definitions.map(registeredNodeType) };
      registrations.push(keepRegistered(target, workerId, body, (line) => io.err(`kiln worker: ${line}`)));
    }
    try {
      await Promise.all(registrations.map((r) => r.registered));
    } catch (err) {
      await Promise.all(registrations.map((r) => r.stop()));
      await workers.shutdown();
      if (!(err instanceof RegistrationRefused)) throw err;
      io.err(`kiln worker: ${err.message}`);
      return 2;
    }
  }
  // SIGTERM: stop polling; running nodes have the grace period to finish, then are cancelled and
  // handed back to Temporal, which retries them on another worker. Registrations end first, so the
  // API stops starting runs of these types at once.
  const stop = (signal: string) => {
    io.err(`kiln worker: ${signal}: no new tasks; running nodes have ${grace} s to finish`);
    void Promise.all(registrations.map((r) => r.stop())).finally(() => workers.shutdown());
  };
  signals.once('SIGINT', () => stop('SIGINT'));
  signals.once('SIGTERM', () => stop('SIGTERM'));
  for (const pkg of packages) {
    io.err(`kiln worker: ${pkg.source}: ${pkg.definitions.map((d) => d.type).join(', ')} on queue ${pkg.queue}`);
  }
  io.err(
    `kiln worker: serving queues ${served.join(', ')}${workflows ? ' and pipeline workflows' : ''} on ${describeTemporal(temporal)}`,
  );
  await workers.run();
  io.err('kiln worker: stopped');
  return 0;
}

/** The node packages to serve: `--nodes` (repeatable), else those of `--config` or a kiln.config.ts in this folder. */
async function nodePackagesOf(values: { nodes?: string[] | undefined; 'nodes-queue'?: string | undefined; config?: string | undefined }): Promise<NodePackage[]> {
  const queue = values['nodes-queue'];
  if (values.nodes && values.nodes.length > 0) {
    return loadNodePackages(values.nodes, { baseDir: process.cwd(), builtins: nodeTypes, ...(queue ? { queue } : {}) });
  }
  const file = values.config ? resolve(values.config) : findConfig(process.cwd());
  if (!file) return [];
  const config = await loadKilnConfig(file);
  const chosen = queue ?? config.queue;
  return loadNodePackages(config.nodes, { baseDir: config.dir, builtins: nodeTypes, ...(chosen ? { queue: chosen } : {}) });
}
