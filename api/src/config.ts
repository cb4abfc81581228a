import { type CapabilityPolicy, capabilityPolicyFromEnv } from '@kiln/engine';

/** Everything the API needs to start, from the environment or from `kiln up`. */
export interface ApiConfig {
  host: string;
  port: number;
  /** `postgres://…`; without it, embedded PostgreSQL in `dataDir`. */
  databaseUrl?: string;
  dataDir?: string;
  temporalAddress: string;
  namespace: string;
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
    temporalAddress: env.TEMPORAL_ADDRESS ?? '127.0.0.1:7233',
    namespace: env.TEMPORAL_NAMESPACE ?? 'default',
    ...(env.KILN_ADMIN_TOKEN ? { adminToken: env.KILN_ADMIN_TOKEN } : {}),
    ...(env.KILN_SERVICE_TOKEN ? { serviceToken: env.KILN_SERVICE_TOKEN } : {}),
    capabilities: capabilityPolicyFromEnv(env),
    ...(env.KILN_PUBLIC_URL ? { publicUrl: env.KILN_PUBLIC_URL } : {}),
    logLevel: (env.KILN_LOG_LEVEL as ApiConfig['logLevel']) ?? 'info',
    hookRatePerSecond: Number(env.KILN_HOOK_RATE ?? 50),
    ...overrides,
  };
}
