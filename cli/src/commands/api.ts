import { parseArgs } from 'node:util';
import { configFromEnv, startApi } from '@kiln/api';
import { TEMPORAL_FLAG_OPTIONS, temporalSettings } from '@kiln/engine/temporal';
import type { Io } from '../io';
import { API_USAGE } from './usage';

/** The API alone, against TEMPORAL_ADDRESS and DATABASE_URL (or embedded PostgreSQL in --data-dir). */
export async function apiCommand(args: string[], io: Io, signals: NodeJS.EventEmitter = process): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { port: { type: 'string' }, host: { type: 'string' }, 'data-dir': { type: 'string' }, ...TEMPORAL_FLAG_OPTIONS },
    }));
  } catch (err) {
    io.err(`${(err as Error).message}\nusage: ${API_USAGE}`);
    return 2;
  }
  let config;
  try {
    config = configFromEnv(process.env, {
      ...(values.port ? { port: Number(values.port) } : {}),
      ...(values.host ? { host: values.host } : {}),
      temporal: temporalSettings(process.env, values),
      ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    });
  } catch (err) {
    io.err(`kiln api: ${(err as Error).message}\nusage: ${API_USAGE}`);
    return 2;
  }
  let api;
  try {
    api = await startApi(config);
  } catch (err) {
    io.err(`kiln api: ${(err as Error).message}`);
    return 1;
  }
  io.out(`kiln api: listening on ${api.url}`);
  if (api.firstAdminToken) io.out(`kiln api: admin token ${api.firstAdminToken} (shown this once)`);
  await new Promise<void>((resolve) => {
    signals.once('SIGINT', resolve);
    signals.once('SIGTERM', resolve);
  });
  await api.close();
  return 0;
}
