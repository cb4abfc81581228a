import { type TemporalSettings, temporalSettings } from '@kiln/engine/temporal';

/** Everything the API needs to start, from the environment or from `kiln up`. */
export interface ApiConfig {
  host: string;
  port: number;
  /** `postgres://…`; without it, embedded PostgreSQL in `dataDir`. */
  databaseUrl?: string;
  dataDir?: string;
  /** How to reach Temporal: address, namespace, TLS, API key (`TEMPORAL_*`, see `temporalSettings`). */
  temporal: TemporalSettings;
  /** The first admin token; generated and printed once when absent. */
  adminToken?: string;
  /**
   * A token that workers present to act as the `editor` "kiln-worker" (deploy.model, monitor.drift);
   * `kiln up` makes one per start for its own workers. Never stored.
   */
  serviceToken?: string;
  /** Whether pipelines may use `core.command` (it runs shell commands on workers). */
  allowCommandNodes: boolean;
  /** Public base URL, for webhook URLs (default http://host:port). */
  publicUrl?: string;
  /** The Temporal web UI, for links. */
  temporalUiUrl?: string;
  logLevel: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /** Webhook deliveries accepted per second per webhook (burst twice that). */
  hookRatePerSecond: number;
}

export const API_CONFIG = Symbol('ApiConfig');

export function configFromEnv(env: NodeJS.ProcessEnv, overrides: Partial<ApiConfig> = {}): ApiConfig {
  return {
    host: env.KILN_API_HOST ?? '127.0.0.1',
    port: Number(env.KILN_API_PORT ?? 8080),
    ...(env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL } : {}),
    temporal: temporalSettings(env),
    ...(env.KILN_ADMIN_TOKEN ? { adminToken: env.KILN_ADMIN_TOKEN } : {}),
    ...(env.KILN_SERVICE_TOKEN ? { serviceToken: env.KILN_SERVICE_TOKEN } : {}),
    allowCommandNodes: env.KILN_ALLOW_COMMAND_NODES !== 'false',
    ...(env.KILN_PUBLIC_URL ? { publicUrl: env.KILN_PUBLIC_URL } : {}),
    logLevel: (env.KILN_LOG_LEVEL as ApiConfig['logLevel']) ?? 'info',
    hookRatePerSecond: Number(env.KILN_HOOK_RATE ?? 50),
    ...overrides,
  };
}
