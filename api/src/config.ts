import { type CapabilityPolicy, capabilityPolicyFromEnv } from '@kiln/engine';
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
  /**
   * Which capabilities pipelines may use, and for which roles (KILN_ALLOW_USER_CODE, or the older
   * KILN_ALLOW_COMMAND_NODES, and KILN_USER_CODE_ROLES). Workers apply their own copy again.
   */
  capabilities: CapabilityPolicy;
  /** Public base URL, for webhook URLs (default http://host:port). */
  publicUrl?: string;
  /** The Temporal web UI, for links from runs (`kiln up` passes its own; else KILN_TEMPORAL_UI_URL). */
  temporalUiUrl?: string;
  logLevel: 'silent' | 'error' | 'warn' | 'info' | 'debug';
  /** Webhook deliveries accepted per second per webhook (burst twice that). */
  hookRatePerSecond: number;
  /** `KILN_SECRET_KEY`: the key ring that seals secrets at rest (see common/secret-keys.ts); else one kept in KILN_HOME. */
  secretKey?: string;
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
    capabilities: capabilityPolicyFromEnv(env),
    ...(env.KILN_PUBLIC_URL ? { publicUrl: env.KILN_PUBLIC_URL } : {}),
    ...(env.KILN_TEMPORAL_UI_URL ? { temporalUiUrl: env.KILN_TEMPORAL_UI_URL } : {}),
    logLevel: (env.KILN_LOG_LEVEL as ApiConfig['logLevel']) ?? 'info',
    hookRatePerSecond: Number(env.KILN_HOOK_RATE ?? 50),
    ...(env.KILN_SECRET_KEY ? { secretKey: env.KILN_SECRET_KEY } : {}),
    ...overrides,
  };
}
