import { parseArgs } from 'node:util';
import { configFromEnv, startApi } from '@kiln/api';
import type { Io } from '../io';
import { API_USAGE } from './usage';


/** The API alone, against TEMPORAL_ADDRESS and DATABASE_URL (or embedded PostgreSQL in --data-dir). */
export async function apiCommand(args: string[], io: Io, signals: NodeJS.EventEmitter = process): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { port: { type: 'string' }, host: { type: 'string' }, 'temporal-address': { type: 'string' }, 'data-dir': { type: 'string' } },
    }));
  } catch (err) {
    io.err(`${(err as Error).message}\nusage: ${API_USAGE}`);
    return 2;
  }
  const config = configFromEnv(process.env, {
    ...(values.port ? { port: Number(values.port) } : {}),
    ...(values.host ? { host: values.host } : {}),
    ...(values['temporal-address'] ? { temporalAddress: values['temporal-address'] } : {}),
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
  });
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
