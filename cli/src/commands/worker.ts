import { parseArgs } from 'node:util';
import { startCsvThreads } from '@kiln/activities/data';
import { createWorkers } from '@kiln/activities/worker';
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
  const workflows = !values['no-workflows'];
  let workers;
  try {
    workers = await createWorkers({ temporal, queues, workflows, shutdownGraceSeconds: grace, ...(concurrency ? { concurrency } : {}) });
    // The CSV parse thread loads its code now rather than during the first large ingest.
    void startCsvThreads();
  } catch (err) {
    io.err(`kiln worker: ${(err as Error).message}`);
    return 1;
  }
  // SIGTERM: stop polling; running nodes have the grace period to finish, then are cancelled and
  // handed back to Temporal, which retries them on another worker.
  const stop = (signal: string) => {
    io.err(`kiln worker: ${signal}: no new tasks; running nodes have ${grace} s to finish`);
    void workers.shutdown();
  };
  signals.once('SIGINT', () => stop('SIGINT'));
  signals.once('SIGTERM', () => stop('SIGTERM'));
  io.err(
    `kiln worker: serving queues ${queues.join(', ')}${workflows ? ' and pipeline workflows' : ''} on ${describeTemporal(temporal)}`,
  );
  await workers.run();
  io.err('kiln worker: stopped');
  return 0;
}
