import { parseArgs } from 'node:util';
import { startCsvThreads } from '@kiln/activities/data';
import { createWorkers } from '@kiln/activities/worker';
import { TEMPORAL_FLAG_OPTIONS, describeTemporal, temporalSettings } from '@kiln/engine/temporal';
import type { Io } from '../io';
import { WORKER_USAGE } from './usage';

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
    workers = await createWorkers({ temporal, queues, workflows, ...(concurrency ? { concurrency } : {}) });
    // The CSV parse thread loads its code now rather than during the first large ingest.
    void startCsvThreads();
  } catch (err) {
    io.err(`kiln worker: ${(err as Error).message}`);
    return 1;
  }
  const stop = () => void workers.shutdown();
  signals.once('SIGINT', stop);
  signals.once('SIGTERM', stop);
  io.err(
    `kiln worker: serving queues ${queues.join(', ')}${workflows ? ' and pipeline workflows' : ''} on ${describeTemporal(temporal)}`,
  );
  await workers.run();
  io.err('kiln worker: stopped');
  return 0;
}
