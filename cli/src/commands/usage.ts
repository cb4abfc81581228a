// Each command's usage line, apart from its code: `kiln --help` prints them without loading any command.

/** The flags every command that talks to Temporal takes (`TEMPORAL_FLAG_OPTIONS`); the API key is env-only. */
const TEMPORAL_FLAGS =
  '[--temporal-address host:port] [--namespace ns] [--tls-cert crt.pem --tls-key key.pem] [--tls-ca ca.pem] [--tls-server-name name]';

export const UP_USAGE =
  'kiln up [--port 8080] [--host 127.0.0.1] [--s3 http://host:9000]  (S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET)';
export const VALIDATE_USAGE =
  'kiln validate <file.json|file.ts>';
export const RUN_USAGE = `kiln run <file.json|file.ts> [--param k=v]... [--json] ${TEMPORAL_FLAGS}`;
export const WORKER_USAGE = `kiln worker [--queues cpu,gpu] [--concurrency N] [--no-workflows] [--grace-seconds 30] ${TEMPORAL_FLAGS}`;
export const API_USAGE = `kiln api [--port 8080] [--host 127.0.0.1] [--data-dir DIR] ${TEMPORAL_FLAGS}`;
export const APPLY_USAGE =
  'kiln apply <file.json|file.ts> [--api URL] [--token T]  (or KILN_API_URL, KILN_TOKEN; default: the running kiln up)';
export const APPROVE_USAGE = `kiln approve <runId> <nodeId> [--reject] [--comment text] [--api URL --token T | ${TEMPORAL_FLAGS}]`;
export const LOGS_USAGE =
  'kiln logs <runId> [node] [-f] [--attempt N] [--item N] [--tail N] [--json] [--api URL] [--token T]  (or KILN_API_URL, KILN_TOKEN)';
export const MIGRATE_USAGE = 'kiln migrate [--data-dir DIR]  (DATABASE_URL)';
