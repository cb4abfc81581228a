/** Defaults a spec leaves implicit (pure: the workflow reads them). */
export const DEFAULT_MAX_PARALLEL = 8;
export const DEFAULT_HEARTBEAT_TIMEOUT_SECONDS = 30;
