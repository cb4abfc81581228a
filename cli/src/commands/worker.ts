import { parseArgs } from 'node:util';
import { startCsvThreads } from '@kiln/activities/data';
import { createWorkers } from '@kiln/activities/worker';
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
        'temporal-address': { type: 'string' },
        namespace: { type: 'string' },
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
  const address = values['temporal-address'] ?? process.env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233';
  const namespace = values.namespace ?? process.env.TEMPORAL_NAMESPACE ?? 'default';
  const workflows = !values['no-workflows'];
  let workers;
  try {
    workers = await createWorkers({ address, namespace, queues, workflows, ...(concurrency ? { concurrency } : {}) });
    // The CSV parse thread loads its code now rather than during the first large ingest.
    void startCsvThreads();
  } catch (err) {
    io.err(`kiln worker: cannot start against ${address}: ${(err as Error).message}`);
    return 1;
  }
  const stop = () => void workers.shutdown();
  signals.once('SIGINT', stop);
  signals.once('SIGTERM', stop);
  io.err(
    `kiln worker: serving queues ${queues.join(', ')}${workflows ? ' and pipeline workflows' : ''} on ${address} (${namespace})`,
  );
  await workers.run();
  io.err('kiln worker: stopped');
  return 0;
}
