import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { kilnHome } from '@kiln/engine/home';
import type { Io } from '../io';
import { claimUp } from '../up-state';
import { UP_USAGE } from './usage';


/**
 * The whole product on embedded defaults: Temporal dev server (with its web UI), embedded
 * PostgreSQL, workers for `cpu` and `gpu`, and the API. Stops everything on Ctrl-C. The Temporal
 * server is supervised: restarted on the same port and state file when it dies (the workers' and the
 * API's connections reconnect to it); if it keeps dying, everything stops and the exit code is 1.
 */
export async function upCommand(args: string[], io: Io, signals: NodeJS.EventEmitter = process): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({ args, options: { port: { type: 'string' }, host: { type: 'string' }, s3: { type: 'string' } } }));
  } catch (err) {
    io.err(`${(err as Error).message}\nusage: ${UP_USAGE}`);
    return 2;
  }
  // Workers and the API pick the artifact store from the environment.
  if (values.s3) process.env.S3_ENDPOINT = values.s3;
  const home = kilnHome();
  // One `kiln up` per state folder: a second would open the same Temporal and PostgreSQL files.
  const taken = await claimUp(home);
  if ('running' in taken) {
    const at = taken.running.apiUrl ? `at ${taken.running.apiUrl}/` : '(still starting)';
    io.err(`kiln up is already running ${at}: pid ${taken.running.pid}, state ${home}`);
    return 1;
  }
  const { claim } = taken;
  // Loaded once this folder is ours: a second `kiln up` answers at once.
  const [{ configFromEnv, ensureStudioBuilt, startApi }, { superviseDevServer }, { startCsvThreads }, { createWorkers }, { loadKeyRing }] = await Promise.all([
    import('@kiln/api'),
    import('@kiln/engine/temporal'),
    import('@kiln/tabular'),
    import('@kiln/worker'),
    import('@kiln/engine/secret-keys'),
  ]);
  // Ctrl-C while starting: finish the step under way, then stop what was started.
  let interrupted = false;
  const onStartInterrupt = () => (interrupted = true);
  signals.once('SIGINT', onStartInterrupt);
  signals.once('SIGTERM', onStartInterrupt);
  const stops: (() => Promise<void>)[] = [async () => claim.release()];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((err) => io.err(`while stopping: ${(err as Error).message}`));
  };
  try {
    io.err('starting Temporal (dev server)…');
    let gaveUp: ((error: Error) => void) | undefined;
    const givenUp = new Promise<Error>((resolve) => (gaveUp = resolve));
    const backoff = Number(process.env.KILN_TEMPORAL_RESTART_BACKOFF_MS);
    const temporal = await superviseDevServer({
      dbFile: join(home, 'temporal.db'),
      ui: true,
      log: io.err,
      onGiveUp: (error) => gaveUp!(error),
      ...(backoff > 0 ? { initialBackoffMs: backoff } : {}),
    });
    stops.push(() => temporal.stop());
    // The workers reach the API (deploy.model, monitor.drift) with a service token made for this start;
    // its URL is filled in once the API listens.
    const serviceToken = process.env.KILN_SERVICE_TOKEN ?? `kiln_svc_${randomBytes(24).toString('base64url')}`;
    const apiConnection = { url: process.env.KILN_API_URL ?? '', token: process.env.KILN_API_TOKEN ?? serviceToken };
    // The secret key before the workers: they read it (never make it) to trust the roles the API seals
    // into runs, and on a fresh KILN_HOME the API, started below, would make it only after them.
    loadKeyRing(process.env.KILN_SECRET_KEY, home);
    const workers = await createWorkers({ temporal: { address: temporal.address }, queues: ['cpu', 'gpu'], workflows: true, logLevel: 'ERROR', api: apiConnection });
    // The CSV parse thread loads its code now rather than during the first large ingest.
    void startCsvThreads();
    // A worker that fails for good (not an outage of the server: the workers poll again until it is back)
    // stops `kiln up` like a Temporal server that cannot be kept up.
    const workersDone = workers.run().then(
      () => undefined,
      (error: Error) => gaveUp!(new Error(`the workers stopped: ${error.message}`)),
    );
    stops.push(async () => {
      await workers.shutdown();
      await workersDone;
    });
    await ensureStudioBuilt(io.err);
    io.err('starting the API (embedded PostgreSQL)…');
    const config = configFromEnv(process.env, {
      temporal: { address: temporal.address, namespace: 'default' },
      dataDir: join(home, 'db'),
      ...(temporal.uiUrl ? { temporalUiUrl: temporal.uiUrl } : {}),
      ...(values.port ? { port: Number(values.port) } : {}),
      ...(values.host ? { host: values.host } : {}),
      logLevel: (process.env.KILN_LOG_LEVEL as 'info' | undefined) ?? 'warn',
      serviceToken,
    });
    delete config.databaseUrl;
    const api = await startApi(config);
    stops.push(() => api.close());
    if (!process.env.KILN_API_URL) apiConnection.url = api.url;
    claim.publish({ temporal: { address: temporal.address, namespace: 'default', ...(temporal.uiUrl ? { uiUrl: temporal.uiUrl } : {}) }, apiUrl: api.url });
    signals.off('SIGINT', onStartInterrupt);
    signals.off('SIGTERM', onStartInterrupt);
    if (interrupted) {
      io.err('stopping…');
      await stopAll();
      return 0;
    }
    const artifacts = process.env.S3_ENDPOINT ? `${process.env.S3_ENDPOINT} (bucket ${process.env.S3_BUCKET ?? 'kiln-artifacts'})` : `${home}/artifacts`;
    io.out(`Kiln is up.
  Studio       ${api.url}/
  API          ${api.url}/api/v1   (docs: ${api.url}/api/docs)
  Temporal     ${temporal.address}   (web UI: ${temporal.uiUrl})
  Artifacts    ${artifacts}
  State        ${home}`);
    if (api.firstAdminToken) {
      io.out(`  Admin token  ${api.firstAdminToken}
               (shown this once: keep it; make more with POST /api/v1/tokens)`);
    }
    io.out('Ctrl-C stops everything.');
    const failure = await Promise.race([
      givenUp,
      new Promise<undefined>((resolve) => {
        signals.once('SIGINT', () => resolve(undefined));
        signals.once('SIGTERM', () => resolve(undefined));
      }),
    ]);
    if (failure) {
      io.err(`kiln up: ${failure.message}; stopping everything`);
      await stopAll();
      return 1;
    }
    io.err('stopping…');
    await stopAll();
    return 0;
  } catch (err) {
    io.err(`kiln up: ${(err as Error).message}`);
    await stopAll();
    return 1;
  }
}
