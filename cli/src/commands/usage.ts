// Each command's usage line, apart from its code: `kiln --help` prints them without loading any command.

export const UP_USAGE =
  'kiln up [--port 8080] [--host 127.0.0.1] [--s3 http://host:9000]  (S3_ACCESS_KEY, S3_SECRET_KEY, S3_BUCKET)';
export const VALIDATE_USAGE = 'kiln validate <file.json|file.ts>';
export const RUN_USAGE =
  'kiln run <file.json|file.ts> [--param k=v]... [--json] [--temporal-address host:port] [--namespace ns]';
export const WORKER_USAGE =
  'kiln worker [--queues cpu,gpu] [--concurrency N] [--no-workflows] [--temporal-address host:port] [--namespace ns]';
export const API_USAGE =
  'kiln api [--port 8080] [--host 127.0.0.1] [--temporal-address host:port] [--data-dir DIR]';
export const APPLY_USAGE =
  'kiln apply <file.json|file.ts> [--api http://127.0.0.1:8080] [--token T]  (or KILN_API_URL, KILN_TOKEN)';
export const APPROVE_USAGE =
  'kiln approve <runId> <nodeId> [--reject] [--comment text] [--temporal-address host:port | --api URL --token T]';
