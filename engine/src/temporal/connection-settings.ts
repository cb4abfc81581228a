import { readFile } from 'node:fs/promises';
import { Connection, type ConnectionOptions } from '@temporalio/client';
import { z } from 'zod';

/**
 * How every Kiln process (API, workers, CLI) reaches Temporal: one definition, read from the
 * environment and overridden by command-line flags. The variable names are the Temporal CLI's own,
 * so one environment serves `kiln` and `temporal` alike.
 *
 * TLS is on when asked for (`TEMPORAL_TLS=true`), when any TLS file or server name is given, or with
 * an API key (Temporal Cloud needs TLS; its certificate is trusted by the system roots). A client
 * certificate needs its key and the other way round.
 */
export const temporalSettingsSchema = z
  .object({
    address: z.string().min(1),
    namespace: z.string().min(1),
    tls: z.boolean().optional(),
    /** PEM file of the client certificate (mTLS). */
    tlsCertPath: z.string().min(1).optional(),
    /** PEM file of the client certificate's private key. */
    tlsKeyPath: z.string().min(1).optional(),
    /** PEM file of the CA that signed the server's certificate (default: the system roots). */
    tlsCaPath: z.string().min(1).optional(),
    /** The name the server's certificate must carry, when it differs from the address's host. */
    tlsServerName: z.string().min(1).optional(),
    /** A Temporal Cloud API key, sent as a bearer token. A secret. */
    apiKey: z.string().min(1).optional(),
  })
  .strict()
  .refine((s) => Boolean(s.tlsCertPath) === Boolean(s.tlsKeyPath), {
    message:
      'a TLS client certificate needs its key and the other way round (TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY)',
  });

export type TemporalSettings = z.infer<typeof temporalSettingsSchema>;

/** Settings as code passes them: a local server needs only its address (namespace `default`). */
export type TemporalTarget = Omit<TemporalSettings, 'namespace'> & { namespace?: string };

/** The environment variables, by setting (documented in the README's settings table). */
export const TEMPORAL_ENV = {
  address: 'TEMPORAL_ADDRESS',
  namespace: 'TEMPORAL_NAMESPACE',
  tls: 'TEMPORAL_TLS',
  tlsCertPath: 'TEMPORAL_TLS_CERT',
  tlsKeyPath: 'TEMPORAL_TLS_KEY',
  tlsCaPath: 'TEMPORAL_TLS_CA',
  tlsServerName: 'TEMPORAL_TLS_SERVER_NAME',
  apiKey: 'TEMPORAL_API_KEY',
} as const;

/** `parseArgs` options for the settings a command line may override (the API key is never a flag: it would show in `ps`). */
export const TEMPORAL_FLAG_OPTIONS = {
  'temporal-address': { type: 'string' },
  namespace: { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'tls-ca': { type: 'string' },
  'tls-server-name': { type: 'string' },
} as const;

export type TemporalFlags = Partial<Record<keyof typeof TEMPORAL_FLAG_OPTIONS, string | undefined>>;

/** A setting that cannot be used, named by the variable or flag it came from. */
export class TemporalSettingsError extends Error {}

/** Temporal could not be reached with the settings (wrong address, refused TLS handshake, bad API key). */
export class TemporalConnectError extends Error {}

function envTls(value: string | undefined): boolean | undefined {
  if (value === undefined || value === '') return undefined;
  if (['true', '1'].includes(value.toLowerCase())) return true;
  if (['false', '0'].includes(value.toLowerCase())) return false;
  throw new TemporalSettingsError(`TEMPORAL_TLS must be true or false, not "${value}"`);
}

/** Reads the settings from the environment and flags (flags win); throws `TemporalSettingsError` on a bad combination. */
export function temporalSettings(
  env: NodeJS.ProcessEnv = process.env,
  flags: TemporalFlags = {},
  defaults: { address?: string } = {},
): TemporalSettings {
  const pick = (flag: string | undefined, name: string) => flag ?? (env[name] || undefined);
  const raw = {
    address: pick(flags['temporal-address'], TEMPORAL_ENV.address) ?? defaults.address ?? '127.0.0.1:7233',
    namespace: pick(flags.namespace, TEMPORAL_ENV.namespace) ?? 'default',
    tls: envTls(env[TEMPORAL_ENV.tls]),
    tlsCertPath: pick(flags['tls-cert'], TEMPORAL_ENV.tlsCertPath),
    tlsKeyPath: pick(flags['tls-key'], TEMPORAL_ENV.tlsKeyPath),
    tlsCaPath: pick(flags['tls-ca'], TEMPORAL_ENV.tlsCaPath),
    tlsServerName: pick(flags['tls-server-name'], TEMPORAL_ENV.tlsServerName),
    apiKey: env[TEMPORAL_ENV.apiKey] || undefined,
  };
  const parsed = temporalSettingsSchema.safeParse(
    Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)),
  );
  if (!parsed.success) throw new TemporalSettingsError(parsed.error.issues.map((i) => i.message).join('; '));
  return parsed.data;
}

/** Whether these settings connect over TLS. */
export function usesTls(s: TemporalTarget): boolean {
  return s.tls ?? Boolean(s.tlsCertPath || s.tlsCaPath || s.tlsServerName || s.apiKey);
}

async function readPem(path: string, setting: keyof typeof TEMPORAL_ENV): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    throw new TemporalSettingsError(
      `cannot read ${TEMPORAL_ENV[setting]} (${path}): ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
}

/** Options that fit both `Connection.connect` and `NativeConnection.connect`. */
export interface TemporalConnectionOptions {
  address: string;
  tls?: Exclude<ConnectionOptions['tls'], null>;
  apiKey?: string;
}

/**
 * The options both SDK connections take (`Connection.connect` of the client and
 * `NativeConnection.connect` of the worker share these fields): address, TLS with the PEM files
 * read, and the API key. The namespace is not a connection option; callers pass `settings.namespace`.
 */
export async function temporalConnectionOptions(s: TemporalTarget): Promise<TemporalConnectionOptions> {
  const tlsOn = usesTls(s);
  if (!tlsOn) return { address: s.address, ...(s.apiKey ? { apiKey: s.apiKey, tls: false } : {}) };
  const [crt, key, ca] = await Promise.all([
    s.tlsCertPath ? readPem(s.tlsCertPath, 'tlsCertPath') : undefined,
    s.tlsKeyPath ? readPem(s.tlsKeyPath, 'tlsKeyPath') : undefined,
    s.tlsCaPath ? readPem(s.tlsCaPath, 'tlsCaPath') : undefined,
  ]);
  return {
    address: s.address,
    tls: {
      ...(crt && key ? { clientCertPair: { crt, key } } : {}),
      ...(ca ? { serverRootCACertificate: ca } : {}),
      ...(s.tlsServerName ? { serverNameOverride: s.tlsServerName } : {}),
    },
    ...(s.apiKey ? { apiKey: s.apiKey } : {}),
  };
}

/** A one-line description for logs and errors (never the API key). */
export function describeTemporal(s: TemporalTarget): string {
  const auth = [
    usesTls(s) ? (s.tlsCertPath ? 'mTLS' : 'TLS') : 'plaintext',
    ...(s.apiKey ? ['API key'] : []),
  ].join(' + ');
  return `${s.address} (namespace ${s.namespace ?? 'default'}, ${auth})`;
}

/**
 * The error to show when connecting fails: where to, with what, the SDK's reason, and for TLS the
 * settings to check (a handshake refused for a wrong CA or server name surfaces only as a
 * transport error).
 */
export function temporalConnectError(err: unknown, s: TemporalTarget): TemporalConnectError {
  const reason = err instanceof Error ? err.message : String(err);
  const hint = usesTls(s)
    ? " (check TEMPORAL_TLS_CA / --tls-ca against the server certificate's issuer, TEMPORAL_TLS_SERVER_NAME against its name, and the client certificate)"
    : '';
  return new TemporalConnectError(`cannot connect to Temporal at ${describeTemporal(s)}: ${reason}${hint}`);
}

/** A client connection with these settings; failures say where to and why. */
export async function connectTemporalClient(
  s: TemporalTarget,
  extra: Omit<ConnectionOptions, 'address' | 'tls' | 'apiKey'> = {},
): Promise<Connection> {
  const options = await temporalConnectionOptions(s);
  try {
    return await Connection.connect({ ...extra, ...options });
  } catch (err) {
    throw temporalConnectError(err, s);
  }
}
