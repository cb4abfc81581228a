// Each command's usage line, apart from its code: `kiln --help` prints them without loading any command.

/** The flags every command that talks to Temporal takes (`TEMPORAL_FLAG_OPTIONS`); the API key is env-only. */
const TEMPORAL_FLAGS =
  '[--temporal-address host:port] [--namespace ns] [--tls-cert crt.pem --tls-key key.pem] [--tls-ca ca.pem] [--tls-server-name name]';

export const UP_USAGE =
  'kiln up [--port 8080] [--host 127.0.0.1] [--s3 http://host:9000]  (S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET)';
export const VALIDATE_USAGE =
  "kiln validate <file.json|file.ts> [--api URL] [--token T]  (with --api or KILN_API_URL: against that API's catalog, registered node types included; KILN_TOKEN)";
export const RUN_USAGE = `kiln run <file.json|file.ts> [--param k=v]... [--json] [--no-cache] ${TEMPORAL_FLAGS}\n  kiln run --resume <runId> [--from <node,…>] [--json] ${TEMPORAL_FLAGS}  (re-run a recorded run: its failed, skipped and cancelled nodes run, or with --from those nodes and all below them; the rest is reused)`;
export const WORKER_USAGE = `kiln worker [--queues cpu,gpu] [--concurrency N] [--no-workflows] [--grace-seconds 30] [--nodes <module or package>]... [--nodes-queue Q] [--config kiln.config.ts] ${TEMPORAL_FLAGS}  (KILN_API_URL + KILN_WORKER_TOKEN or KILN_API_TOKEN: register node packages' types)`;
export const API_USAGE = `kiln api [--port 8080] [--host 127.0.0.1] [--data-dir DIR] ${TEMPORAL_FLAGS}`;
export const APPLY_USAGE =
  'kiln apply <file.json|file.ts> [--api URL] [--token T]  (or KILN_API_URL, KILN_TOKEN; default: the running kiln up)';
export const APPROVE_USAGE = `kiln approve <runId> <nodeId> [--reject] [--comment text] [--api URL --token T | ${TEMPORAL_FLAGS}]`;
export const LOGS_USAGE =
  'kiln logs <runId> [node] [-f] [--attempt N] [--item N] [--tail N] [--json] [--api URL] [--token T]  (or KILN_API_URL, KILN_TOKEN)';
export const MIGRATE_USAGE = 'kiln migrate [--data-dir DIR]  (DATABASE_URL)';
