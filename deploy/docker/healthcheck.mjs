// The image's HEALTHCHECK: for `kiln api`, GET /healthz on its port; for other roles (workers have
// no port; Temporal notices a dead worker by its missed heartbeats) the check passes while PID 1 runs.
import { readFileSync } from 'node:fs';

const args = readFileSync('/proc/1/cmdline', 'utf8').split('\0');
const role = args[args.findIndex((a) => a.endsWith('/kiln.js')) + 1];
if (role !== 'api') process.exit(0);
const port = process.env.KILN_API_PORT ?? '8080';
try {
  const res = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(4000) });
  process.exit(res.ok ? 0 : 1);
} catch {
  process.exit(1);
}
